"""A memo for recursive questions answered under "assume yes while open".

Both the diff and the prover ask recursive questions about pairs of
subschemas ("is this pair compatible?"); a pair met again while it is
still open is a recursion and is assumed compatible there (sound, since a
recursion through ``properties`` or ``items`` descends into a finite
instance). A result that used such an assumption is valid only if the
assumption is: it is kept as *tentative* with the open pairs it assumed.
When an assumed pair closes compatible, its own open assumptions replace it
in its dependents; when it closes breaking, its dependents are dropped.
Only a result that assumes nothing still open is final. A breaking result
is final at once: if it breaks even with its recursions assumed
compatible, it breaks.

Reusing a result computed under an assumption that later failed is how a
changed definition reached through a second ``anyOf`` branch was once
called compatible.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["AssumingMemo"]

V = TypeVar("V")


@dataclass
class _Tentative(Generic[V]):
    value: V
    depends_on: set[Hashable]


@dataclass
class AssumingMemo(Generic[V]):
    assumed: V
    """What an open pair answers (compatible, with nothing to report)."""
    final: dict[Hashable, V] = field(default_factory=dict)
    tentative: dict[Hashable, _Tentative[V]] = field(default_factory=dict)
    dependents: dict[Hashable, set[Hashable]] = field(default_factory=dict)
    open: dict[Hashable, set[Hashable]] = field(default_factory=dict)
    stack: list[Hashable] = field(default_factory=list)

    def lookup(self, key: Hashable) -> V | None:
        """A usable earlier answer: final, assumed (the pair is open), or tentative."""
        found = self.final.get(key)
        if found is not None:
            return found
        if key in self.open:
            self._depend({key})
            return self.assumed
        entry = self.tentative.get(key)
        if entry is not None:
            self._depend(entry.depends_on)
            return entry.value
        return None

    def _depend(self, keys: set[Hashable]) -> None:
        if self.stack:
            self.open[self.stack[-1]].update(keys)

    def enter(self, key: Hashable) -> None:
        self.open[key] = set()
        self.stack.append(key)

    def leave(self, key: Hashable, value: V, ok: bool) -> None:
        depends_on = self.open.pop(key)
        depends_on.discard(key)
        self.stack.pop()
        for dependent in self.dependents.pop(key, ()):
            entry = self.tentative.get(dependent)
            if entry is None or key not in entry.depends_on:
                continue
            if not ok:
                del self.tentative[dependent]
                continue
            added = depends_on - entry.depends_on
            entry.depends_on.discard(key)
            entry.depends_on |= added
            if entry.depends_on:
                for k in added:
                    self.dependents.setdefault(k, set()).add(dependent)
            else:
                del self.tentative[dependent]
                self.final[dependent] = entry.value
        if not ok or not depends_on:
            self.tentative.pop(key, None)
            self.final[key] = value
            return
        self.tentative[key] = _Tentative(value, depends_on)
        for k in depends_on:
            self.dependents.setdefault(k, set()).add(key)
        self._depend(depends_on)

    def abandon(self, key: Hashable) -> None:
        """Forget an open pair whose computation raised."""
        self.open.pop(key, None)
        if self.stack and self.stack[-1] == key:
            self.stack.pop()
