"""What a run pays before its first test: faker only on use, services only as needed.

Each test runs a small suite in a fresh pytest (pytester, subprocess), as a
service repo would, and asks the inner run what it loaded or started.
"""

from __future__ import annotations

import pytest

from edu_contracts.testing.plugin import services_needed

FAKER_SUITE = """
import sys

def test_no_faker_plugin_and_no_session_faker(request):
    manager = request.config.pluginmanager
    assert manager.get_plugin("faker") is None and manager.is_blocked("faker")
    assert "_session_faker" not in request.fixturenames
    print("FAKER_IMPORTED", "faker" in sys.modules)

def test_faker_fixture_still_works_and_is_seeded(faker):
    from faker import Faker
    expected = Faker()
    expected.seed_instance(0)
    assert faker.name() == expected.name()

def test_faker_locale_is_honoured(faker):
    assert faker.locales == ["it_IT"]
"""

LOCALE_CONFTEST = """
import pytest

@pytest.fixture(autouse=True)  # as faker documents: seen only when in the closure
def faker_locale():
    return ["it_IT"]
"""


def test_faker_plugin_is_replaced_by_a_lazy_equivalent(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_faker=FAKER_SUITE)
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider", "-k", "not locale")
    result.assert_outcomes(passed=2)


def test_faker_locale_fixture_is_honoured(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_faker=FAKER_SUITE)
    pytester.makeconftest(LOCALE_CONFTEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-k", "locale")
    result.assert_outcomes(passed=1)


def test_loaded_first_the_plugin_keeps_faker_from_being_imported(
    pytester: pytest.Pytester,
) -> None:
    # `-p edu_contracts` loads this plugin before any other entry point
    pytester.makepyfile(test_faker=FAKER_SUITE)
    result = pytester.runpytest_subprocess(
        "-s", "-p", "edu_contracts", "-p", "no:cacheprovider", "-k", "no_faker_plugin"
    )
    result.assert_outcomes(passed=1)
    assert "FAKER_IMPORTED False" in result.stdout.str()


@pytest.mark.parametrize(
    ("fixtures", "expected"),
    [
        ({"tmp_path"}, (False, False)),
        ({"edu_config"}, (False, False)),
        ({"edu_session", "edu_sessionmaker", "edu_connection", "edu_engine", "edu_services"},
         (True, False)),
        ({"edu_queue", "edu_services", "edu_config"}, (False, True)),
        ({"edu_session", "edu_queue", "edu_services"}, (True, True)),
        ({"edu_services"}, (True, True)),
        ({"edu_async_session", "edu_services"}, (True, False)),
        ({"edu_async_queue", "edu_services"}, (False, True)),
    ],
)  # fmt: skip
def test_services_needed_follows_the_fixture_closure(
    fixtures: set[str], expected: tuple[bool, bool]
) -> None:
    assert services_needed(fixtures) == expected


STARTED_SUITE = """
def test_db_only(edu_session, edu_services):
    from sqlalchemy import text
    assert edu_session.scalar(text("select 1")) == 1
    names = sorted(check.__self__.name for check in edu_services._liveness)
    print("STARTED", "|".join(names))
"""


def test_a_database_only_run_never_starts_azurite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_started=STARTED_SUITE)
    result = pytester.runpytest_subprocess("-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    started = [line.split("STARTED ", 1)[1] for line in result.stdout.lines if "STARTED " in line]
    assert started == ["PostgreSQL (embedded)"], result.stdout.str()
