"""``edu-contracts compat`` fed broken files: exit 2, a clear error, never a traceback.

Run as the real console script in a subprocess, as CI would call it. Every
broken file is tried in both positions (OLD and NEW) against a valid schema.
"""

from __future__ import annotations

import builtins
import json
import os
import re
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


# --- every command that reads or writes a file (issue 16, point 12) --------------------------
#
# Each shape runs the real console script with a timeout: a hang fails the shape
# instead of the suite. Every one must exit 2 and print what / where / fix,
# and never a traceback or a Python exception name in place of an explanation.

NO_DB = "postgresql://nobody@127.0.0.1:1/never_contacted"
SECRET = "s3cr3t-Pw"
"""A password some inputs carry: no output may show it."""
_EXCEPTION_NAMES = {
    name
    for name in dir(builtins)
    if isinstance(getattr(builtins, name), type)
    and issubclass(getattr(builtins, name), BaseException)
} | {"JSONDecodeError", "TOMLDecodeError", "Traceback"}


def _refusal(args: list[str], label: str, expect_in: str | None) -> str | None:
    """None when the command refused cleanly, else what went wrong."""
    try:
        result = subprocess.run([*_cli(), *args], capture_output=True, text=True, timeout=90)
    except subprocess.TimeoutExpired:
        return f"{label}: still running after 90 s (a hang)"
    output = result.stdout + result.stderr
    words = set(re.findall(r"[A-Za-z_]+", output))
    if result.returncode != 2:
        return f"{label}: exit {result.returncode}, expected 2: {output[-600:]}"
    if SECRET in output:
        return f"{label}: the password is shown: {output[-600:]}"
    if words & _EXCEPTION_NAMES:
        return f"{label}: shows {sorted(words & _EXCEPTION_NAMES)}: {output[-600:]}"
    for part in ("error:", "where:", "fix:"):
        if part not in result.stderr:
            return f"{label}: no {part!r} on stderr: {output[-600:]}"
    if expect_in is not None and expect_in not in output:
        return f"{label}: the error does not name {expect_in!r}: {output[-600:]}"
    return None


def _run_shapes(jobs: list[tuple[str, list[str], str | None]], what: str) -> None:
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda job: _refusal(job[1], job[0], job[2]), jobs))
    problems = [p for p in results if p is not None]
    print(f"\n{what}: {len(jobs) - len(problems)} of {len(jobs)} shapes exit 2 cleanly")
    assert not problems, "\n".join(problems)


def _input_paths(tmp_path: Path, suffix: str) -> dict[str, Path]:
    """Paths that are not regular files a command may read, each with ``suffix``."""
    fifo = tmp_path / f"fifo{suffix}"
    os.mkfifo(fifo)
    paths = {"a FIFO": fifo}
    for name, target in (("zero", "/dev/zero"), ("urandom", "/dev/urandom"), ("null", "/dev/null"),
                         ("dangling", str(tmp_path / "nothing-here"))):  # fmt: skip
        link = tmp_path / f"{name}-link{suffix}"
        link.symlink_to(target)
        paths[f"a symlink to {target}"] = link
    folder = tmp_path / f"folder{suffix}"
    folder.mkdir()
    paths["a folder"] = folder
    huge = tmp_path / f"huge{suffix}"
    with huge.open("wb") as handle:
        handle.truncate(80 * 2**20)  # sparse: costs no disk, still over every limit
    paths["a sparse 80 MiB file"] = huge
    return paths


def test_devices_pipes_and_folders_as_inputs_exit_2_without_hanging(tmp_path: Path) -> None:
    valid = tmp_path / "valid.json"
    valid.write_text(json.dumps(VALID))
    for sub in ("json", "jsonl", "toml"):
        (tmp_path / sub).mkdir()
    jobs: list[tuple[str, list[str], str | None]] = []
    for kind, path in _input_paths(tmp_path / "json", ".json").items():
        jobs.append((f"compat OLD {kind}", ["compat", str(path), str(valid)], path.name))
        jobs.append((f"compat NEW {kind}", ["compat", str(valid), str(path)], path.name))
    for kind, path in _input_paths(tmp_path / "jsonl", ".jsonl").items():
        args = ["can-i-deploy", "--producer", str(path), "--consumer", "1.0.0"]
        jobs.append((f"can-i-deploy {kind}", args, path.name))
    for kind, path in _input_paths(tmp_path / "toml", ".toml").items():
        args = ["seed", "--url", NO_DB, "--scenario", str(path)]
        jobs.append((f"seed {kind}", args, path.name))
    jobs.append(("compat /dev/zero itself", ["compat", "/dev/zero", str(valid)], "/dev/zero"))
    jobs.append(("compat a /proc file", ["compat", "/proc/self/status", str(valid)], "status"))
    _run_shapes(jobs, "inputs that are not regular files")


def _envelope(body: object) -> str:
    return json.dumps({"format": 1, "type": "document_processing", "test": "t", "body": body})


_GOOD_BODY = {
    "type": "document_processing",
    "data": {
        "document_id": "6b1f7a52-51a4-4a57-a8a8-1f3e0c3a8a11",
        "project_id": "1e0a9c55-3a8e-4c1b-9d6c-9f7e2b1c4d22",
        "user_id": "0c7d3f4e-8a2b-4e6f-b1c9-5d8e7f6a9b33",
    },
}
DEEP = 100_000
RECORDINGS: dict[str, bytes] = {
    "a line of arrays 100,000 deep": b"[" * DEEP + b"]" * DEEP,
    "a line of objects 100,000 deep": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "a body nested 100,000 deep": ('{"body": ' + '{"x": ' * DEEP + "1" + "}" * DEEP + "}").encode(),
    "a body nested 150 deep (parses, too deep to validate)": _envelope(
        json.loads("[" * 150 + "]" * 150)
    ).encode(),
    "data nested 500 deep": _envelope(
        {"type": "document_processing", "data": json.loads('{"a": ' * 500 + "1" + "}" * 500)}
    ).encode(),
    "a deep line after a good one": (_envelope(_GOOD_BODY) + "\n").encode()
    + b"[" * DEEP + b"]" * DEEP,
    "a 5,000-digit number": _envelope({**_GOOD_BODY, "n": 0})
    .replace('"n": 0', '"n": ' + "9" * 5000).encode(),
    "not UTF-8": _envelope(_GOOD_BODY).encode().replace(b"document_processing", b"docum\xe9nt", 1),
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "a body that is not an object": _envelope([1, 2, 3]).encode(),
}  # fmt: skip


def test_hostile_recordings_exit_2_naming_the_file(tmp_path: Path) -> None:
    jobs: list[tuple[str, list[str], str | None]] = []
    for number, (label, content) in enumerate(RECORDINGS.items()):
        path = tmp_path / f"rec{number}.jsonl"
        path.write_bytes(content)
        args = ["can-i-deploy", "--producer", str(path), "--consumer", "1.0.0"]
        jobs.append((f"recording: {label}", args, path.name))
    _run_shapes(jobs, "hostile recordings")


TOML_DEEP = 30_000
_TINY = (Path(__file__).parents[2] / "edu_contracts/seed/scenarios/tiny.toml").read_text()
SCENARIOS: dict[str, bytes] = {
    "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "NUL in otherwise good TOML": _TINY.replace("[counts]", "[counts]\x00", 1).encode(),
    "not UTF-8 (latin-1)": _TINY.replace("description", "# d\xe9j\xe0 vu\ndescription", 1)
    .encode("latin-1"),
    "UTF-16": _TINY.encode("utf-16"),
    "an array nested 100,000 deep (over the size limit)": b"a = " + b"[" * DEEP + b"]" * DEEP,
    "an array nested 30,000 deep on one line": b"a = " + b"[" * TOML_DEEP + b"]" * TOML_DEEP,
    "an array nested 3,000 deep over many lines": b"a = " + b"[\n" * 3000 + b"]\n" * 3000,
    "an inline table nested 10,000 deep": b"a = " + b"{b = " * 10_000 + b"1" + b"}" * 10_000,
    "a dotted key 30,000 deep (minutes in the parser)": b"[" + b".".join([b"k"] * TOML_DEEP)
    + b"]\n",
    "a count that is a table 30,000 deep": _TINY.replace(
        "users = 1", "users.k" + ".k" * TOML_DEEP + " = 1", 1).encode(),
    "a count that is a table 300 deep": _TINY.replace(
        "users = 1", "users.k" + ".k" * 300 + " = 1", 1).encode(),
    "many 300-deep dotted keys": "\n".join(
        f"k{i}." + ".".join(["k"] * 300) + " = 1" for i in range(20)).encode(),
    "a 5,000-digit count": _TINY.replace("users = 1", "users = " + "9" * 5000, 1).encode(),
    "a billion users": _TINY.replace("users = 1", "users = 1_000_000_000", 1).encode(),
    "counts that multiply past the limit": re.sub(
        r"^(users|projects|documents|segments) = \d+", r"\1 = 900", _TINY, flags=re.M
    ).encode(),
    "a million chat turns": _TINY.replace("chat_turns = ", "chat_turns = 1000000 #", 1).encode(),
    "a negative count": _TINY.replace("users = 1", "users = -1", 1).encode(),
    "a fractional count": _TINY.replace("users = 1", "users = 1.5", 1).encode(),
    "a boolean count": _TINY.replace("users = 1", "users = true", 1).encode(),
    "spread = inf": _TINY.replace("spread = ", "spread = inf #", 1).encode(),
    "spread = nan": _TINY.replace("spread = ", "spread = nan #", 1).encode(),
    "share = nan": _TINY.replace("share = ", "share = nan #", 1).encode(),
    "counts as a number": b"counts = 5\n",
    "counts as an array": b"counts = [1, 2]\n",
    "description as a table": b"[description]\na = 1\n",
    "a description of 100,000 characters": ('description = "' + "x" * 100_000 + '"\n').encode(),
    "not TOML": b"users: 1\nprojects: 2\n",
    "empty": b"",
}  # fmt: skip


def test_hostile_seed_scenarios_exit_2_before_any_database_is_touched(tmp_path: Path) -> None:
    assert "users = 1 " in _TINY, "the shapes below edit tiny.toml's users line"
    jobs: list[tuple[str, list[str], str | None]] = []
    for number, (label, content) in enumerate(SCENARIOS.items()):
        path = tmp_path / f"scenario{number}.toml"
        path.write_bytes(content)
        jobs.append((f"scenario: {label}", ["seed", "--url", NO_DB, "--scenario", str(path)], None))
    _run_shapes(jobs, "hostile seed scenarios")


def test_export_into_an_unwritable_place_exits_2(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("I am a file")
    places = {
        "below a regular file": a_file / "out",
        "a regular file": a_file,
        "in /proc": Path("/proc/edu-contracts-export-test"),
        "below /dev/null": Path("/dev/null/out"),
        "in /sys": Path("/sys/edu-contracts-export-test"),
        "a name too long for the file system": tmp_path / ("x" * 300),
    }
    jobs: list[tuple[str, list[str], str | None]] = [
        (f"export --out {label}", ["export", "--out", str(path)], None)
        for label, path in places.items()
    ]
    _run_shapes(jobs, "export into unwritable places")
    assert a_file.read_text() == "I am a file"


URLS = {
    "a port that is not a number": f"postgresql://u:{SECRET}@127.0.0.1:abc/db",
    "a port out of range": f"postgresql://u:{SECRET}@127.0.0.1:99999/db",
    "the asyncpg driver": f"postgresql+asyncpg://u:{SECRET}@127.0.0.1:1/db",
    "psycopg's async driver": f"postgresql+psycopg_async://u:{SECRET}@127.0.0.1:1/db",
    "a driver that is not installed": f"postgresql+nosuchdriver://u:{SECRET}@127.0.0.1:1/db",
    "a dotted driver name": f"postgresql+no.such://u:{SECRET}@127.0.0.1:1/db",
    "not a URL": f"::{SECRET}::",
}


def test_unusable_database_urls_exit_2_without_showing_the_password() -> None:
    jobs: list[tuple[str, list[str], str | None]] = []
    for label, url in URLS.items():
        for command in (["seed", "--scenario", "tiny"], ["export"], ["drift"], ["db", "current"]):
            jobs.append((f"{' '.join(command)}: {label}", [*command, "--url", url], "--url"))
    _run_shapes(jobs, "unusable database URLs")
