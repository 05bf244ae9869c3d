"""End-to-end workflows over the engines: ``verify``, ``can-i-deploy``, recordings.

These compose the lower packages (models, queue, compat, tables, registry,
services) into the toolkit's jobs; only the CLI and the pytest plugin sit
above them.
"""

__all__ = []
