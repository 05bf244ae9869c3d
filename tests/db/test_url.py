"""One URL value: pasted URLs parse, every rendering keeps the parts, printing masks secrets."""

from __future__ import annotations

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy.engine import make_url

from edu_contracts.db.url import DatabaseURL, normalize_url, redact_url
from edu_contracts.errors import ConfigurationError

# every character a URL reserves, a percent sign, a space and non-ASCII
HOSTILE_PASSWORDS = [
    "p@ss",
    "a/b",
    "c:d",
    "e?f",
    "g#h",
    "100%",
    "i&j=k",
    "l+m n",
    "é-ü-中文",
    "x@127.0.0.1:5432/sentinel#",
    "'q\\u",
    "@/:?#%&=+ é",
]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h:5432/db"),
        (
            "postgresql://u:p%40ss@h/db?sslmode=require",
            "postgresql+psycopg://u:p%40ss@h:5432/db?sslmode=require",
        ),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given).render_as_string(hide_password=False) == expected


def test_redact_url_hides_the_password() -> None:
    assert "s3cret" not in redact_url("postgresql://u:s3cret@h/db")


@pytest.mark.parametrize(
    "given",
    [
        "mysql://u:s3cret@h/db",
        "sqlite:///x.db",
        "postgresql+asyncpg://u:s3cret@h/db",
        "postgresql+psycopg_async://u:s3cret@h/db",
        "postgresql+psycopg2://u:s3cret@h/db",
        "postgresql://u:s3cret@h:notaport/db",
        "postgresql://u:s3cret@h:99999/db",
        "not a url s3cret",
        "postgresql://u:s3cret@h/db?dbname=other",
    ],
)
def test_unusable_urls_are_configuration_errors_that_never_echo_the_password(given: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        DatabaseURL.parse(given)
    assert "s3cret" not in str(info.value)
    assert info.value.fix


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
def test_a_hostile_password_survives_every_rendering_and_never_moves_the_target(
    password: str,
) -> None:
    url = DatabaseURL.create(host="db.internal", port=6543, user="u", password=password)
    target = url.with_database("edu_run_db")
    for rendered in (
        DatabaseURL.parse(target.sqlalchemy().render_as_string(hide_password=False)),
        DatabaseURL.parse(target.libpq_uri()),
        DatabaseURL.parse(target.sqlalchemy("asyncpg")),
    ):
        assert (rendered.host, rendered.port, rendered.database) == (
            "db.internal",
            6543,
            "edu_run_db",
        )
        assert rendered.password == password
    libpq = conninfo_to_dict(target.conninfo())
    assert libpq["password"] == password
    assert (libpq["host"], libpq["port"], libpq["dbname"]) == ("db.internal", "6543", "edu_run_db")
    assert password not in repr(target)
    assert password not in str(target)


@pytest.mark.parametrize("password", HOSTILE_PASSWORDS)
def test_a_percent_encoded_pasted_password_is_decoded_once(password: str) -> None:
    from urllib.parse import quote

    url = DatabaseURL.parse(f"postgresql://u:{quote(password, safe='')}@h:5432/app")
    assert url.password == password
    assert (url.host, url.database) == ("h", "app")


def test_query_string_credentials_become_fields_and_are_masked() -> None:
    url = DatabaseURL.parse("postgresql://u@h/db?password=qs3cret&sslmode=require")
    assert url.password == "qs3cret"
    assert url.options == {"sslmode": "require"}
    assert "qs3cret" not in repr(url)
    assert "qs3cret" not in redact_url(url)
    assert "qs3cret" not in str(url.sqlalchemy())  # SQLAlchemy's own str masks too
    masked = DatabaseURL.parse("postgresql://u:p@h/db?sslpassword=keypass")
    assert "keypass" not in str(masked)


def test_a_query_cannot_retarget_a_clone() -> None:
    url = DatabaseURL.parse("postgresql://u:p@h/postgres?dbname=postgres&host=h")
    clone = url.with_database("edu_x_db")
    assert conninfo_to_dict(clone.conninfo())["dbname"] == "edu_x_db"
    assert clone.sqlalchemy().database == "edu_x_db"


def test_sqlalchemy_urls_parse_back_to_the_same_value() -> None:
    url = DatabaseURL.parse("postgresql+psycopg://u:p%2Fq@h:5/db")
    assert DatabaseURL.parse(make_url(url.sqlalchemy().render_as_string(False))) == url
