"""The per-user cache that outlives runs (Azurite install, initdb'd cluster).

It lives in ``edu_contracts._cache`` (below every layer); re-exported here for
the services that keep things in it.
"""

from __future__ import annotations

from edu_contracts._cache import CACHE_ENV, cache_dir

__all__ = ["CACHE_ENV", "cache_dir"]
