"""The async database fixtures from the outside: inner pytest runs, as a service repo.

Each suite is written to a pytester project and run in a fresh pytest with
nothing but the installed plugin, against this run's services (external
backend), under pytest-asyncio's strict mode or anyio's plugin.
"""

from __future__ import annotations

import pytest

from edu_contracts.services import Services
from edu_contracts.testing import reuse

INI = """
[pytest]
asyncio_default_fixture_loop_scope = function
filterwarnings = error
addopts = --strict-markers
"""

# The same tests run under both plugins: only the marker differs.
ISOLATION_SUITE = """
import asyncio
import pytest
from sqlalchemy import func, select, text
from edu_contracts.db.models import Project, User

pytestmark = pytest.mark.{plugin}
EMAIL = "isolation@example.com"
OWN = []


async def _count(session, model):
    return await session.scalar(select(func.count()).select_from(model))


async def test_1_app_commits_inside_the_test(edu_async_sessionmaker, edu_async_factories):
    owner = await edu_async_factories.user()
    async with edu_async_sessionmaker() as session:  # the app's own session
        assert await session.get(User, owner.id) is not None  # sees the factory's row
        session.add(User(email=EMAIL))
        await session.commit()
    async with edu_async_sessionmaker() as session:
        assert await session.scalar(select(User).where(User.email == EMAIL)) is not None


async def test_2_the_commit_is_gone(edu_async_session):
    assert await _count(edu_async_session, User) == 0


async def test_3_raw_sql_on_the_connection_is_rolled_back_too(edu_async_connection):
    await edu_async_connection.execute(text("insert into users (id, email) "
                                           "values (gen_random_uuid(), 'raw@example.com')"))


async def test_4_and_is_gone(edu_async_session):
    assert await _count(edu_async_session, User) == 0


async def _concurrent_signups(sessionmaker, n=3):
    async def signup(i):
        async with sessionmaker() as session:
            session.add(User(email=f"u{{i}}@example.com"))
            await session.flush()
            await asyncio.sleep(0.01)  # another request runs meanwhile
            await session.commit()
    await asyncio.gather(*(signup(i) for i in range(n)))


async def test_5_concurrent_sessions_fail_naming_the_cause(edu_async_sessionmaker):
    await _concurrent_signups(edu_async_sessionmaker)


@pytest.mark.edu_isolation("database")
async def test_6_concurrent_sessions_work_in_a_database_of_their_own(
    edu_async_sessionmaker, edu_async_session, edu_async_factories, edu_session
):
    await edu_async_factories.project()
    await _concurrent_signups(edu_async_sessionmaker)
    assert await _count(edu_async_session, User) == 4
    assert await _count(edu_async_session, Project) == 1
    name = await edu_async_session.scalar(text("select current_database()"))
    print("OWN-DB", name)
    # the sync fixtures of the same test are on the same database
    assert edu_session.scalar(text("select current_database()")) == name
    assert edu_session.scalar(select(func.count()).select_from(User)) == 4
    OWN.append(name)


async def test_7_the_shared_database_never_saw_them(edu_async_session):
    assert await _count(edu_async_session, User) == 0
    name = await edu_async_session.scalar(text("select current_database()"))
    print("SHARED-DB", name)
    # the test's own database was dropped when it ended
    left = text("select count(*) from pg_database where datname = :n")
    assert [await edu_async_session.scalar(left, {{"n": n}}) for n in OWN] == [0] * len(OWN)
"""

SYNC_MARKER_SUITE = """
import threading
import pytest
from sqlalchemy import func, select
from edu_contracts.db.models import User


@pytest.mark.edu_isolation("database")
def test_threads_with_their_own_sessions(edu_sessionmaker, edu_factories, edu_session):
    owner = edu_factories.user()  # autocommit here: visible to the app's connections

    def signup(i):
        with edu_sessionmaker() as session:
            assert session.get(User, owner.id) is not None
            session.add(User(email=f"t{i}@example.com"))
            session.commit()

    threads = [threading.Thread(target=signup, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert edu_session.scalar(select(func.count()).select_from(User)) == 4


def test_nothing_left(edu_session):
    assert edu_session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.edu_isolation(mdoe="database")
def test_misspelt_marker(edu_session):
    pass


@pytest.mark.edu_isolation("databse")
def test_unknown_mode(edu_session):
    pass
"""


@pytest.fixture
def external(edu_services: Services) -> list[str]:
    """Point inner runs at this run's services (external backend)."""
    return [
        "--edu-backend=external",
        f"--edu-postgres-url={edu_services.postgres.libpq_url()}",
        f"--edu-azure-connection-string={edu_services.azurite.connection_string}",
    ]


def _run_isolation_suite(pytester: pytest.Pytester, plugin: str, *args: str) -> pytest.RunResult:
    pytester.makeini(INI)
    pytester.makepyfile(test_iso=ISOLATION_SUITE.format(plugin=plugin))
    return pytester.runpytest_subprocess("-q", "-s", "-p", "no:cacheprovider", *args)


def _printed(result: pytest.RunResult, key: str) -> list[str]:
    return [line.split(key)[1].split()[0] for line in result.outlines if key in line]


def _check_isolation_outcome(result: pytest.RunResult) -> None:
    out = result.stdout.str()
    assert result.parseoutcomes().get("passed") == 6, out
    assert result.parseoutcomes().get("failed") == 1, out
    assert "test_5_concurrent_sessions_fail_naming_the_cause" in out
    assert "ConcurrentSessionError" in out
    assert 'edu_isolation("database")' in out
    assert "does not exist" not in out  # the old, misleading symptom
    assert "error" not in result.parseoutcomes()  # teardown stays clean after the failure
    own = _printed(result, "OWN-DB ")
    shared = _printed(result, "SHARED-DB ")
    assert own, out
    assert shared, out
    assert own != shared


@pytest.mark.parametrize("plugin", ["asyncio", "anyio"])
def test_async_isolation_under_each_plugin(
    pytester: pytest.Pytester, external: list[str], plugin: str
) -> None:
    _check_isolation_outcome(_run_isolation_suite(pytester, plugin, *external))


def test_async_isolation_with_two_xdist_workers(
    pytester: pytest.Pytester, external: list[str]
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        test_iso_a=ISOLATION_SUITE.format(plugin="asyncio"),
        test_iso_b=ISOLATION_SUITE.format(plugin="anyio"),
    )
    result = pytester.runpytest_subprocess("-q", "-n", "2", "-p", "no:cacheprovider", *external)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed") == 12, result.stdout.str()
    assert outcomes.get("failed") == 2, result.stdout.str()
    assert "ConcurrentSessionError" in result.stdout.str()


# Starting reused (detached) services drops a Popen whose process still runs, a
# ResourceWarning in the reuse module that is not this suite's subject.
REUSE = ["--edu-reuse", "-W", "ignore::pytest.PytestUnraisableExceptionWarning"]


def test_async_isolation_with_reused_services(pytester: pytest.Pytester) -> None:
    state_file = reuse.state_path(pytester.path)
    try:
        first = _run_isolation_suite(pytester, "asyncio", *REUSE)
        second = pytester.runpytest_subprocess("-q", "-s", "-p", "no:cacheprovider", *REUSE)
    finally:
        reuse.stop_reused(state_file)
    _check_isolation_outcome(first)
    _check_isolation_outcome(second)


def test_sync_database_marker_and_its_argument_checks(
    pytester: pytest.Pytester, external: list[str]
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_sync=SYNC_MARKER_SUITE)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", *external)
    out = result.stdout.str()
    assert result.parseoutcomes() == {"passed": 2, "errors": 2}, out
    assert "TypeError: edu_isolation() got an unexpected keyword argument 'mdoe'" in out
    assert "IsolationMarkerError: unknown isolation mode 'databse'" in out


def test_the_marker_signature_checks_its_arguments() -> None:
    from edu_contracts.errors import IsolationMarkerError
    from edu_contracts.testing.fixtures import edu_isolation

    assert edu_isolation() == "savepoint"
    assert edu_isolation("database") == "database"
    with pytest.raises(TypeError, match="mdoe"):
        edu_isolation(mdoe="database")  # type: ignore[call-arg]
    with pytest.raises(IsolationMarkerError, match="'databse'") as caught:
        edu_isolation("databse")  # type: ignore[arg-type]
    assert isinstance(caught.value, TypeError)


def test_one_plan_says_how_both_faces_isolate() -> None:
    from edu_contracts.testing.fixtures import Isolation

    shared = Isolation("savepoint", None)
    own = Isolation("database", "postgresql+psycopg://u@127.0.0.1:1/edu_x_t_1")
    assert shared.outer_transaction
    assert shared.sessions_share_connection
    assert shared.session_options["join_transaction_mode"] == "create_savepoint"
    assert shared.connection_options == {}
    assert not own.outer_transaction
    assert not own.sessions_share_connection
    assert own.connection_options == {"isolation_level": "AUTOCOMMIT"}
    assert "join_transaction_mode" not in own.session_options
