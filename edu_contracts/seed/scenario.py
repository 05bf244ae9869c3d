"""Named seed scenarios: declarative TOML files of counts, embedding share and ratios.

Counts are *per parent* (documents per project, segments per chunked
document...) because that is how the data is shaped and how people think
about it ("a project has about ten documents"); :meth:`Scenario.totals`
turns them into rows per table, which the CLI shows before and after
loading. The files live inside the package so they ship in the wheel.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path
from typing import Any

from edu_contracts.errors import SeedError

__all__ = ["Scenario", "document_statuses", "load_scenario", "scenario_names"]

_PACKAGE = "edu_contracts.seed"
_FOLDER = "scenarios"


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
        ) from exc
    return _validate(raw, name, where)


def _read(name_or_path: str | Path) -> tuple[str, str, str]:
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists():
        try:
            return path.read_text(encoding="utf-8"), path.stem, str(path)
        except OSError as exc:
            raise SeedError(
                f"cannot read scenario file: {exc.strerror}",
                where=str(path),
                fix="pass an existing TOML file or a scenario name",
            ) from exc
    name = str(name_or_path)
    resource = resources.files(_PACKAGE) / _FOLDER / f"{name}.toml"
    if not resource.is_file():
        raise SeedError(
            f"unknown scenario {name!r}",
            where="--scenario",
            fix=f"use one of {', '.join(scenario_names())} or a path to a .toml file",
        )
    return resource.read_text(encoding="utf-8"), name, f"scenario {name}"


_SECTIONS = {"counts", "embeddings", "ratios"}


def _validate(raw: dict[str, Any], name: str, where: str) -> Scenario:
    counts = raw.get("counts", {})
    embeddings = raw.get("embeddings", {})
    ratios = raw.get("ratios", {})
    unknown = set(raw) - _SECTIONS - {"description"}
    values: dict[str, Any] = {"name": name, "description": str(raw.get("description", name))}
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
    return Scenario(**values)


def _number(value: Any, key: str, is_share: bool, where: str) -> int | float:
    if is_share:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1
        if not ok and key != "spread":
            raise SeedError(
                f"{key} must be a share between 0 and 1, got {value!r}",
                where=where,
                fix=f"write e.g. {key} = 0.5",
            )
        if key == "spread" and not (isinstance(value, int | float) and value >= 0):
            raise SeedError(
                f"spread must be >= 0, got {value!r}", where=where, fix="0.8 is a good default"
            )
        return float(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SeedError(
            f"{key} must be a non-negative whole number, got {value!r}",
            where=where,
            fix=f"write e.g. {key} = 2",
        )
    return value
