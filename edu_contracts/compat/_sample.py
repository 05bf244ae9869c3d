"""Strings that match a pattern, for counterexamples and property-name probes.

A counterexample for ``patternProperties: {"^x-[a-z]+$": ...}`` needs a name
like ``x-ab``; random names never hit it. The pattern is parsed with
Python's own regex parser (ECMA and Python agree on the constructs that
matter here) and walked once with bounded repeats, so a sample is short and
quick to build even for a hostile pattern. Samples are only candidates:
callers check them with the ECMA matcher, so a construct the two dialects
read differently costs a sample, never a wrong answer.
"""

from __future__ import annotations

import random
import re
import re._parser as sre  # type: ignore[import-not-found]
from typing import Any

__all__ = ["sample"]

_MAX_REPEAT = 3
_MAX_LENGTH = 256
_CATEGORIES = {
    "CATEGORY_DIGIT": "0123456789",
    "CATEGORY_NOT_DIGIT": "aZ_-",
    "CATEGORY_WORD": "abcXYZ019_",
    "CATEGORY_NOT_WORD": " -.!",
    "CATEGORY_SPACE": " \t",
    "CATEGORY_NOT_SPACE": "ab1_",
}


class _TooHard(Exception):
    """A construct we do not sample (a back-reference, a look-around)."""


def sample(pattern: str, rng: random.Random) -> str | None:
    """One string shaped by ``pattern``, or None when the pattern is beyond the sampler."""
    try:
        parsed = sre.parse(pattern)
        text = _walk(parsed, rng, 0)
    except (_TooHard, re.error, RecursionError, ValueError, OverflowError, TypeError):
        return None
    return text if len(text) <= _MAX_LENGTH else None


def _walk(items: Any, rng: random.Random, depth: int) -> str:
    if depth > 40:
        raise _TooHard
    out: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if arg != ord("a") else "b")
        elif name == "ANY":
            out.append(rng.choice("ab1_"))
        elif name == "IN":
            out.append(_one_of(arg, rng))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, body = arg
            if low > _MAX_LENGTH:
                raise _TooHard
            top = low + _MAX_REPEAT if high is sre.MAXREPEAT else min(high, low + _MAX_REPEAT)
            out.extend(_walk(body, rng, depth + 1) for _ in range(rng.randint(low, top)))
        elif name == "SUBPATTERN":
            out.append(_walk(arg[-1], rng, depth + 1))
        elif name == "ATOMIC_GROUP":
            out.append(_walk(arg, rng, depth + 1))
        elif name == "BRANCH":
            out.append(_walk(rng.choice(arg[1]), rng, depth + 1))
        elif name == "AT":
            continue
        elif name == "CATEGORY":
            out.append(rng.choice(_CATEGORIES.get(str(arg), "a")))
        else:
            raise _TooHard  # GROUPREF, ASSERT, ASSERT_NOT, GROUPREF_EXISTS
        if sum(map(len, out)) > _MAX_LENGTH:
            raise _TooHard
    return "".join(out)


def _one_of(items: Any, rng: random.Random) -> str:
    negated = bool(items) and str(items[0][0]) == "NEGATE"
    choices: list[str] = []
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            choices.append(chr(arg))
        elif name == "RANGE":
            low, high = arg
            choices.append(chr(rng.randint(low, min(high, low + 25))))
        elif name == "CATEGORY":
            choices.append(rng.choice(_CATEGORIES.get(str(arg), "a")))
    if negated:
        for candidate in "aZ0_- .!~":
            if candidate not in choices:
                return candidate
        raise _TooHard
    if not choices:
        raise _TooHard
    return rng.choice(choices)
