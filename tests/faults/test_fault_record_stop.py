"""``--edu-record`` never empties a foreign file; ``stop --all`` never stops another project's.

Both reproduce issue 16 (points 5 and 6): the recording used to be truncated
unconditionally, and ``stop --all`` stopped every project's kept services
in the per-user cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edu_contracts.cli import main
from edu_contracts.services._paths import CACHE_ENV
from edu_contracts.services._process import pid_alive
from edu_contracts.testing import reuse
from edu_contracts.workflows.recording import header_line

pytestmark = pytest.mark.usefixtures("inner_env")

FOREIGN = {
    "notes": "my notes, not a recording\n",
    "json": '{"some": "other tool\'s json lines"}\n{"x": 1}\n',
    "lookalike": '{"format": 1, "body": {}}\n',  # no header, not a full message line
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_a_foreign_file_is_refused_and_left_as_it_was(pytester: pytest.Pytester, kind: str) -> None:
    target = pytester.path / "out.jsonl"
    target.write_text(FOREIGN[kind])
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess(f"--edu-record={target}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "not a recording of edu-contracts" in result.stderr.str()
    assert "Traceback" not in result.stderr.str()
    assert target.read_text() == FOREIGN[kind]


def test_a_symlink_or_directory_is_refused(pytester: pytest.Pytester) -> None:
    victim = pytester.path / "victim.txt"
    victim.write_text("precious\n")
    link = pytester.path / "link.jsonl"
    link.symlink_to(victim)
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    for target in (link, pytester.path):
        result = pytester.runpytest_subprocess(f"--edu-record={target}")
        assert result.ret == pytest.ExitCode.USAGE_ERROR, result.stderr.str()
    assert victim.read_text() == "precious\n"


def test_our_recording_is_replaced_and_a_new_one_written(pytester: pytest.Pytester) -> None:
    old = pytester.path / "old.jsonl"
    old.write_text(header_line("00000000") + "\n")
    new = pytester.path / "sub" / "new.jsonl"
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    for target in (old, new):
        assert pytester.runpytest_subprocess(f"--edu-record={target}").ret == 0
        lines = target.read_text().splitlines()
        assert len(lines) == 1
        header = json.loads(lines[0])
        assert header["edu_contracts"] == "recording"
        assert header["run"] != "00000000"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private per-user cache: the real one's kept services are never touched."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def _kept(project: Path) -> list[subprocess.Popen[bytes]]:
    """A fake kept service set: two sleeping processes of ours, in a state file."""
    project.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) for _ in "ab"]
    state = {
        "postgres": {"host": "127.0.0.1", "port": 1},
        "azurite": {"queue_endpoint": "http://127.0.0.1:2/x"},
        "postgres_pid": procs[0].pid,
        "azurite_pid": procs[1].pid,
        "run_dirs": [],
        "rootdir": str(project.resolve()),
    }
    reuse.state_path(project).write_text(json.dumps(state))
    return procs


def test_stop_all_stops_this_project_only_unless_others_are_named(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    my_procs, their_procs = _kept(mine), _kept(theirs)
    try:
        assert main(["stop", "--all", "--rootdir", str(mine)]) == 0
        out = capsys.readouterr().out
        for proc in my_procs:
            proc.wait(10)
        assert all(pid_alive(p.pid) for p in their_procs), "another project's services stopped"
        assert f"stopped {mine.resolve()}" in out
        assert "1 other project(s) left running" in out

        assert main(["stop", "--list"]) == 0
        assert str(theirs.resolve()) in capsys.readouterr().out

        assert main(["stop", "--rootdir", str(mine), "--project", "theirs"]) == 0
        for proc in their_procs:
            proc.wait(10)
        assert f"stopped {theirs.resolve()}" in capsys.readouterr().out
        assert main(["stop", "--project", "nobody"]) == 2
    finally:
        for proc in my_procs + their_procs:
            if proc.poll() is None:
                os.kill(proc.pid, 9)
                proc.wait()
