"""edu-contracts verify: the README's first command, end to end on real services."""

from __future__ import annotations

import pytest

from edu_contracts.cli import main
from edu_contracts.services._process import pid_alive
from edu_contracts.workflows import verify


def test_verify_proves_every_step_and_stops_its_services(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[verify.VerifyContext] = []
    original = verify.STEPS[0][1]

    def spy(ctx: verify.VerifyContext) -> str:
        seen.append(ctx)
        return original(ctx)

    monkeypatch.setattr(verify, "STEPS", [(verify.STEPS[0][0], spy), *verify.STEPS[1:]])
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    for name, _ in verify.STEPS:
        assert name in out
    assert "FAIL" not in out
    assert f"all {len(verify.STEPS) + 1} steps hold" in out  # + starting the services
    assert "Calvin" in out
    # everything it started is gone
    ctx = seen[0]
    assert not any(pid_alive(p) for p in _service_pids(ctx))


def _service_pids(ctx: verify.VerifyContext) -> list[int]:
    import subprocess

    ports = {ctx.services.postgres.port}
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [
        int(line.split()[0])
        for line in out.splitlines()
        if any(f"-p {port}" in line for port in ports)
    ]


def test_a_failing_step_fails_the_run_and_the_rest_still_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(ctx: verify.VerifyContext) -> str:
        raise AssertionError("the contract lock is broken on purpose")

    monkeypatch.setattr(verify, "STEPS", [("contract lock", broken), *verify.STEPS[1:3]])
    results = verify.run_verify()
    assert [r.ok for r in results] == [True, False, True, True]
    assert "broken on purpose" in results[1].detail


def test_a_skipped_step_is_never_counted_as_holding() -> None:
    from edu_contracts.cli.verify import summary
    from edu_contracts.workflows._context import StepResult

    held = StepResult("a", True, "proved", 0.1)
    skipped = StepResult("b", True, "could not run here", 0.0, skipped=True)
    failed = StepResult("c", False, "broke", 0.0)
    assert summary([held, held]) == (True, "all 2 steps hold")
    ok, line = summary([held, skipped])
    assert ok
    assert "all" not in line
    assert line == "1 of 2 steps hold; skipped: b"
    assert summary([held, skipped, failed])[0] is False


def test_verify_help_documents_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["verify", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--backend", "--postgres-url", "--azure-connection-string", "--format"):
        assert option in out
    assert "EDU_BACKEND" in out


def test_verify_json_reports_every_step_on_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.setattr(verify, "STEPS", verify.STEPS[:2])  # lock and check: no database
    assert main(["verify", "--format", "json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)  # nothing but the JSON on stdout
    assert report["ok"] is True
    assert [s["name"] for s in report["steps"]] == ["services", *(n for n, _ in verify.STEPS)]
    assert all(s["ok"] and not s["skipped"] for s in report["steps"])
    assert "contract lock" in captured.err  # progress went to stderr


def test_a_bad_backend_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--backend", "nowhere"]) == 2
    assert "backend" in capsys.readouterr().err
