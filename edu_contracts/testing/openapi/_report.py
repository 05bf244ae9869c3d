"""What a fuzz run found: failures, per-operation counts, and the error that fails a test."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemathesis import APIOperation

    Operation = APIOperation[Any, Any, Any, Any]

__all__ = ["OpenApiFailure", "OpenApiReport", "OperationStats"]

_MESSAGE_LIMIT = 2_000
_CURL_LIMIT = 600


@dataclass(frozen=True)
class OpenApiFailure:
    """One distinct way an operation failed a check, and how often it happened."""

    operation: str
    check: str
    title: str
    message: str
    status_code: int
    mode: str
    reproduce: str
    count: int = 1

    def render(self) -> str:
        message = _shorten(self.message.strip(), _MESSAGE_LIMIT)
        return "\n".join(
            [
                f"{self.operation} [{self.check}] {self.title} -> {self.status_code}"
                f" ({self.count}x, {self.mode} data)",
                *("    " + line for line in message.splitlines()),
                f"    reproduce: {self.reproduce}",
            ]
        )


@dataclass
class OperationStats:
    """How one operation answered: statuses and their counts, time, and modes it skipped."""

    operation: str
    statuses: Counter[int] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


@dataclass(frozen=True)
class OpenApiReport:
    """What :func:`run_openapi_checks` sent and found; ``ok`` when nothing failed."""

    seed: int
    max_examples: int
    elapsed: float
    operations: tuple[OperationStats, ...]
    failures: tuple[OpenApiFailure, ...]

    @property
    def ok(self) -> bool:
        return not self.failures

    def operation(self, label: str) -> OperationStats:
        """The stats of ``label`` (``"POST /projects"``); the KeyError lists the labels."""
        for stats in self.operations:
            if stats.operation == label:
                return stats
        raise KeyError(f"{label!r} is not one of {[s.operation for s in self.operations]}")

    def render(self) -> str:
        lines = [
            f"schemathesis: {len(self.operations)} operation(s), "
            f"{sum(s.requests for s in self.operations)} requests, seed={self.seed}, "
            f"max_examples={self.max_examples}, {self.elapsed:.1f} s"
        ]
        for stats in self.operations:
            codes = " ".join(f"{code}x{n}" for code, n in sorted(stats.statuses.items()))
            lines.append(f"  {stats.operation:<48} {stats.elapsed:5.1f} s  {codes or '-'}")
            lines.extend(f"    skipped {reason}" for reason in stats.skipped)
        if self.failures:
            lines.append(f"{len(self.failures)} failure(s):")
            lines.extend(failure.render() for failure in self.failures)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]} [... {len(text) - limit} more chars]"
