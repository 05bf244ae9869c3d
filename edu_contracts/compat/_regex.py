"""ECMA-262 regular expressions, matched in linear time.

JSON Schema patterns are ECMA-262, not Python ``re``: ``\\d`` is ASCII only,
``\\cC`` is a control character, ``\\p{L}`` is a Unicode class. Matching them
with ``re`` gives other answers (or refuses the pattern) and lets a hostile
``^(a+)+$`` backtrack for hours. jsonschema-rs compiles patterns the ECMA way
onto Rust's regex engines (linear for plain patterns, a backtrack limit for
look-arounds and back-references), so a verdict never waits on a regex.
regress, the pure ECMA engine, was measured too: it backtracks exponentially
(0.9 s for ``^(a+)+$`` on 24 characters, doubling with each one).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import jsonschema_rs

__all__ = ["compiles", "matches_everything", "may_overlap", "scrub", "search"]


def scrub(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD: Rust strings cannot hold them."""
    return text.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(text) else text


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@functools.lru_cache(maxsize=8192)
def _matcher(pattern: str) -> Callable[[str], bool] | None:
    try:
        return jsonschema_rs.validator_for({"pattern": scrub(pattern)}).is_valid
    except (jsonschema_rs.ValidationError, ValueError):
        return None


def compiles(pattern: str) -> bool:
    """True when ``pattern`` is a valid ECMA-262 regular expression."""
    return _matcher(pattern) is not None


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` (JSON Schema's unanchored match).

    A pattern that does not compile matches nothing; schemas are checked
    against the meta-schema before they get here, so that only happens for
    callers that pass raw patterns.
    """
    matcher = _matcher(pattern)
    return matcher is not None and matcher(scrub(text))


_SPECIAL = set("\\.[](){}*+?|^$")


def _literal_prefix(pattern: str) -> tuple[str, bool] | None:
    """The literal text an anchored pattern must start with, and whether that is all of it."""
    if not pattern.startswith("^"):
        return None
    prefix: list[str] = []
    for index, char in enumerate(pattern[1:], start=1):
        if char in _SPECIAL:
            if char in "*?{":
                prefix = prefix[:-1]  # the last literal is optional or repeated
            whole = char == "$" and index == len(pattern) - 1
            return "".join(prefix), whole
        prefix.append(char)
    return "".join(prefix), False


def may_overlap(first: str, second: str) -> bool:
    """False only when no name can match both patterns (provably, from literal prefixes)."""
    if first == second:
        return True
    a, b = _literal_prefix(first), _literal_prefix(second)
    if a is None or b is None:
        return True
    (pa, whole_a), (pb, whole_b) = a, b
    if whole_a and whole_b:
        return pa == pb
    if whole_a:
        return pa.startswith(pb) and search(second, pa)
    if whole_b:
        return pb.startswith(pa) and search(first, pb)
    return pa.startswith(pb) or pb.startswith(pa)


def matches_everything(pattern: str) -> bool:
    """Patterns that match every name (so ``additionalProperties`` never applies)."""
    return pattern in ("", "^", ".*", "^.*", "(?:)", "[\\s\\S]*", "^.*$")
