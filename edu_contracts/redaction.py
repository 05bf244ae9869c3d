"""Secrets stay out of every repr, error, log line and report.

Two layers, because one is never enough for a promise like "no secret in
any output":

* values that carry a secret show a masked form to ``repr()``: the URL value
  (``DatabaseURL``), the service infos, the config, and :class:`MaskedStr` for
  the plain strings fixtures hand out (a URL, a connection string) so that
  ``create_engine(url)`` keeps working while pytest's assertion messages and
  ``--showlocals`` print the masked form;
* :func:`scrub` replaces known secret values (and their percent-encoded
  forms) in finished text: the pytest plugin runs every failure report through
  it, and errors that quote a driver message are scrubbed before they are raised.

Imports nothing of the toolkit, so every layer may use it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "MIN_SCRUB_LENGTH",
    "MaskedStr",
    "connection_string_secrets",
    "contains_secret",
    "redact_connection_string",
    "scrub",
    "secret_forms",
]

MASK = "***"
# Connection-string keys whose values are credentials (Azure Storage, ADO-style).
_SECRET_KEYS = ("accountkey", "sharedaccesssignature", "password", "pwd", "sig")
_KEY_VALUE = re.compile(r"(?i)\b(" + "|".join(_SECRET_KEYS) + r")=([^;&\s]*)")
# A secret shorter than this is not scrubbed from free text: masking every "ab"
# would wreck the output and still not hide a two-letter password.
MIN_SCRUB_LENGTH = 4


class MaskedStr(str):
    """A ``str`` that is the real value to code and a masked one to ``repr()``.

    Fixtures return these for values holding a secret: libraries (SQLAlchemy,
    psycopg, subprocess) read the characters, while pytest prints the repr.
    """

    _shown: str

    def __new__(cls, value: str, shown: str) -> MaskedStr:
        obj = super().__new__(cls, value)
        obj._shown = shown
        return obj

    def __repr__(self) -> str:
        return repr(self._shown)

    def __reduce__(self) -> tuple[object, ...]:
        return (MaskedStr, (str(self), self._shown))


def redact_connection_string(text: str) -> str:
    """``AccountKey=…``, ``SharedAccessSignature=…``, ``Password=…`` and ``sig=…`` masked."""
    return _KEY_VALUE.sub(lambda m: f"{m.group(1)}={MASK}", text)


def connection_string_secrets(text: str) -> tuple[str, ...]:
    """The credential values inside a connection string, for :func:`scrub`."""
    return tuple(m.group(2) for m in _KEY_VALUE.finditer(text) if m.group(2))


def secret_forms(secret: str) -> tuple[str, ...]:
    """``secret`` as it may appear in text: raw, percent- or form-encoded, in a repr, in JSON."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        quote(secret),
        quote(secret, safe=" +"),  # SQLAlchemy's rendering of a URL's password
        repr(secret)[1:-1],
        ascii(secret)[1:-1],  # pytest's assertion reprs escape non-ASCII
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }
    return tuple(sorted(forms, key=len, reverse=True))


def contains_secret(text: str, secrets: Iterable[str]) -> bool:
    return any(
        form in text for s in secrets if len(s) >= MIN_SCRUB_LENGTH for form in secret_forms(s)
    )


def scrub(text: str, secrets: Iterable[str], *, patterns: bool = True) -> str:
    """``text`` with every known secret (in any of its encoded forms) masked.

    ``patterns`` also masks credential-looking ``key=value`` pairs
    (``AccountKey=…``) whose value is not known in advance.
    """
    for secret in secrets:
        if len(secret) < MIN_SCRUB_LENGTH:
            continue
        for form in secret_forms(secret):
            text = text.replace(form, MASK)
    return redact_connection_string(text) if patterns else text
