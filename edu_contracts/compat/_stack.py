"""Run a comparison on a thread with a deep stack.

The diff recurses once per pair of subschemas it compares; a ``$ref``
graph that a validator evaluates fine (ten definitions, each property an
``anyOf`` over all ten) nests pairs a few hundred deep, past CPython's
default limit of 1,000 frames. Rather than rewrite every rule as an
explicit stack, the comparison runs on a thread whose stack is large
enough for any schema that fits in memory, with a matching recursion limit.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from edu_contracts.errors import ContractFileError

__all__ = ["deep"]

T = TypeVar("T")

_STACK_BYTES = 512 * 1024 * 1024
"""Virtual size only: pages are touched (and so use memory) as the stack grows."""
_FRAMES = 400_000
_lock = threading.Lock()


def deep(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, retried on a deep-stack thread if it runs out of stack here.

    Most schemas fit the caller's stack, and starting a thread costs more
    than comparing a small pair; ``fn`` is a pure comparison, so running it
    again after a RecursionError is safe.
    """
    try:
        return fn(*args)
    except RecursionError:
        pass
    return _on_deep_thread(fn, *args)


def _on_deep_thread(fn: Callable[..., T], *args: Any) -> T:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, fn(*args)))
        except BaseException as exc:  # re-raised in the caller's thread
            outcome.append((False, exc))

    with _lock:
        previous_stack = threading.stack_size(_STACK_BYTES)
        previous_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(previous_limit, _FRAMES))
        try:
            worker = threading.Thread(target=run, name="edu-contracts-compat")
            worker.start()
        finally:
            threading.stack_size(previous_stack)
        worker.join()
        sys.setrecursionlimit(previous_limit)
    ok, value = outcome[0]
    if ok:
        return value  # type: ignore[no-any-return]
    if isinstance(value, RecursionError):
        raise ContractFileError(
            f"the schemas nest deeper than {_FRAMES:,} levels",
            where="old / new schema",
            fix="flatten the schema; no validator can evaluate it either",
        ) from None
    raise value
