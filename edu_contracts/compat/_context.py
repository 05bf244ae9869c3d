"""State shared by one comparison: where we are, what was found, what is cached.

Combinations need to ask "would this pair be compatible?" without
committing the answer, so a context can spawn trial sub-contexts whose
findings are kept only if the caller decides so. The memo and the cycle
guard are shared by every sub-context of one comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from edu_contracts.compat._assume import AssumingMemo
from edu_contracts.compat._model import Node
from edu_contracts.compat.kinds import ChangeKind
from edu_contracts.findings.modes import RuleSet

__all__ = ["Comparator", "Context", "PairKey", "RawFinding", "pointer_of"]


@dataclass(frozen=True)
class RawFinding:
    """A finding before it is worded: kind, path segments and details."""

    kind: ChangeKind
    path: tuple[str, ...]
    detail: dict[str, Any] = field(default_factory=dict, compare=False)


def pointer_of(path: tuple[str, ...]) -> str:
    """Confluent's pointer style: ``#/`` for the root, ``#/properties/a`` below it."""
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)


Comparator = Callable[["Context", "Node | None", "Node | None"], None]
PairKey = tuple[int, int]


@dataclass
class _Shared:
    rules: RuleSet
    comparator: Comparator
    memo: AssumingMemo[list[RawFinding]] = field(default_factory=lambda: AssumingMemo([]))
    trials: int = 0


class Context:
    """Path, findings and the shared caches of one comparison."""

    def __init__(self, shared: _Shared, path: tuple[str, ...] = ()) -> None:
        self.shared = shared
        self.path = path
        self.found: list[RawFinding] = []

    @classmethod
    def root(cls, rules: RuleSet, comparator: Comparator) -> Context:
        return cls(_Shared(rules=rules, comparator=comparator))

    @property
    def rules(self) -> RuleSet:
        return self.shared.rules

    @property
    def ok(self) -> bool:
        """True when nothing found so far breaks the reader."""
        rules = self.shared.rules
        return all(f.kind.compatible_under(rules) for f in self.found)

    def add(self, kind: ChangeKind, *segments: str, **detail: Any) -> None:
        self.found.append(RawFinding(kind, self.path + segments, detail))

    def extend(self, other: Context) -> None:
        self.found.extend(other.found)

    def extend_rebased(self, relative: list[RawFinding]) -> None:
        """Add findings computed for a pair compared at the root, under the current path."""
        if not self.path:
            self.found.extend(relative)
            return
        self.found.extend(RawFinding(f.kind, self.path + f.path, f.detail) for f in relative)

    @contextmanager
    def at(self, *segments: str) -> Iterator[None]:
        saved = self.path
        self.path = saved + segments
        try:
            yield
        finally:
            self.path = saved

    def compare(self, old: Node | None, new: Node | None) -> None:
        self.shared.comparator(self, old, new)

    def trial(self, old: Node | None, new: Node | None, *segments: str) -> Context:
        """Compare in a throw-away sub-context; the caller decides whether to keep it."""
        self.shared.trials += 1
        sub = Context(self.shared, self.path + segments)
        sub.compare(old, new)
        return sub

    def branch(self) -> Context:
        """An empty sub-context at the current path, for alternatives tried in turn."""
        return Context(self.shared, self.path)

    def fresh(self) -> Context:
        """An empty sub-context at the root, for results that are memoised per pair."""
        return Context(self.shared)
