"""Named seed scenarios: declarative TOML files of counts, embedding share and ratios.

Counts are *per parent* (documents per project, segments per chunked
document...) because that is how the data is shaped and how people think
about it ("a project has about ten documents"); :meth:`Scenario.totals`
turns them into rows per table, which the CLI shows before and after
loading. The files live inside the package so they ship in the wheel.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from edu_contracts._files import read_text
from edu_contracts.errors import SeedError

__all__ = [
    "MAX_COUNT",
    "MAX_EMBEDDED_SEGMENTS",
    "MAX_LINE_CHARS",
    "MAX_SCENARIO_BYTES",
    "MAX_SPREAD",
    "MAX_TOTAL_ROWS",
    "Scenario",
    "document_statuses",
    "load_scenario",
    "scenario_names",
]

_PACKAGE = "edu_contracts.seed"
_FOLDER = "scenarios"

MAX_SCENARIO_BYTES = 16 * 2**10
"""A scenario is about a kilobyte of TOML; a bigger file is the wrong file."""
MAX_LINE_CHARS = 1000
"""Python's TOML parser is quadratic in the depth of a dotted key (a 30,000-part key
in 64 KiB takes minutes): short lines bound every key, so every file parses in
well under a second."""
MAX_COUNT = 1_000_000
"""The most any one per-parent count may be."""
_COUNT_LIMITS = {"chat_turns": 1_000, "usage_days": 3_660}
"""Counts that size one row (turns in a chat's JSON) or reach back in time (days)."""
MAX_TOTAL_ROWS = 10_000_000
"""Rows one scenario may make: about 65 times the shipped ``load`` scenario."""
MAX_EMBEDDED_SEGMENTS = 1_000_000
"""3072-d vectors one scenario may embed (about 12 GiB of them)."""
MAX_SPREAD = 100.0
"""Beyond this the clusters are noise and a similarity search can show nothing."""
_LOAD_ROWS_HINT = "about 150,000 rows"


@dataclass(frozen=True)
class Scenario:
    """A validated scenario; see ``scenarios/tiny.toml`` for the meaning of each field."""

    name: str
    description: str
    users: int
    projects: int
    documents: int
    segments: int
    chats: int
    chat_turns: int
    notes: int
    mind_maps: int
    flashcard_groups: int
    flashcards: int
    quizzes: int
    quiz_questions: int
    study_sessions: int
    practice_records: int
    usage_days: int
    embedding_share: float
    spread: float
    pending: float
    failed: float
    reviewed: float

    @property
    def document_total(self) -> int:
        return self.users * self.projects * self.documents

    def status_counts(self) -> dict[str, int]:
        """Exact documents per status: quotas, not coin flips, so totals are known."""
        total = self.document_total
        pending = round(total * self.pending)
        failed = round(total * self.failed)
        chunked = total - pending - failed
        ready = round(chunked * self.embedding_share)
        return {"ready": ready, "processing": chunked - ready, "pending": pending, "failed": failed}

    def totals(self) -> dict[str, int]:
        """Rows per table this scenario loads."""
        status = self.status_counts()
        projects = self.users * self.projects
        docs = self.document_total
        groups = docs * self.flashcard_groups
        cards = groups * self.flashcards
        sessions = projects * self.study_sessions
        return {
            "users": self.users,
            "projects": projects,
            "documents": docs,
            "document_segments": (status["ready"] + status["processing"]) * self.segments,
            "chats": projects * self.chats,
            "notes": docs * self.notes,
            "mind_maps": projects * self.mind_maps,
            "flashcard_groups": groups,
            "flashcards": cards,
            "flashcard_progress": groups * round(self.flashcards * self.reviewed),
            "quizzes": docs * self.quizzes,
            "quiz_questions": docs * self.quizzes * self.quiz_questions,
            "study_sessions": sessions,
            "practice_records": sessions * self.practice_records,
            "user_usage": self.users * (self.usage_days + (1 if self.usage_days else 0)),
        }

    @property
    def embedded_segments(self) -> int:
        return self.status_counts()["ready"] * self.segments


def document_statuses(scenario: Scenario) -> list[str]:
    """One status per document, in generation order, before shuffling."""
    return [s for s, n in scenario.status_counts().items() for _ in range(n)]


def scenario_names() -> list[str]:
    """The scenarios shipped with the package."""
    root = resources.files(_PACKAGE) / _FOLDER
    return sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A shipped scenario by name (``demo``) or a TOML file of the same shape by path."""
    text, name, where = _read(name_or_path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(
            f"scenario is not valid TOML: {exc}",
            where=where,
            fix="compare it with the shipped tiny.toml",
        ) from None
    except RecursionError:
        raise SeedError(
            "scenario is nested too deeply to read",
            where=where,
            fix="a scenario is three flat tables: [counts], [embeddings], [ratios]",
        ) from None
    except ValueError:  # an integer past Python's digit limit for conversion
        raise SeedError(
            "scenario holds a number with more digits than can be read",
            where=where,
            fix=f"keep every count at or below {MAX_COUNT:,}",
        ) from None
    return _validate(raw, name, where)


def _read(name_or_path: str | Path) -> tuple[str, str, str]:
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists() or path.is_symlink():
        text = read_text(
            path,
            limit=MAX_SCENARIO_BYTES,
            error=SeedError,
            fix="pass a scenario name (tiny, demo, load) or the path of a TOML file",
        )
        _check_lines(text, str(path))
        return text, path.stem, str(path)
    name = str(name_or_path)
    resource = resources.files(_PACKAGE) / _FOLDER / f"{name}.toml"
    if not resource.is_file():
        raise SeedError(
            f"unknown scenario {name[:80]!r}",
            where="--scenario",
            fix=f"use one of {', '.join(scenario_names())} or a path to a .toml file",
        )
    return resource.read_text(encoding="utf-8"), name, f"scenario {name}"


def _check_lines(text: str, where: str) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise SeedError(
                f"line {number} is {len(line):,} characters long, over the "
                f"{MAX_LINE_CHARS:,}-character limit",
                where=f"{where}:{number}",
                fix="a scenario holds short `key = value` lines, as in the shipped tiny.toml",
            )


_SECTIONS = {"counts", "embeddings", "ratios"}


def _section(raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    section = raw.get(key, {})
    if not isinstance(section, dict):
        raise SeedError(
            f"[{key}] must be a table of keys and values, not a single value or an array",
            where=where,
            fix=f"write it as a [{key}] section, as in the shipped tiny.toml",
        )
    return section


def _validate(raw: dict[str, Any], name: str, where: str) -> Scenario:
    counts = _section(raw, "counts", where)
    embeddings = _section(raw, "embeddings", where)
    ratios = _section(raw, "ratios", where)
    unknown = set(raw) - _SECTIONS - {"description"}
    description = raw.get("description", name)
    if not isinstance(description, str) or len(description) > 500:
        raise SeedError(
            "description must be a line of text (at most 500 characters)",
            where=where,
            fix='write e.g. description = "A few users for local work"',
        )
    values: dict[str, Any] = {"name": name, "description": description}
    for field in fields(Scenario):
        if field.name in ("name", "description"):
            continue
        if field.name == "embedding_share":
            section, key = embeddings, "share"
        elif field.name == "spread":
            section, key = embeddings, "spread"
        elif field.type == "float":
            section, key = ratios, field.name
        else:
            section, key = counts, field.name
        if key not in section:
            raise SeedError(
                f"scenario is missing {key!r}",
                where=where,
                fix="every key of the shipped tiny.toml is required",
            )
        values[field.name] = _number(section[key], key, field.type == "float", where)
    unknown |= {f"counts.{k}" for k in counts if k not in values}
    unknown |= {f"ratios.{k}" for k in ratios if k not in values}
    unknown |= {f"embeddings.{k}" for k in embeddings if k not in ("share", "spread")}
    if unknown:
        raise SeedError(
            f"scenario has unknown keys {sorted(unknown)}",
            where=where,
            fix="remove them or fix their spelling (see tiny.toml)",
        )
    if values["pending"] + values["failed"] > 1:
        raise SeedError(
            "ratios.pending + ratios.failed exceed 1",
            where=where,
            fix="keep the two shares at or below 1 together",
        )
    scenario = Scenario(**values)
    _check_size(scenario, where)
    return scenario


def _check_size(scenario: Scenario, where: str) -> None:
    """Counts multiply (users x projects x documents x segments): bound the product too."""
    total = sum(scenario.totals().values())
    if total > MAX_TOTAL_ROWS:
        raise SeedError(
            f"scenario makes {total:,} rows, over the limit of {MAX_TOTAL_ROWS:,}",
            where=where,
            fix="lower the per-parent counts (they multiply); the shipped load scenario "
            f"makes {_LOAD_ROWS_HINT}",
        )
    if scenario.embedded_segments > MAX_EMBEDDED_SEGMENTS:
        raise SeedError(
            f"scenario embeds {scenario.embedded_segments:,} segments, over the limit of "
            f"{MAX_EMBEDDED_SEGMENTS:,} (each 3072-d vector is 12 KiB)",
            where=where,
            fix="lower embeddings.share or the segment and document counts",
        )


def _number(value: Any, key: str, is_share: bool, where: str) -> int | float:
    if is_share:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        finite = number and math.isfinite(value)
        if key == "spread":
            if not (finite and 0 <= value <= MAX_SPREAD):
                raise SeedError(
                    f"spread must be a number from 0 to {MAX_SPREAD:g}, got {_shown(value)}",
                    where=where,
                    fix="0.8 is a good default",
                )
        elif not (finite and 0 <= value <= 1):
            raise SeedError(
                f"{key} must be a share between 0 and 1, got {_shown(value)}",
                where=where,
                fix=f"write e.g. {key} = 0.5",
            )
        return float(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SeedError(
            f"{key} must be a non-negative whole number, got {_shown(value)}",
            where=where,
            fix=f"write e.g. {key} = 2",
        )
    limit = _COUNT_LIMITS.get(key, MAX_COUNT)
    if value > limit:
        raise SeedError(
            f"{key} = {_shown(value)} is over the limit of {limit:,}",
            where=where,
            fix=f"keep {key} at or below {limit:,}",
        )
    return value


def _shown(value: Any) -> str:
    """A value as the user wrote it, cut short: a 4,000-digit number is not an error message."""
    if isinstance(value, dict | list):  # never repr a nested value: it may be deep or huge
        return "a table" if isinstance(value, dict) else "an array"
    text = repr(value) if not isinstance(value, int) or value < 10**30 else "a very large number"
    return text if len(text) <= 60 else text[:57] + "..."
