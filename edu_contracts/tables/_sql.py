"""The SQL comparison key, apart from SQLAlchemy.

The table rules compare snapshots (plain JSON) and need only this; keeping
it out of ``snapshot`` lets ``check`` judge tables without importing
SQLAlchemy when the models' snapshot comes from the cache.
"""

from __future__ import annotations

import re

__all__ = ["normalize_sql"]

_CAST = re.compile(
    r"::(?:\"[^\"]+\"|[a-z_][a-z0-9_]*)"
    r"(?:\s+(?:varying|precision|with(?:out)?\s+time\s+zone))?"
    r"(?:\(\d+(?:,\s*\d+)?\))?(?:\[\])*"
)


def normalize_sql(text: str | None, *, strip_casts: bool = True) -> str | None:
    """A comparison key for SQL that PostgreSQL may have re-rendered.

    Case, whitespace, identifier quotes and parentheses are dropped, and (for
    CHECK bodies and defaults) ``::type`` casts, which PostgreSQL adds around
    literals and columns. The key is deliberately lossy: two expressions
    differing only in grouping compare equal, which a drift check can live
    with and which is far better than reporting every table as changed.
    Index expressions keep their casts, because there the cast *is* the
    meaning (``::halfvec(3072)`` picks the operator class).
    """
    if text is None:
        return None
    out = text.lower()
    if strip_casts:
        out = _CAST.sub("", out)
    out = out.replace('"', "").replace("(", " ").replace(")", " ")
    return " ".join(out.split())
