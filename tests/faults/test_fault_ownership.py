"""Ownership, not name prefixes: only what this toolkit provably created is dropped.

Foreign databases and queues named exactly like the toolkit's (``edu_tpl_*``,
``edu_<run>_*``, ``edu-<run>-*``) sit on the shared servers, some with
forged markers, one with a genuine marker copied from another name, one
with a genuine marker of a live process. Runs with ``--edu-reuse`` (which
used to drop every other ``edu_tpl_*``) and plain runs must leave all of
them byte-identical, while the positive controls (genuine markers of a dead
process; this project's own older template) are removed: the proof works
both ways.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from _shared import SharedServers, external_args, shared_servers

from edu_contracts.services.ownership import MARKER_PREFIX, METADATA_KEY, Marker
from edu_contracts.testing.reuse import project_key

pytestmark = pytest.mark.usefixtures("inner_env")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture(scope="module")
def servers() -> Iterator[SharedServers]:
    with shared_servers() as shared:
        yield shared


def _genuine(name: str, *, pid: int, kind: str = "run", **kw: str) -> str:
    marker = Marker.for_this_process(kind, name, kw.pop("run", "cafebabe"), pid=pid, **kw)
    return marker.render()


def test_only_provably_ours_is_dropped_or_reaped(
    pytester: pytest.Pytester, servers: SharedServers
) -> None:
    dead = _dead_pid()
    project = project_key(pytester.path)
    forged = (
        f"{MARKER_PREFIX} kind=run name=edu_cafebabe_db_forged run=cafebabe project= host=x "
        f"boot=x pid={dead} start= state=ready mac={'f' * 64}"
    )
    # foreign: never touched
    servers.add_sentinel_db("edu_tpl_0123456789abcdef")  # a foreign template, no marker
    servers.add_sentinel_db("edu_tpl_0123456789abcdef_00000000")
    servers.add_sentinel_db("edu_data_of_a_user")
    servers.add_sentinel_db("edu_cafebabe_db_forged", comment=forged)
    servers.add_sentinel_db(  # a genuine marker, copied onto another database
        "edu_cafebabe_db_copy", comment=_genuine("edu_cafebabe_db_original", pid=dead)
    )
    servers.add_sentinel_db(  # ours, but its owner is alive (this test process)
        "edu_cafebabe_db_alive", comment=_genuine("edu_cafebabe_db_alive", pid=os.getpid())
    )
    servers.add_sentinel_db(  # another project's template: its own business
        "edu_tpl_aaaaaaaaaaaaaaaa_bbbbbbbb",
        comment=_genuine(
            "edu_tpl_aaaaaaaaaaaaaaaa_bbbbbbbb", pid=dead, kind="template", run="tpl",
            project="someotherproj",
        ),
    )  # fmt: skip
    servers.add_sentinel_queue("edu-cafebabe-main-1")
    servers.add_sentinel_queue("edu-cafebabe-main-2", {METADATA_KEY: forged})
    servers.add_sentinel_queue(
        "edu-cafebabe-main-3", {METADATA_KEY: _genuine("edu-cafebabe-main-9", pid=dead)}
    )
    servers.add_sentinel_queue(
        "edu-cafebabe-main-4", {METADATA_KEY: _genuine("edu-cafebabe-main-4", pid=os.getpid())}
    )
    before = servers.fingerprint()
    # positive controls: genuine markers of a dead process; this project's old template
    controls = {
        "edu_deadbeef_db_main": _genuine("edu_deadbeef_db_main", pid=dead),
        "edu_deadbeef_template": _genuine("edu_deadbeef_template", pid=dead),
        "edu_tpl_ffffffffffffffff_00000000": _genuine(
            "edu_tpl_ffffffffffffffff_00000000", pid=dead, kind="template", run="tpl",
            project=project,
        ),
    }  # fmt: skip
    with servers.connect() as conn:
        for name, comment in controls.items():
            conn.execute(f'CREATE DATABASE "{name}"')
            conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
        conn.execute('ALTER DATABASE "edu_deadbeef_template" WITH ALLOW_CONNECTIONS false')
    with servers.account() as account:
        account.create_queue(
            "edu-deadbeef-main-1",
            metadata={METADATA_KEY: _genuine("edu-deadbeef-main-1", pid=dead)},
        )

    pytester.makepyfile(test_own="def test_db(edu_session, edu_queue):\n    pass\n")
    for _ in range(2):  # the second run reuses the template the first built
        result = pytester.runpytest_subprocess(*external_args(servers), "--edu-reuse")
        assert result.parseoutcomes() == {"passed": 1}, result.stdout.str()[-3000:]
        assert servers.fingerprint() == before, "a foreign database or queue changed"
    left = servers.databases()
    for name in controls:
        assert name not in left, f"{name} is provably ours and dead, yet it was kept"
    assert "edu-deadbeef-main-1" not in servers.queues()
    assert servers.leftovers() == set()
    result = pytester.runpytest_subprocess(*external_args(servers))
    assert result.parseoutcomes() == {"passed": 1}
    assert servers.fingerprint() == before


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace("pid=", "pid=1"),
        lambda t: t.replace("kind=run", "kind=template"),
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),
        lambda t: t.replace("name=edu_r1_db", "name=edu_r1_dc"),
        lambda t: t + " extra=1",
    ],
)
def test_a_tampered_marker_never_verifies(tamper: object) -> None:
    text = Marker.for_this_process("run", "edu_r1_db", "r1").render()
    assert Marker.verify(text, "edu_r1_db") is not None
    assert callable(tamper)
    assert Marker.verify(tamper(text), "edu_r1_db") is None


def test_owner_gone_is_certain_only_for_dead_or_reused_pids() -> None:
    alive = Marker.for_this_process("run", "n", "r")
    assert not alive.owner_gone()
    assert Marker.for_this_process("run", "n", "r", pid=_dead_pid()).owner_gone()
    reused = Marker(**{**alive.__dict__, "start": "1"})
    assert reused.owner_gone()  # same pid, another process
    elsewhere = Marker(**{**alive.__dict__, "host": "another-machine", "pid": _dead_pid()})
    assert not elsewhere.owner_gone()  # cannot know: never reaped
