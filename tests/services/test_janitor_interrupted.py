"""A CREATE DATABASE interrupted after the server ran it leaves a database the reaper can prove."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from edu_contracts.services import Services, new_run_id
from edu_contracts.services.janitor import DatabaseJanitor


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_ctrl_c_after_the_server_created_it_keeps_the_proof(
    edu_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C under xdist can land while CREATE DATABASE returns: the server made the
    database, the run never signed it. The intent must stay, or nobody may drop it."""
    janitor = DatabaseJanitor(edu_services.postgres, new_run_id(), owner_pid=_dead_pid())
    real_admin = DatabaseJanitor.admin

    @contextlib.contextmanager
    def interrupted_admin(self: DatabaseJanitor) -> Iterator[Any]:
        with real_admin(self) as conn:

            class Interrupting:
                def execute(self, statement: Any, *args: Any) -> Any:
                    result = conn.execute(statement, *args)
                    if "CREATE DATABASE" in str(getattr(statement, "as_string", str)(conn)):
                        raise KeyboardInterrupt  # after the server ran it
                    return result

            yield Interrupting()

    monkeypatch.setattr(DatabaseJanitor, "admin", interrupted_admin)
    with pytest.raises(KeyboardInterrupt):
        janitor.create("interrupted")
    monkeypatch.undo()

    name = janitor.name("interrupted")
    assert janitor.markers(name.replace("_", r"\_")) == {name: None}  # made, unsigned
    assert name in janitor.intents().pending()

    reaped = DatabaseJanitor(edu_services.postgres, "reaper").reap()

    assert name in reaped
    assert janitor.markers(name.replace("_", r"\_")) == {}
    assert name not in janitor.intents().pending()


def test_a_create_the_server_refused_leaves_no_intent(edu_services: Services) -> None:
    janitor = DatabaseJanitor(edu_services.postgres, new_run_id())
    source = janitor.create("busy_source")
    try:
        # a template with a session on it: the server refuses (55006), nothing is made
        busy = edu_services.postgres.libpq_url(janitor.name("busy_source"))
        with psycopg.connect(busy), pytest.raises(psycopg.errors.ObjectInUse):
            janitor.create("refused", template=janitor.name("busy_source"))
        assert janitor.name("refused") not in janitor.intents().pending()
        assert janitor.markers(janitor.name("refused").replace("_", r"\_")) == {}
    finally:
        janitor.drop(source.rsplit("/", 1)[-1])
