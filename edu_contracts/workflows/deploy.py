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

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edu_contracts.compat import CompatibilityMode, compare
from edu_contracts.errors import EduContractsError, MessageDecodeError
from edu_contracts.registry import ContractStore, default_store
from edu_contracts.registry.validate import validate_message
from edu_contracts.workflows.recording import RecordedMessage, read_recording


@dataclass(frozen=True)
class DeployFinding:
    subject: str  # "messages/quiz_generation"
    where: str  # JSON pointer, or recording file:line
    message: str
    safe_path: str
    example: Any = None


@dataclass
class DeployVerdict:
    producer: str
    consumer: str
    checked: list[str] = field(default_factory=list)
    findings: list[DeployFinding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        """Stable JSON shape (format 1) for CI tools."""
        return {
            "format": 1,
            "producer": self.producer,
            "consumer": self.consumer,
            "deployable": self.ok,
            "checked": self.checked,
            "findings": [vars(f) for f in self.findings],
        }


def _compare_versions(
    verdict: DeployVerdict, store: ContractStore, producer: str, consumer: str
) -> None:
    produced = store.task_schemas(producer)
    consumed = store.task_schemas(consumer)
    for kind, writer in sorted(produced.items()):
        subject = f"messages/{kind}"
        reader = consumed.get(kind)
        if reader is None:
            verdict.findings.append(
                DeployFinding(
                    subject,
                    "#/properties/type",
                    f"consumer {consumer} does not know task kind {kind!r}, which producer "
                    f"{producer} sends",
                    f"deploy a consumer that handles {kind} before the producer that sends it",
                )
            )
            continue
        report = compare(writer, reader, CompatibilityMode.BACKWARD)
        verdict.checked.append(f"{subject}: schema {producer} -> {consumer}")
        for finding in report.breaking:
            verdict.findings.append(
                DeployFinding(
                    subject,
                    finding.pointer,
                    f"{finding.change.value}: {finding.message} (breaks {finding.breaks})",
                    finding.safe_path,
                    None if finding.example is None else finding.example.instance,
                )
            )


def _check_recording(
    verdict: DeployVerdict, store: ContractStore, messages: list[RecordedMessage], consumer: str
) -> None:
    from edu_contracts.queue.codec import decode

    for recorded in messages:
        subject = f"messages/{recorded.type}"
        for violation in validate_message(recorded.body, consumer, store=store)[:3]:
            verdict.findings.append(
                DeployFinding(
                    subject,
                    f"{recorded.where} {violation.pointer}",
                    f"a message recorded by {recorded.test or 'the producer'} breaks consumer "
                    f"contract {consumer}: {violation.message} (rule: {violation.rule})",
                    "keep sending what the consumer's contract allows until consumers that "
                    "accept the change are deployed",
                    recorded.body,
                )
            )
        try:
            decode(base64.b64encode(json.dumps(recorded.body).encode()).decode())
        except MessageDecodeError as exc:
            verdict.findings.append(
                DeployFinding(
                    subject,
                    f"{recorded.where} {exc.where or ''}".strip(),
                    f"does not decode with this code: {exc.message}",
                    exc.fix or "",
                    recorded.body,
                )
            )
    kinds = sorted({m.type for m in messages})
    verdict.checked.append(
        f"recording: {len(messages)} message(s) of {len(kinds)} kind(s) against {consumer}"
    )


def can_i_deploy(
    producer: str, consumer: str, *, store: ContractStore | None = None
) -> DeployVerdict:
    """The verdict for ``producer`` (version or recording path) beside ``consumer`` (version)."""
    store = store or default_store()
    store.folder(consumer)  # unknown consumer version: VersionError, exit 2
    verdict = DeployVerdict(producer=producer, consumer=consumer)
    path = Path(producer)
    if path.suffix in {".jsonl", ".json", ".ndjson"} or path.exists():
        messages = read_recording(path)
        _check_recording(verdict, store, messages, consumer)
        released = {str(v) for v in store.versions()}
        for version in sorted({m.contract_version for m in messages if m.contract_version}):
            if version in released and version != consumer:
                _compare_versions(verdict, store, version, consumer)
    else:
        try:
            store.folder(producer)
        except EduContractsError as exc:
            raise type(exc)(
                f"producer {producer!r} is neither a released version nor a recording file",
                where=exc.where,
                fix="pass a version like 1.0.0 or the path of a --edu-record file",
            ) from exc
        _compare_versions(verdict, store, producer, consumer)
    return verdict
