"""Services start before collection when the run's files name their fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from edu_contracts.testing import _early
from edu_contracts.testing._early import fixture_words

_PROBE = """
def pytest_collection(session):
    from edu_contracts.testing._state import run_state

    services = run_state(session.config)._services
    spawned = [
        name
        for name in ("postgres", "azurite")
        if services is not None and getattr(services, "_" + name).process is not None
    ]
    print("SPAWNED BEFORE COLLECTION:", ",".join(spawned) or "nothing")
"""


def test_the_files_given_and_their_conftests_are_read(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("def f(edu_async_queue): ...\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_a.py").write_text("def test_a(edu_session): ...\n")
    (tests / "helper.py").write_text("edu_postgres = 1\n")  # not a test file: not read
    hidden = tests / ".cache"
    hidden.mkdir()
    (hidden / "test_hidden.py").write_text("def test_h(edu_engine): ...\n")
    skipped = tests / "build"
    skipped.mkdir()
    (skipped / "test_built.py").write_text("def test_b(edu_azurite): ...\n")

    assert fixture_words([str(tests)], tmp_path, ["build"]) == {"edu_async_queue", "edu_session"}
    assert fixture_words([f"{tests / 'test_a.py'}::test_a"], tmp_path) == {
        "edu_async_queue",
        "edu_session",
    }


def test_a_tree_too_big_to_read_is_left_to_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_early, "MAX_FILES", 3)
    for n in range(4):
        (tmp_path / f"test_{n}.py").write_text("def test(edu_session): ...\n")
    assert fixture_words([str(tmp_path)], tmp_path) is None


@pytest.mark.parametrize(
    ("fixtures", "spawned"),
    [("edu_session", "postgres"), ("edu_session, edu_queue", "postgres,azurite"), ("", "nothing")],
    ids=["db", "db+queue", "none"],
)
def test_services_are_spawned_before_collection(
    pytester: pytest.Pytester, fixtures: str, spawned: str
) -> None:
    pytester.makeconftest(_PROBE)
    pytester.makepyfile(test_probe=f"def test_probe({fixtures}):\n    pass\n")
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"SPAWNED BEFORE COLLECTION: {spawned}"])
