"""faker's ``faker`` fixture, without faker's cost for runs that never ask for it.

``edu-contracts[testing]`` installs faker (polyfactory needs it), and faker
registers a pytest plugin whose module imports faker (~0.3 s, 70 MiB) and
whose autouse session fixture builds a ``Faker`` in every run, used or not.
This module takes that plugin's place: when faker's plugin is loaded after
ours it is blocked (so faker is not even imported); when it was loaded
before ours it is unregistered and its fixtures removed (its import is paid,
its per-run ``Faker`` is not; ``-p edu_contracts`` in ``addopts`` makes this
plugin load first). The fixtures below have faker's names and behaviour (``faker_locale``,
``faker_seed``, ``faker_session_locale`` are honoured) but import faker only
when a test asks for ``faker``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from faker import Faker

__all__ = ["FAKER_PLUGIN", "faker", "take_over"]

FAKER_PLUGIN = "faker"
_FAKER_MODULE = "faker.contrib.pytest.plugin"
_DEFAULT_SEED = 0  # faker's own default, so seeded tests keep their data


def take_over(manager: pytest.PytestPluginManager) -> None:
    """Block faker's plugin, or unregister it if it is already in (idempotent)."""
    if manager.is_blocked(FAKER_PLUGIN):
        return
    loaded = manager.get_plugin(FAKER_PLUGIN)
    if loaded is not None:
        if getattr(loaded, "__name__", "") != _FAKER_MODULE:
            return  # someone else's plugin under that name: not ours to remove
        manager.unregister(name=FAKER_PLUGIN)
        # pytest's fixture manager replays every registration it missed when the
        # session starts, unregistered plugins included: without their fixtures in
        # it, faker's module gives it nothing to parse (no autouse ``Faker``).
        for name in ("_session_faker", "faker"):
            if hasattr(loaded, name):
                delattr(loaded, name)
    manager.set_blocked(FAKER_PLUGIN)


@pytest.fixture(scope="session")
def _session_faker(request: pytest.FixtureRequest) -> Faker:
    """The session's ``Faker``, built on first use (faker's is autouse)."""
    from faker import Faker
    from faker.config import DEFAULT_LOCALE

    if "faker_session_locale" in request.fixturenames:
        locale: Any = request.getfixturevalue("faker_session_locale")
    else:
        locale = [DEFAULT_LOCALE]
    return Faker(locale=locale)


@pytest.fixture
def faker(request: pytest.FixtureRequest) -> Faker:
    """faker's ``faker`` fixture: a seeded ``Faker`` (``faker_locale``/``faker_seed``)."""
    from faker import Faker

    if "faker_locale" in request.fixturenames:
        fake = Faker(locale=request.getfixturevalue("faker_locale"))
    else:
        fake = request.getfixturevalue("_session_faker")
    seed = _DEFAULT_SEED
    if "faker_seed" in request.fixturenames:
        seed = request.getfixturevalue("faker_seed")
    fake.seed_instance(seed=seed)
    fake.unique.clear()
    return fake
