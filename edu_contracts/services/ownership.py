"""Proof that this toolkit created a database or a queue: the ownership marker.

A name proves nothing: anyone may create ``edu_tpl_x`` on a shared server.
So every database the toolkit creates gets, right after ``CREATE DATABASE``,
a ``COMMENT ON DATABASE`` holding a marker, and every queue is created with
the marker in its metadata (Azure queue metadata; Azurite keeps it too)::

    edu-contracts/1 kind=run run=1a2b3c4d project=… host=ci-7 boot=… pid=4242
    start=987654 state=ready mac=<HMAC-SHA256 of all of the above>

The MAC is keyed by a random secret kept in the per-user cache
(``owner.key``, mode 0600, made on first use): a marker is ours only if it
verifies with our key, so a forged comment, another user's run or a copy of
a marker onto another database (the MAC covers the name) never qualifies.

A marker's owner is gone when this host booted since (``boot``), or its
``pid`` is dead, or that pid now belongs to a later process (``start``, the
kernel's start time). Only then is a run's leftover reaped; templates kept
by ``--edu-reuse`` are reaped only while half-built.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import socket
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from edu_contracts.services._paths import cache_dir
from edu_contracts.services._process import pid_alive

__all__ = [
    "KEY_FILE",
    "MARKER_PREFIX",
    "METADATA_KEY",
    "Intents",
    "Marker",
    "boot_id",
    "owner_key",
    "owner_key_id",
    "process_start",
]

MARKER_PREFIX = "edu-contracts/1"
METADATA_KEY = "educontractsowner"  # queue metadata names are C# identifiers
_FIELDS = ("kind", "name", "run", "project", "host", "boot", "pid", "start", "state")
KEY_FILE = "owner.key"


def _key_path() -> Path:
    return cache_dir() / KEY_FILE


@lru_cache(maxsize=4)
def _owner_key(path: Path) -> bytes:
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_hex(32).encode())
        finally:
            os.close(fd)
    key = path.read_bytes().strip()
    if len(key) < 32:  # a truncated file (a crash mid-write) cannot sign anything
        raise OSError(f"the ownership key {path} is damaged; delete it to make a new one")
    return key


def owner_key() -> bytes:
    return _owner_key(_key_path())


def owner_key_id() -> str:
    """Eight hex digits naming the key (not revealing it): keeps users' names apart."""
    return hashlib.sha256(b"edu-contracts owner id\0" + owner_key()).hexdigest()[:8]


def boot_id() -> str:
    with contextlib.suppress(OSError):
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")
    return "unknown"


def process_start(pid: int) -> str:
    """The kernel's start time of ``pid`` (clock ticks since boot); "" if unknown."""
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[19]
    return ""


@dataclass(frozen=True)
class Marker:
    """Who created a database or queue, signed with this user's owner key."""

    kind: str  # "run": dies with its run; "template": kept by --edu-reuse
    name: str  # the database or queue it was written on (a copy elsewhere fails)
    run: str
    project: str = ""
    host: str = ""
    boot: str = ""
    pid: int = 0
    start: str = ""
    state: str = "ready"  # "building" until a template is complete

    @classmethod
    def for_this_process(
        cls, kind: str, name: str, run: str, *, project: str = "", pid: int | None = None
    ) -> Marker:
        owner = os.getpid() if pid is None else pid
        return cls(
            kind=kind,
            name=name,
            run=run,
            project=project,
            host=socket.gethostname(),
            boot=boot_id(),
            pid=owner,
            start=process_start(owner),
        )

    def with_state(self, state: str) -> Marker:
        return replace(self, state=state)

    def _payload(self) -> str:
        return " ".join(f"{f}={getattr(self, f)}" for f in _FIELDS)

    def render(self) -> str:
        mac = hmac.new(owner_key(), self._payload().encode(), hashlib.sha256).hexdigest()
        return f"{MARKER_PREFIX} {self._payload()} mac={mac}"

    @classmethod
    def verify(cls, text: str | None, name: str) -> Marker | None:
        """The marker in ``text`` if it is ours and was written on ``name``; else None."""
        if not text or not text.startswith(MARKER_PREFIX + " "):
            return None
        parts = dict(
            item.split("=", 1) for item in text[len(MARKER_PREFIX) + 1 :].split() if "=" in item
        )
        mac = parts.pop("mac", "")
        if set(parts) != set(_FIELDS) or parts["name"] != name:
            return None
        try:
            marker = cls(**{**parts, "pid": int(parts["pid"])})  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        expected = hmac.new(owner_key(), marker._payload().encode(), hashlib.sha256).hexdigest()
        return marker if hmac.compare_digest(mac, expected) else None

    def owner_gone(self) -> bool:
        """True only when it is certain that the creating process no longer runs."""
        if self.host != socket.gethostname():
            return False  # another machine's process: we cannot know, so never
        if self.boot != boot_id():
            return True
        if not pid_alive(self.pid):
            return True
        return bool(self.start) and process_start(self.pid) not in ("", self.start)


class Intents:
    """The names this user is about to create on one server, kept in the per-user cache.

    ``CREATE DATABASE`` and the ``COMMENT`` that signs it are two statements
    (the first cannot run in a transaction); a kill between them would leave
    an unsigned database nobody may drop. So the signed marker is written
    here first and removed once the comment is on: the reaper drops an
    unsigned database only when an intent, verified with our key, names it
    and its owner is gone.
    """

    def __init__(self, server: str) -> None:
        safe = "".join(c if c.isalnum() or c in ".-" else "_" for c in server)
        self.root = cache_dir() / "intents" / safe

    def record(self, marker: Marker) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / marker.name).write_text(marker.render())

    def done(self, name: str) -> None:
        (self.root / name).unlink(missing_ok=True)

    def pending(self) -> dict[str, Marker]:
        """Verified intents by name (unverifiable files are left alone)."""
        found: dict[str, Marker] = {}
        for path in sorted(self.root.glob("*")) if self.root.is_dir() else ():
            with contextlib.suppress(OSError):
                marker = Marker.verify(path.read_text(), path.name)
                if marker is not None:
                    found[path.name] = marker
        return found
