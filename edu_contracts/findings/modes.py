"""Compatibility modes and rule sets, named as Confluent Schema Registry names them.

Teams already know these words from the registry; reusing them means a
``FULL_TRANSITIVE`` here promises exactly what it promises there.
"""

from __future__ import annotations

import enum

__all__ = ["CompatibilityMode", "Direction", "RuleSet"]


class Direction(enum.Enum):
    """Which reader must cope with which writer.

    A finding is always judged in one direction; FULL modes run both and the
    report keeps the direction on every finding so the reader knows who breaks.
    """

    BACKWARD = "backward"
    """The new schema reads data written with the old one (consumers upgrade first)."""

    FORWARD = "forward"
    """The old schema reads data written with the new one (producers upgrade first)."""

    @property
    def breaks(self) -> str:
        """Who fails when a finding in this direction is incompatible."""
        if self is Direction.BACKWARD:
            return "new readers of old data"
        return "old readers of new data"


class CompatibilityMode(enum.Enum):
    """Confluent's compatibility levels.

    Non-transitive modes compare with the latest earlier version only, because
    that is what the registry does; transitive ones compare with every earlier
    version, which is what a queue holding messages of any age needs.
    """

    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @property
    def transitive(self) -> bool:
        """True when every earlier version must stay readable, not just the latest."""
        return self.value.endswith("_TRANSITIVE")

    @property
    def directions(self) -> tuple[Direction, ...]:
        """The directions to check; empty for NONE, which accepts anything."""
        base = self.value.removesuffix("_TRANSITIVE")
        if base == "BACKWARD":
            return (Direction.BACKWARD,)
        if base == "FORWARD":
            return (Direction.FORWARD,)
        if base == "FULL":
            return (Direction.BACKWARD, Direction.FORWARD)
        return ()


class RuleSet(enum.Enum):
    """How changes are judged: by Confluent's structural rules, or by what validates.

    STRICT is Confluent's default: an open object may already carry any extra
    property, so adding a typed property to it, or closing it, can reject old
    data. LENIENT accepts those changes, trusting that nobody sends
    undeclared properties; use it only where that is enforced elsewhere.
    """

    STRICT = "STRICT"
    LENIENT = "LENIENT"
    SEMANTIC = "SEMANTIC"
    """Not Confluent's: breaking exactly when some instance valid under the
    writer's schema is invalid under the reader's, decided by proof or by a
    counterexample that a real validator confirms; undecided counts as breaking."""
