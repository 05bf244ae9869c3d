"""Hostile and odd inputs: every one gets a verdict or a clean exit 2, never a hang or traceback.

Issue 16, points 11 and 12 (the compat part): catastrophic regular
expressions, huge bounds in the counterexample generator, integers past
Python's 4,300-digit limit, property names with lone surrogates or rich
markup. Hangs are bounded by running the CLI in a subprocess with a
generous timeout (a hang fails the test; the time is not asserted).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from edu_contracts.cli import main
from edu_contracts.compat import RuleSet, compare

_MAIN = "import sys; from edu_contracts.cli import main; sys.exit(main(sys.argv[1:]))"
EVIL = "^(a+)+$"
EVIL_NAME = "a" * 40 + "!"

HOSTILE = [
    (
        "evil pattern changed",
        {"type": "string", "pattern": EVIL},
        {"type": "string", "pattern": "^(a|aa)+$"},
    ),
    (
        "evil pattern added",
        {"type": "string", "maxLength": 64},
        {"type": "string", "pattern": EVIL},
    ),
    (
        "evil patternProperties over a long declared name",
        {"type": "object", "properties": {EVIL_NAME: {"type": "string"}}},
        {
            "type": "object",
            "properties": {EVIL_NAME: {"type": "string"}},
            "patternProperties": {EVIL: {"type": "integer"}, "(x+x+)+y": {"type": "integer"}},
        },
    ),
    (
        "minLength 10**12",
        {"type": "string", "minLength": 10**12},
        {"type": "string", "minLength": 10**12 + 1},
    ),
    (
        "minItems 10**12",
        {"type": "array", "minItems": 10**12},
        {"type": "array", "minItems": 10**12, "items": {"type": "null"}},
    ),
    (
        "bounds near the float limit",
        {"type": "number", "minimum": -1.7e308, "maximum": 1.7e308},
        {"type": "number", "maximum": 1e308},
    ),
    (
        "tiny step",
        {"type": "number", "multipleOf": 1e-300},
        {"type": "number", "multipleOf": 3e-300},
    ),
    (
        "integer of 4,000 digits",
        {"type": "integer", "minimum": 10**4000},
        {"type": "integer", "minimum": 10**4000 + 1},
    ),
]


@pytest.mark.parametrize("rules", ["strict", "semantic"])
@pytest.mark.parametrize(("label", "old", "new"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_schemas_get_a_verdict_in_bounded_time(
    tmp_path: Path, label: str, old: Any, new: Any, rules: str
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(old), encoding="utf-8")
    b.write_text(json.dumps(new), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _MAIN,
            "compat",
            str(a),
            str(b),
            "--rules",
            rules,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout or "null") or pytest.fail(done.stderr)
    assert report["compatible"] is (done.returncode == 0)
    assert "Traceback" not in done.stderr


def test_an_integer_past_the_digit_limit_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.json"
    big.write_text('{"minimum": ' + "9" * 5000 + "}", encoding="utf-8")
    assert main(["compat", str(big), str(big)]) == 2
    err = capsys.readouterr().err
    assert "4,300 digits" in err
    assert "ValueError" not in err


NAMES = ["a[/]b", "[bold]x[/bold]", "\ud800lone", "x\udfffy", "[link=http://x]y"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_odd_property_names_render_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, fmt: str
) -> None:
    old = {"type": "object", "properties": {name: {"type": "string"}}, "required": [name]}
    new = {"type": "object", "properties": {name: {"type": "integer"}}, "required": [name]}
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(old), encoding="utf-8")
    b.write_text(json.dumps(new), encoding="utf-8")
    assert main(["compat", str(a), str(b), "--format", fmt, "--rules", "semantic"]) == 1
    out = capsys.readouterr().out
    visible = name.encode("utf-8", "backslashreplace").decode("utf-8")
    if fmt == "json":
        report = json.loads(out)["subjects"][0]["report"]
        assert report["findings"][0]["example"] is not None
    else:
        assert visible.replace("\\", "") in out.replace("\\", "").replace("\n", "") or "[" in out


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [("true", "true", 0), ("true", "false", 1), ("false", "{}", 0), ("{}", "false", 1)],
)
def test_boolean_schema_files_are_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, code: int
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(old, encoding="utf-8")
    b.write_text(new, encoding="utf-8")
    for rules in ("strict", "semantic"):
        assert main(["compat", str(a), str(b), "--rules", rules]) == code
        capsys.readouterr()
        assert main(["compat", str(a), str(b), "--rules", rules, "--format", "json"]) == code
        report = json.loads(capsys.readouterr().out)["subjects"][0]["report"]
        assert report["dialect"] == "2020-12 (default)"


def test_dialect_option_reaches_the_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = tmp_path / "d4.json"
    schema.write_text(
        json.dumps({"type": "number", "maximum": 3, "exclusiveMaximum": True}), "utf-8"
    )
    assert main(["compat", str(schema), str(schema)]) == 2
    assert "--dialect" in capsys.readouterr().err
    assert main(["compat", str(schema), str(schema), "--dialect", "draft-04"]) == 0


def test_api_surrogates_and_huge_ints_do_not_escape() -> None:
    odd = {"type": "object", "properties": {"\ud800": {"const": 10**5000}}}
    for rules in RuleSet:
        report = compare(odd, {"type": "object"}, rules=rules)
        assert report.compatible
