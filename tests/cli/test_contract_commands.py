"""The contract commands end to end: exit codes 0/1/2, text and JSON output, bad input.

Commands run in-process through ``main`` (as the console script does), so a
traceback would fail the test instead of scrolling past.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from edu_contracts.cli import main
from edu_contracts.cli.compat import MODES, RULES
from edu_contracts.db import migrate
from edu_contracts.findings.modes import CompatibilityMode, RuleSet
from edu_contracts.registry import PACKAGED_CONTRACTS

OLD = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "user_id": {"type": "string"}},
    "required": ["id", "user_id"],
}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _write(tmp_path: Path, name: str, value: Any) -> str:
    path = tmp_path / name
    path.write_text(value if isinstance(value, str) else json.dumps(value))
    return str(path)


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    root = tmp_path / "contracts"
    shutil.copytree(PACKAGED_CONTRACTS, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_mode_and_rule_choices_match_the_engine() -> None:
    assert [m.value.lower() for m in CompatibilityMode] == list(MODES)
    assert [r.value.lower() for r in RuleSet] == list(RULES)


# --- check / lock / diff ----------------------------------------------------------------


def test_check_passes_on_main(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "check")
    assert code == 0, out
    assert "messages/document_processing" in out
    assert "FULL_TRANSITIVE" in out
    assert "current code vs 1.0.0: compatible" in out


def test_check_json_is_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "check", "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["format"] == 2
    assert data["command"] == "check"
    assert data["compatible"] is True
    assert data["ok"] is True
    assert data["baseline"] == "1.0.0"
    modes = {s["subject"]: s["mode"] for s in data["subjects"]}
    assert modes["tables"] == "BACKWARD"
    assert modes["messages/document_processing"] == "FULL_TRANSITIVE"
    assert set(data["summary"]) == {"subjects", "incompatible", "breaking_findings", "findings"}


def test_lock_verify(capsys: pytest.CaptureFixture[str], contracts: Path) -> None:
    assert _run(capsys, "lock", "--verify")[0] == 0
    target = contracts / "1.0.0" / "messages" / "quiz_generation.json"
    target.write_text(target.read_text().replace('"count"', '"cnt"', 1))
    code, out, _ = _run(capsys, "lock", "--verify", "--contracts", str(contracts))
    assert code == 1
    assert "changed" in out
    assert "quiz_generation.json" in out
    code, out, _ = _run(capsys, "lock", "--contracts", str(contracts), "--format", "json")
    assert json.loads(out)["problems"] == [
        {"path": "1.0.0/messages/quiz_generation.json", "problem": "changed"}
    ]
    code, _, err = _run(capsys, "check", "--contracts", str(contracts))
    assert code == 2
    assert "quiz_generation.json" in err
    assert "Traceback" not in err


def test_diff(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "diff", "1.0.0", "current")
    assert code == 0
    assert "current vs 1.0.0" in out
    code, _, err = _run(capsys, "diff", "1.0.0", "7.0.0")
    assert code == 2
    assert "7.0.0 is not released" in err
    code, _, err = _run(capsys, "diff", "one", "current")
    assert code == 2
    assert "VERSION_A" in err


# --- release / export -------------------------------------------------------------------


def test_release_refuses_to_overwrite(capsys: pytest.CaptureFixture[str], contracts: Path) -> None:
    code, _, err = _run(capsys, "release", "1.0.0", "--contracts", str(contracts))
    assert code == 2
    assert "already exists" in err


def test_release_a_new_version(
    capsys: pytest.CaptureFixture[str], contracts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("edu_contracts.schemas.queue.CONTRACT_VERSION", "1.0.1")
    code, out, _ = _run(capsys, "release", "1.0.1", "--contracts", str(contracts))
    assert code == 0
    assert "released 1.0.1" in out
    assert _run(capsys, "lock", "--verify", "--contracts", str(contracts))[0] == 0


def test_export(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "export", "--out", str(tmp_path / "out"))
    assert code == 0
    assert (tmp_path / "out" / "tables.json").is_file()
    assert (tmp_path / "out" / "messages" / "queue_task_message.json").is_file()
    code, out, _ = _run(capsys, "export")
    assert "tables.json" in json.loads(out)


# --- compat -----------------------------------------------------------------------------


def test_compat_compatible_and_breaking(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    old = _write(tmp_path, "old.json", OLD)
    same = _write(tmp_path, "same.json", OLD)
    assert _run(capsys, "compat", old, same)[0] == 0
    loose = dict(OLD, required=["id"])
    new = _write(tmp_path, "new.json", loose)
    assert _run(capsys, "compat", old, new, "--mode", "backward")[0] == 0
    code, out, _ = _run(capsys, "compat", old, new, "--mode", "FULL")
    assert code == 1
    assert "BREAKING" in out
    assert "safe path" in out
    code, out, _ = _run(capsys, "compat", old, new, "--mode", "forward", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["compatible"] is False
    (subject,) = data["subjects"]
    assert subject["mode"] == "FORWARD"
    assert subject["against"] == [str(old)]
    assert any("user_id" in f["pointer"] for f in subject["report"]["findings"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "file not found"),
        ("", "file is empty"),
        ("{not json", "not JSON"),
        ("[1, 2, 3]", "expected a JSON object"),
    ],
    ids=["missing", "empty", "not-json", "wrong-shape"],
)
def test_compat_bad_input_is_exit_2_naming_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | None, expected: str
) -> None:
    good = _write(tmp_path, "good.json", OLD)
    bad = str(tmp_path / "bad.json") if content is None else _write(tmp_path, "bad.json", content)
    code, _, err = _run(capsys, "compat", good, bad)
    assert code == 2
    assert expected in err
    assert "bad.json" in err
    assert "Traceback" not in err


def test_compat_ref_loops_and_huge_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = _write(tmp_path, "good.json", OLD)
    loop = _write(
        tmp_path,
        "loop.json",
        {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"},
    )
    # Whether a pure reference cycle is "anything" or an error is the engine's
    # call; the command's promise is a verdict or a clear error, never a crash.
    code, _, err = _run(capsys, "compat", good, loop)
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    huge = tmp_path / "huge.json"
    huge.write_text('{"description": "' + "x" * (9 * 2**20) + '"}')
    code, _, err = _run(capsys, "compat", good, str(huge))
    assert code == 2
    assert "huge.json" in err


def test_usage_errors_are_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", OLD)
    with pytest.raises(SystemExit) as info:
        main(["compat", good, good, "--mode", "sideways"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["drift"])
    assert info.value.code == 2


# --- drift ------------------------------------------------------------------------------


def test_drift_on_a_migrated_database(
    capsys: pytest.CaptureFixture[str], edu_database_url: str
) -> None:
    code, out, _ = _run(capsys, "drift", "--url", edu_database_url)
    assert code == 0, out
    assert "no drift" in out
    assert _run(capsys, "drift", "--url", edu_database_url, "--against", "1.0.0")[0] == 0


def test_drift_finds_a_hand_made_change(
    capsys: pytest.CaptureFixture[str], edu_postgres: Any
) -> None:
    url = edu_postgres.create_database("cli_drift")
    migrate.upgrade(url)
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE documents ALTER COLUMN title TYPE varchar(100)"))
    engine.dispose()
    code, out, _ = _run(capsys, "drift", "--url", url)
    assert code == 1
    assert "documents.title" in out
    assert "narrowed" in out
    code, out, _ = _run(capsys, "drift", "--url", url, "--format", "json")
    data = json.loads(out)
    assert data["command"] == "drift"
    assert data["ok"] is False
    assert "password" not in data["title"]
    code, out, _ = _run(capsys, "export", "--url", url)
    columns = json.loads(out)["tables.json"]["tables"]["documents"]["columns"]
    assert columns["title"]["type"] == "VARCHAR(100)"


def test_drift_on_an_unreachable_database_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "drift", "--url", "postgresql://u:hunter2@127.0.0.1:1/db")
    assert code == 2
    assert "hunter2" not in err
    assert "cannot read the database schema" in err
