"""can-i-deploy: may this consumer run beside this producer? No broker needed.

Two kinds of evidence, used together when both exist:

* **schemas**: for every task kind the producer sends, a reader with the
  consumer's schema must read everything the producer's schema allows
  (BACKWARD from producer to consumer, whichever version is newer);
* **recordings**: every message the producer's tests really sent must
  validate under the consumer's pinned contract and decode with this code.

The producer is a released version or a recording file; the consumer is a
released version. Findings name the kind, the field and the fix.
"""

from __future__ import annotations

import enum
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edu_contracts.compat import CompatibilityMode, compare
from edu_contracts.errors import EduContractsError, MessageDecodeError
from edu_contracts.findings.model import Counterexample, Finding, Report, Subject, Verdict
from edu_contracts.findings.modes import Direction
from edu_contracts.registry import ContractStore, default_store
from edu_contracts.registry.validate import validate_message
from edu_contracts.workflows.recording import RecordedMessage, read_recording

__all__ = ["DeployChange", "can_i_deploy"]


class DeployChange(enum.Enum):
    """What can-i-deploy finds beyond the schema engine's own change kinds."""

    TASK_KIND_UNKNOWN = "TASK_KIND_UNKNOWN"
    """The producer sends a kind the consumer's contract does not have."""
    RECORDED_MESSAGE_INVALID = "RECORDED_MESSAGE_INVALID"
    """A recorded message breaks the consumer's pinned contract."""
    RECORDED_MESSAGE_UNDECODABLE = "RECORDED_MESSAGE_UNDECODABLE"
    """A recorded message does not decode with this code."""


@dataclass
class _Evidence:
    """Findings gathered per subject while checking; frozen into a ``Verdict`` at the end."""

    producer: str
    consumer: str
    checked: list[str] = field(default_factory=list)
    findings: dict[str, list[Finding]] = field(default_factory=lambda: defaultdict(list))
    versions: dict[str, str] = field(default_factory=dict)

    def add(self, subject: str, version: str, finding: Finding) -> None:
        self.versions.setdefault(subject, version)
        self.findings[subject].append(finding)

    def verdict(self) -> Verdict:
        subjects = tuple(
            Subject(
                name,
                CompatibilityMode.BACKWARD,
                (self.versions[name],),
                Report(tuple(found), CompatibilityMode.BACKWARD),
            )
            for name, found in sorted(self.findings.items())
        )
        return Verdict(
            "can-i-deploy",
            f"producer {self.producer} -> consumer {self.consumer}",
            subjects,
            baseline=self.consumer,
            checked=tuple(self.checked),
        )


def _breaking(
    change: enum.Enum, where: str, message: str, safe_path: str, example: Any = None
) -> Finding:
    return Finding(
        change=change,
        pointer=where,
        message=message,
        breaks=Direction.BACKWARD.breaks,
        direction=Direction.BACKWARD,
        safe_path=safe_path,
        compatible=False,
        example=None if example is None else Counterexample(example, message),
    )


def _compare_versions(
    evidence: _Evidence, store: ContractStore, producer: str, consumer: str
) -> None:
    produced = store.task_schemas(producer)
    consumed = store.task_schemas(consumer)
    for kind, writer in sorted(produced.items()):
        subject = f"messages/{kind}"
        reader = consumed.get(kind)
        if reader is None:
            evidence.add(
                subject,
                producer,
                _breaking(
                    DeployChange.TASK_KIND_UNKNOWN,
                    "#/properties/type",
                    f"consumer {consumer} does not know task kind {kind!r}, which producer "
                    f"{producer} sends",
                    f"deploy a consumer that handles {kind} before the producer that sends it",
                ),
            )
            continue
        report = compare(writer, reader, CompatibilityMode.BACKWARD)
        evidence.checked.append(f"{subject}: schema {producer} -> {consumer}")
        for finding in report.breaking:
            evidence.add(subject, producer, finding)


def _check_recording(
    evidence: _Evidence, store: ContractStore, messages: list[RecordedMessage], consumer: str
) -> None:
    from edu_contracts.queue.codec import decode_json

    for recorded in messages:
        subject = f"messages/{recorded.type}"
        version = recorded.contract_version or "the recording"
        if recorded.undecodable is not None:
            bad = recorded.undecodable
            at = f" at {bad.where}" if bad.where else ""
            evidence.add(
                subject,
                version,
                _breaking(
                    DeployChange.RECORDED_MESSAGE_UNDECODABLE,
                    recorded.where,
                    f"{recorded.test or 'the producer'} put a message on its queue that does not "
                    f"decode: {bad.error}{at}: {bad.detail}",
                    "build messages with edu_contracts.schemas.queue and send them with "
                    "TaskQueue/AsyncTaskQueue (or edu_contracts.queue.encode)",
                    bad.text[:200],
                ),
            )
            continue
        for violation in validate_message(recorded.body, consumer, store=store)[:3]:
            evidence.add(
                subject,
                version,
                _breaking(
                    DeployChange.RECORDED_MESSAGE_INVALID,
                    f"{recorded.where} {violation.pointer}",
                    f"a message recorded by {recorded.test or 'the producer'} breaks consumer "
                    f"contract {consumer}: {violation.message} (rule: {violation.rule})",
                    "keep sending what the consumer's contract allows until consumers that "
                    "accept the change are deployed",
                    recorded.body,
                ),
            )
        try:
            decode_json(json.dumps(recorded.body).encode())
        except MessageDecodeError as exc:
            evidence.add(
                subject,
                version,
                _breaking(
                    DeployChange.RECORDED_MESSAGE_UNDECODABLE,
                    f"{recorded.where} {exc.where or ''}".strip(),
                    f"does not decode with this code: {exc.message}",
                    exc.fix or "",
                    recorded.body,
                ),
            )
    kinds = sorted({m.type for m in messages})
    evidence.checked.append(
        f"recording: {len(messages)} message(s) of {len(kinds)} kind(s) against {consumer}"
    )


def can_i_deploy(producer: str, consumer: str, *, store: ContractStore | None = None) -> Verdict:
    """The verdict for ``producer`` (version or recording path) beside ``consumer`` (version)."""
    store = store or default_store()
    store.folder(consumer)  # unknown consumer version: VersionError, exit 2
    evidence = _Evidence(producer=producer, consumer=consumer)
    path = Path(producer)
    if path.suffix in {".jsonl", ".json", ".ndjson"} or path.exists():
        messages = read_recording(path)
        _check_recording(evidence, store, messages, consumer)
        released = {str(v) for v in store.versions()}
        for version in sorted({m.contract_version for m in messages if m.contract_version}):
            if version in released and version != consumer:
                _compare_versions(evidence, store, version, consumer)
    else:
        try:
            store.folder(producer)
        except EduContractsError as exc:
            raise type(exc)(
                f"producer {producer!r} is neither a released version nor a recording file",
                where=exc.where,
                fix="pass a version like 1.0.0 or the path of a --edu-record file",
            ) from exc
        _compare_versions(evidence, store, producer, consumer)
    return evidence.verdict()
