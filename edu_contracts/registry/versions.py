"""Contract versions are semantic versions, compared as numbers, never as text.

``1.10.0`` sorts after ``1.9.0``; a folder under ``contracts/`` whose name is
not ``MAJOR.MINOR.PATCH`` is not a release, and saying so early beats
comparing it lexically with the real ones.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from edu_contracts.errors import VersionError

__all__ = ["Version", "parse_version"]

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class Version(NamedTuple):
    """A released contract version; tuple order is release order."""

    major: int
    minor: int
    patch: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def parse_version(text: str, *, where: str = "version") -> Version:
    """``"1.2.0"`` as a ``Version``; anything else is a ``VersionError``."""
    match = _SEMVER.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise VersionError(
            f"{text!r} is not a contract version",
            where=where,
            fix="use MAJOR.MINOR.PATCH, e.g. 1.0.0 (no 'v' prefix, no pre-release suffix)",
        )
    return Version(*(int(part) for part in match.groups()))
