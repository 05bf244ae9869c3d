"""The command line's last boundary: a foreign error that slipped past every reader is exit 2.

Every file and URL is checked before use (see ``tests/faults/test_fault_cli_files.py``),
so nothing real reaches this net today; the handler is replaced to raise
the error directly, the one fault that cannot be caused otherwise.
"""

from __future__ import annotations

import argparse
import errno

import pytest

from edu_contracts import cli


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (OSError(errno.EIO, "Input/output error", "/some/file"), "Input/output error"),
        (PermissionError(errno.EACCES, "Permission denied", "/etc/x"), "Permission denied"),
        (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
    ],
    ids=["io", "permission", "recursion"],
)
def test_a_foreign_error_at_the_boundary_is_exit_2_without_its_name(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: BaseException,
    expected: str,
) -> None:
    def handler(_args: argparse.Namespace) -> int:
        raise error

    monkeypatch.setattr("edu_contracts.cli.lock._handle", handler)
    code = cli.main(["lock", "--verify"])
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err
    assert "where:" in err
    assert "fix:" in err
    assert type(error).__name__ not in err
    assert "Traceback" not in err
