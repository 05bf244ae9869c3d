"""Every command reports through one finding model: text and JSON say the same things.

For each command that judges compatibility, a breaking change is run twice,
once per format; every breaking finding in the JSON (its place, its change,
who breaks, the safe path) must also be in the text a person reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from edu_contracts.cli import main
from edu_contracts.registry import ContractStore
from edu_contracts.workflows.recording import record_line

Args = Callable[[Path, ContractStore], list[str]]


def _at(store: ContractStore) -> list[str]:
    return [str(store.root)]


def _compat(tmp: Path, _store: ContractStore) -> list[str]:
    old = {"type": "object", "properties": {"id": {"type": "string"}}}
    new = {**old, "required": ["id"]}
    (tmp / "old.json").write_text(json.dumps(old))
    (tmp / "new.json").write_text(json.dumps(new))
    return ["compat", str(tmp / "old.json"), str(tmp / "new.json"), "--mode", "full"]


def _diff(_tmp: Path, store: ContractStore) -> list[str]:
    return ["diff", "1.0.0", "2.0.0", "--contracts", str(store.root)]


def _deploy_versions(_tmp: Path, store: ContractStore) -> list[str]:
    return [
        "can-i-deploy",
        "--producer",
        "1.0.0",
        "--consumer",
        "2.0.0",
        "--contracts",
        *_at(store),
    ]


def _deploy_recording(tmp: Path, store: ContractStore) -> list[str]:
    body: dict[str, Any] = {
        "type": "document_processing",
        "data": {"document_id": "not-a-uuid", "project_id": "x", "user_id": "y"},
    }
    path = tmp / "rec.jsonl"
    path.write_text(record_line(body, test="t::producer") + "\n")
    return [
        "can-i-deploy",
        "--producer",
        str(path),
        "--consumer",
        "1.0.0",
        "--contracts",
        *_at(store),
    ]


def _same_findings_in_both(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text_code = main(args)
    text = capsys.readouterr().out
    json_code = main([*args, "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert text_code == json_code == 1
    assert data["format"] == 2
    assert data["ok"] is False
    shown = [
        (subject["subject"], finding)
        for subject in data["subjects"]
        for finding in subject["report"]["findings"]
        if not finding["compatible"] or data["fail_on"] == "any"
    ]
    assert shown, data
    for subject, finding in shown:
        assert subject in text
        assert finding["change"] in text
        assert finding["pointer"] in text
        if not finding["compatible"]:
            assert finding["breaks"] in text
            assert finding["safe_path"] in text
    assert data["title"] in text


@pytest.mark.parametrize(
    "make_args",
    [_compat, _diff, _deploy_versions, _deploy_recording],
    ids=["compat", "diff", "can-i-deploy-versions", "can-i-deploy-recording"],
)
def test_text_and_json_carry_the_same_findings(
    make_args: Args,
    tmp_path: Path,
    store_with_breaking_release: ContractStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _same_findings_in_both(make_args(tmp_path, store_with_breaking_release), capsys)


def test_drift_text_and_json_carry_the_same_findings(
    edu_postgres: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlalchemy as sa

    from edu_contracts.db import migrate

    url = edu_postgres.create_database("render_drift")
    migrate.upgrade(url)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE notes ALTER COLUMN title TYPE varchar(50)"))
        conn.execute(sa.text("ALTER TABLE chats ADD COLUMN hand_made text"))
    engine.dispose()
    _same_findings_in_both(["drift", "--url", url], capsys)


MIGRATION_CORPUS = Path(__file__).parent.parent / "migrations" / "corpus"


def test_migrations_lint_text_and_json_carry_the_same_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    versions = str(MIGRATION_CORPUS / "versions")
    args = ["migrations", "lint", "--versions", versions, "--to", "bad_constraint_not_valid"]
    _same_findings_in_both(args, capsys)


def test_migrations_rehearse_text_and_json_carry_the_same_findings(
    edu_postgres: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "migrations", "rehearse", "--url", edu_postgres.admin_url, "--scenario", "tiny",
        "--versions", str(MIGRATION_CORPUS / "versions"), "--to", "bad_drop_in_use",
    ]  # fmt: skip
    _same_findings_in_both(args, capsys)
