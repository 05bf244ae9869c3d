"""``edu-contracts compat`` fed broken files: exit 2, a clear error, never a traceback.

Run as the real console script in a subprocess, as CI would call it. Every
broken file is tried in both positions (OLD and NEW) against a valid schema.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

VALID = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}


def _big(path: Path) -> None:
    """50 MB of valid JSON: the size alone must be refused, quickly."""
    with path.open("w") as fh:
        fh.write('{"type": "object", "description": "')
        chunk = "x" * (1024 * 1024)
        for _ in range(50):
            fh.write(chunk)
        fh.write('"}')


BROKEN: dict[str, Callable[[Path], None]] = {
    "empty": lambda p: p.write_text(""),
    "whitespace": lambda p: p.write_text(" \n\t\n"),
    "not_json": lambda p: p.write_text("type: object\nproperties: {}\n"),
    "truncated_json": lambda p: p.write_text(json.dumps(VALID)[:-7]),
    "not_utf8": lambda p: p.write_bytes(b'{"type": "\xff\xfe object"}'),
    "array": lambda p: p.write_text("[1, 2, 3]"),
    "string": lambda p: p.write_text('"a schema"'),
    "null": lambda p: p.write_text("null"),
    "wrong_type_keyword": lambda p: p.write_text('{"type": 5}'),
    "dangling_ref": lambda p: p.write_text('{"$ref": "#/$defs/missing"}'),
    "deep_nesting": lambda p: p.write_text('{"items": ' * 5000 + "{}" + "}" * 5000),
    "50MB": _big,
    "missing_file": lambda p: None,
    "directory": lambda p: p.mkdir(),
}
# Errors found in the schema rather than the file say "reader/writer schema";
# they need not repeat the file name (a finding, reported, not enforced).
SCHEMA_LEVEL = {"wrong_type_keyword", "dangling_ref"}

# Files that are JSON objects but not schemas: refused only once compat checks
# schemas against the 2020-12 meta-schema and resolves $ref chains to a schema.
NOT_SCHEMAS: dict[str, object] = {
    "properties_not_object": {"type": "object", "properties": []},
    "ref_to_root": {"$ref": "#"},
    "ref_cycle": {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                  "$ref": "#/$defs/a"},
    "ref_self_property": {"type": "object", "properties": {"x": {"$ref": "#/properties/x"}}},
}  # fmt: skip


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("edu-contracts")
    if script.exists():
        return [str(script)]
    found = shutil.which("edu-contracts")
    if found is None:
        pytest.skip("the edu-contracts console script is not installed")
    return [found]


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_cli(), "compat", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def compat_registered() -> None:
    result = subprocess.run([*_cli(), "--help"], capture_output=True, text=True, timeout=60)
    if " compat" not in result.stdout:
        pytest.skip("`edu-contracts compat` is not registered yet")


def _check(result: subprocess.CompletedProcess[str], name: str, label: str) -> str | None:
    output = result.stdout + result.stderr
    if result.returncode != 2:
        return f"{label}: exit {result.returncode}, expected 2: {output[-500:]}"
    if "Traceback" in output:
        return f"{label}: traceback printed: {output[-800:]}"
    if "error" not in result.stderr.lower():
        return f"{label}: no error on stderr: {output[-500:]}"
    if name not in output and name.removesuffix(".json") not in SCHEMA_LEVEL:
        return f"{label}: the error does not name the file {name}: {output[-500:]}"
    return None


@pytest.mark.usefixtures("compat_registered")
def test_broken_files_exit_2_with_a_clear_error(tmp_path: Path) -> None:
    valid = tmp_path / "valid.json"
    valid.write_text(json.dumps(VALID))
    jobs: list[tuple[str, str, list[str]]] = []
    for name, make in BROKEN.items():
        path = tmp_path / f"{name}.json"
        make(path)
        jobs.append((path.name, f"{name} as NEW", [str(valid), str(path)]))
        jobs.append((path.name, f"{name} as OLD", [str(path), str(valid)]))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda job: _run(job[2]), jobs))
    problems = [
        problem
        for (name, label, _), result in zip(jobs, results, strict=True)
        if (problem := _check(result, name, label)) is not None
    ]
    print(f"\ncompat CLI: {len(jobs) - len(problems)} of {len(jobs)} broken inputs exit 2 cleanly")
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("compat_registered")
@pytest.mark.parametrize("loop", sorted(NOT_SCHEMAS))
def test_non_schemas_exit_2_with_a_clear_error(tmp_path: Path, loop: str) -> None:
    valid = tmp_path / "valid.json"
    valid.write_text(json.dumps(VALID))
    path = tmp_path / f"{loop}.json"
    path.write_text(json.dumps(NOT_SCHEMAS[loop]))
    problems = [
        problem
        for label, args in ((f"{loop} as NEW", [str(valid), str(path)]),
                            (f"{loop} as OLD", [str(path), str(valid)]))
        if (problem := _check(_run(args), path.name, label)) is not None
    ]  # fmt: skip
    assert not problems, "\n".join(problems)
