"""The plugin's last line of defence: no report carries a credential it knows.

Every value the fixtures hand out masks its secret in ``repr()``, but a test
may still put one into an assertion, a local variable shown by
``--showlocals``, a log line or a print. Before pytest (its terminal,
``--junitxml``, xdist's controller) sees a report, the report's text is run
through :func:`edu_contracts.redaction.scrub` with every credential this run
was given: the external Postgres password and the storage account key.
"""

from __future__ import annotations

import pytest

from edu_contracts.redaction import contains_secret, scrub
from edu_contracts.testing._state import STATE_KEY


def _secrets(config: pytest.Config) -> tuple[str, ...]:
    state = config.stash.get(STATE_KEY, None)
    return state.secrets() if state is not None else ()


def scrub_report(
    report: pytest.TestReport | pytest.CollectReport, secrets: tuple[str, ...]
) -> None:
    """Mask ``secrets`` in the report's failure text and captured sections, in place."""
    if not secrets:
        return
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        path, line, reason = longrepr
        report.longrepr = (path, line, scrub(reason, secrets, patterns=False))
    elif longrepr is not None:
        text = str(longrepr)
        if contains_secret(text, secrets):
            report.longrepr = scrub(text, secrets, patterns=False)
    report.sections = [
        (title, scrub(body, secrets, patterns=False)) for title, body in report.sections
    ]


class SecretScrubber:
    """Registered by the plugin at configure time; holds the config for the secrets."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        scrub_report(report, _secrets(self._config))

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        scrub_report(report, _secrets(self._config))
