"""``check`` and ``diff``: the current code (or a release) against released contracts.

Each subject is judged under its own mode (see :mod:`.config`): one subject
per message kind (``messages/<type>``), one for the table snapshot
(``tables``), and ``examples``, which replays every release's golden
messages through today's decoder, because "the schema diff says compatible"
and "the code still reads old messages" are two claims worth checking apart.

A task kind that appears or disappears is judged here, not by the schema
engine: the union of kinds gained or lost an alternative, which breaks old
consumers (a new kind) or new consumers of queued messages (a removed one).

The judging engines (``compat``, ``tables.rules``) are imported when a
subject is judged: importing this package (the queue fixtures do, to check
every message against the pinned contract) must not pay for them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from edu_contracts.findings.model import Finding, Report, Subject, Verdict
from edu_contracts.findings.modes import CompatibilityMode, Direction
from edu_contracts.registry.config import (
    CONFIG_FILE,
    PolicyChange,
    mode_for,
    policy_changes,
    weaker,
)
from edu_contracts.registry.export import MESSAGES_DIR
from edu_contracts.registry.lock import verify_lock
from edu_contracts.registry.reference import Baseline, baseline
from edu_contracts.registry.store import ContractStore, default_store
from edu_contracts.registry.versions import parse_version

__all__ = ["CURRENT", "check", "diff"]

CURRENT = "current"
"""Pseudo-version naming the working code in ``diff``."""


def _kind_finding(task_type: str, added: bool, direction: Direction, against: int) -> Finding:
    from edu_contracts.compat import ChangeKind

    breaks = (added and direction is Direction.FORWARD) or (
        not added and direction is Direction.BACKWARD
    )
    if added:
        message = f"task type {task_type!r} added; consumers that predate it reject it as unknown"
        safe = f"ship consumers that handle {task_type!r} first, then producers that send it"
    else:
        message = (
            f"task type {task_type!r} removed; messages of that type still queued or sent by "
            "older producers are rejected"
        )
        safe = "stop producing it, drain the queues, and remove it in a major release"
    return Finding(
        change=ChangeKind.SUM_TYPE_NARROWED if breaks else ChangeKind.SUM_TYPE_EXTENDED,
        pointer="#",
        message=message,
        breaks=direction.breaks if breaks else "nobody",
        direction=direction,
        safe_path=safe if breaks else "safe as is",
        compatible=not breaks,
        against=against,
    )


def _message_subjects(
    history: Sequence[tuple[str, dict[str, dict[str, Any]]]],
    current: dict[str, dict[str, Any]],
    modes: dict[str, CompatibilityMode],
    *,
    transitive_history: bool,
) -> list[Subject]:
    kinds = sorted({k for _, schemas in history for k in schemas} | set(current))
    results = []
    for kind in kinds:
        subject = f"{MESSAGES_DIR}/{kind}"
        mode = mode_for(subject, modes)
        earlier = [(v, schemas[kind]) for v, schemas in history if kind in schemas]
        if not (mode.transitive and transitive_history):
            earlier = earlier[-1:]
        versions = tuple(v for v, _ in earlier)
        if kind not in current or not earlier:
            findings = tuple(
                _kind_finding(kind, kind in current, direction, len(history) - 1)
                for direction in mode.directions
            )
            versions = tuple(v for v, _ in history[-1:])
            report = Report(findings, mode)
        else:
            from edu_contracts.compat import compare_history as compare_schema_history

            report = compare_schema_history([s for _, s in earlier], current[kind], mode)
        results.append(Subject(subject, mode, versions, report))
    return results


def _tables_subject(
    history: Sequence[tuple[str, dict[str, Any]]],
    current: dict[str, Any],
    modes: dict[str, CompatibilityMode],
    *,
    transitive_history: bool,
) -> Subject:
    from edu_contracts.tables.rules import compare_table_history

    mode = mode_for("tables", modes)
    earlier = list(history) if mode.transitive and transitive_history else list(history[-1:])
    report = compare_table_history([s for _, s in earlier], current, mode)
    return Subject("tables", mode, tuple(v for v, _ in earlier), report)


def _examples_subject(base: Baseline) -> Subject:
    """Every golden message of every release validates against its release and
    still decodes with the current code."""
    from jsonschema import Draft202012Validator

    from edu_contracts.errors import MessageDecodeError
    from edu_contracts.queue.codec import decode_json

    problems = []
    for version in base.versions:
        store = base.store(version)
        validator = Draft202012Validator(store.message_schema(version))
        for name, message in store.examples(version).items():
            where = f"{version}/examples/{name}"
            error = next(iter(validator.iter_errors(message)), None)
            if error is not None:
                problems.append(f"{where}: does not validate against {version}: {error.message}")
            try:
                decode_json(json.dumps(message).encode())
            except MessageDecodeError as exc:
                problems.append(f"{where}: the current code cannot decode it: {exc.message}")
    return Subject(
        "examples",
        CompatibilityMode.FULL_TRANSITIVE,
        tuple(str(v) for v in base.versions),
        Report(mode=CompatibilityMode.FULL_TRANSITIVE),
        tuple(problems),
    )


def _policy_subject(
    released: dict[str, CompatibilityMode],
    working: dict[str, CompatibilityMode],
    subjects: Sequence[str],
    latest: str,
) -> Subject:
    """The working ``compatibility.json`` against the released policy.

    A weaker mode lets through changes the released one refuses, so it is a
    breaking change of the contract itself: it needs a major release, and
    it takes effect only once released.
    """
    findings = []
    for name, before, after in policy_changes(released, working, subjects):
        weakens = weaker(after, before)
        findings.append(
            Finding(
                change=PolicyChange.WEAKENED if weakens else PolicyChange.CHANGED,
                pointer=f"{CONFIG_FILE}#/{name}",
                message=f"{name}: {before.value} in {latest}, {after.value} in the working "
                f"{CONFIG_FILE}"
                + (" (a weaker mode lets breaking changes through)" if weakens else ""),
                breaks="everyone relying on the released checks" if weakens else "nobody",
                direction=Direction.BACKWARD,
                safe_path="keep the released mode, or release the policy in a major version "
                "(checks use it only after that release)"
                if weakens
                else "safe as is; it applies from the next release on",
                compatible=not weakens,
            )
        )
    mode = CompatibilityMode.FULL_TRANSITIVE
    return Subject("policy", mode, (latest,), Report(tuple(findings), mode))


def _task_schemas(files: dict[str, Any]) -> dict[str, dict[str, Any]]:
    from edu_contracts.registry.export import UNION_FILE

    prefix = f"{MESSAGES_DIR}/"
    return {
        path[len(prefix) : -len(".json")]: schema
        for path, schema in files.items()
        if path.startswith(prefix) and path != UNION_FILE
    }


def check(store: ContractStore | None = None, reference: ContractStore | None = None) -> Verdict:
    """The current code against the released contracts (lock verified first).

    Each subject compares with the latest release, or with every release when
    its mode is transitive, under the latest release's policy. With
    ``reference`` (the releases shipped in the installed package), a version
    whose copy in ``store`` differs from it is read from the reference, and
    the difference is reported (subject ``released``).
    """
    from edu_contracts.registry._code_cache import code_files

    store = store or default_store()
    verify_lock(store.root, raise_on_problem=True)
    working = store.working_modes()  # a malformed working policy is bad input, released or not
    base = baseline(store, reference)
    versions = base.versions
    if not versions:
        return Verdict("check", "current code (no release yet)")
    latest = versions[-1]
    modes = base.store(latest).released_modes(latest)
    message_history = [(str(v), base.store(v).task_schemas(v)) for v in versions]
    table_history = [(str(v), base.store(v).tables(v)) for v in versions]
    code = code_files()
    current = _task_schemas(code["messages"])
    subjects = _message_subjects(message_history, current, modes, transitive_history=True)
    subjects.append(_tables_subject(table_history, code["tables"], modes, transitive_history=True))
    subjects.append(_examples_subject(base))
    subjects.append(_policy_subject(modes, working, [s.subject for s in subjects], str(latest)))
    if base.problems:
        mode = CompatibilityMode.FULL_TRANSITIVE
        subjects.append(
            Subject(
                "released",
                mode,
                tuple(str(v) for v in versions),
                Report(mode=mode),
                base.problems,
            )
        )
    return Verdict("check", f"current code vs {latest}", tuple(subjects), baseline=str(latest))


def diff(old: str, new: str, store: ContractStore | None = None) -> Verdict:
    """Release ``old`` against release ``new`` (or ``"current"``), each subject in its mode.

    Only the two versions are compared, even for transitive modes: this
    answers "what changed between these two", not "may this be released".
    The modes are those of the newer release's policy (the latest release's
    for ``current``).
    """
    from edu_contracts.registry._code_cache import code_files

    store = store or default_store()
    verify_lock(store.root, raise_on_problem=True)
    old_version = str(parse_version(old, where="VERSION_A"))
    store.folder(old_version)
    if new == CURRENT:
        code = code_files()
        new_messages, new_tables = _task_schemas(code["messages"]), code["tables"]
        modes = store.modes()
    else:
        new_version = str(parse_version(new, where="VERSION_B"))
        new_messages, new_tables = store.task_schemas(new_version), store.tables(new_version)
        modes = store.released_modes(new_version)
    history = [(old_version, store.task_schemas(old_version))]
    subjects = _message_subjects(history, new_messages, modes, transitive_history=False)
    subjects.append(
        _tables_subject(
            [(old_version, store.tables(old_version))],
            new_tables,
            modes,
            transitive_history=False,
        )
    )
    return Verdict("diff", f"{new} vs {old_version}", tuple(subjects), baseline=old_version)
