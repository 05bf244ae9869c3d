"""URLs as users paste them become URLs the psycopg 3 driver accepts."""

from __future__ import annotations

import pytest

from edu_contracts.db.url import normalize_url, redact_url
from edu_contracts.errors import ConfigurationError


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
        (
            "postgresql://u:p%40ss@h/db?sslmode=require",
            "postgresql+psycopg://u:p%40ss@h/db?sslmode=require",
        ),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


def test_normalize_url_keeps_the_password() -> None:
    assert "s3cret" in normalize_url("postgresql://u:s3cret@h/db")


def test_redact_url_hides_the_password() -> None:
    assert "s3cret" not in redact_url("postgresql://u:s3cret@h/db")


@pytest.mark.parametrize("given", ["mysql://u:s3cret@h/db", "sqlite:///x.db"])
def test_other_databases_are_refused(given: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        normalize_url(given)
    assert "s3cret" not in str(info.value)
    assert info.value.fix


def test_garbage_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigurationError) as info:
        normalize_url("not a url s3cret")
    assert "s3cret" not in str(info.value)
