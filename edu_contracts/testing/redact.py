"""The plugin's last line of defence: no report carries a credential it knows.

Every value the fixtures hand out masks its secret in ``repr()``, but a test
may still put one into an assertion, a local variable shown by
``--showlocals``, a log line or a print. Before pytest (its terminal,
``--junitxml``, xdist's controller) sees a report, the report's text is run
through :func:`edu_contracts.redaction.scrub` with every credential this run
was given: the external Postgres password and the storage account key.
"""

from __future__ import annotations

import logging
import re

import pytest

from edu_contracts.redaction import contains_secret, scrub
from edu_contracts.testing._state import STATE_KEY

__all__ = [
    "SecretScrubber",
    "scrub_report",
]


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
            text = scrub(text, secrets, patterns=False)
            report.longrepr = text
        if contains_secret(joined := _join_split_literals(text), secrets):
            report.longrepr = scrub(joined, secrets, patterns=False)
    report.sections = [
        (title, scrub(body, secrets, patterns=False)) for title, body in report.sections
    ]


# pytest pretty-prints long strings (``-vv`` locals and diffs) as adjacent
# literals over several lines, which would hide a secret from a plain search:
# 'abc '\n 'def' (optionally behind an "E   " prefix) is read as 'abc def'.
_SPLIT_LITERAL = re.compile(r"(['\"])[ \t]*\n(?:E)?[ \t]*(['\"])")


def _join_split_literals(text: str) -> str:
    return _SPLIT_LITERAL.sub("", text)


class SecretScrubber:
    """Registered by the plugin at configure time; holds the config for the secrets."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Scrub log records on pytest's own handlers (``--log-file``, live logs, caplog)."""
        plugin = self._config.pluginmanager.get_plugin("logging-plugin")
        for attr in ("log_file_handler", "log_cli_handler", "caplog_handler", "report_handler"):
            handler = getattr(plugin, attr, None)
            if isinstance(handler, logging.Handler):
                handler.addFilter(_ScrubFilter(self._config))

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        scrub_report(report, _secrets(self._config))

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        scrub_report(report, _secrets(self._config))


class _ScrubFilter(logging.Filter):
    """Rewrites a record whose message holds a known secret; drops nothing."""

    def __init__(self, config: pytest.Config) -> None:
        super().__init__()
        self._config = config

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _secrets(self._config)
        if secrets:
            message = record.getMessage()
            if contains_secret(message, secrets):
                record.msg, record.args = scrub(message, secrets, patterns=False), None
        return True
