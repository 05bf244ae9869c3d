"""Azurite's queue service (``azurite-queue``), in memory, on a free port.

The executable is looked for, in order: an explicit path (option or
``EDU_AZURITE_BIN``), ``PATH``, the per-user cache. If none has it, the
pinned npm package is installed into the cache once, under a file lock so
parallel workers do not race, with a single line saying so.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from edu_contracts.errors import ToolNotFoundError
from edu_contracts.redaction import (
    MaskedStr,
    connection_string_secrets,
    redact_connection_string,
)
from edu_contracts.services._paths import cache_dir
from edu_contracts.services._process import ManagedProcess, make_run_dir

__all__ = [
    "ACCOUNT_KEY",
    "ACCOUNT_NAME",
    "AZURITE_BIN_ENV",
    "AZURITE_VERSION",
    "DOWNLOAD_MB",
    "INSTALLED_MB",
    "AzuriteInfo",
    "EmbeddedAzurite",
    "connection_string",
    "find_azurite",
    "install_azurite",
    "start_embedded_azurite",
]

AZURITE_VERSION = "3.37.0"
AZURITE_BIN_ENV = "EDU_AZURITE_BIN"
ACCOUNT_NAME = "devstoreaccount1"
# Azurite's published, well-known development key; not a secret.
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
# What the pinned version costs, measured on a clean install of 3.37.0 (the npm
# cache's tarballs, the files' sizes): npm itself says nothing until it is done.
INSTALLED_MB = 220
DOWNLOAD_MB = 78
_LISTENING = re.compile(rb"listens on (https?://[^\s]+?):(\d+)")


def connection_string(queue_endpoint: str) -> str:
    """A connection string for the development account at ``queue_endpoint``."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT_NAME};"
        f"AccountKey={ACCOUNT_KEY};QueueEndpoint={queue_endpoint};"
    )


def _cached_bin() -> Path:
    return cache_dir() / f"azurite-{AZURITE_VERSION}" / "node_modules" / ".bin" / "azurite-queue"


def find_azurite(explicit: str | None = None) -> Path | None:
    """The ``azurite-queue`` executable if one is already here, else None."""
    if explicit:
        path = Path(explicit)
        if not path.exists():
            raise ToolNotFoundError(
                "the Azurite executable given does not exist",
                where=explicit,
                fix=f"point --edu-azurite-bin / {AZURITE_BIN_ENV} at an 'azurite-queue' executable,"
                " or leave it unset to install Azurite on first use",
            )
        return path
    on_path = shutil.which("azurite-queue")
    if on_path:
        return Path(on_path)
    cached = _cached_bin()
    return cached if cached.exists() else None


def install_azurite(*, quiet: bool = False) -> Path:
    """Install the pinned Azurite into the per-user cache (once; safe in parallel)."""
    target = cache_dir() / f"azurite-{AZURITE_VERSION}"
    target.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.parent / f"azurite-{AZURITE_VERSION}.lock"), timeout=600):
        if _cached_bin().exists():
            return _cached_bin()
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            raise ToolNotFoundError(
                "Azurite needs Node.js and npm, and neither 'node' nor 'npm' is on PATH",
                where="PATH",
                fix="install Node.js 18 or newer (e.g. apt-get install nodejs npm), or install "
                f"Azurite yourself and set {AZURITE_BIN_ENV} to its azurite-queue",
            )
        if not quiet:
            print(
                f"edu-contracts: installing Azurite {AZURITE_VERSION} with npm into {target} "
                f"(once; about {INSTALLED_MB} MB once unpacked, {DOWNLOAD_MB} MB to download)",
                file=sys.stderr,
                flush=True,
            )
        with _progress(target, quiet=quiet):
            result = _npm_install(npm, target)
        if not quiet and result.returncode == 0:
            print(
                f"edu-contracts: Azurite installed ({_megabytes(target)} MB)",
                file=sys.stderr,
                flush=True,
            )
        if result.returncode != 0 or not _cached_bin().exists():
            raise ToolNotFoundError(
                f"npm could not install azurite@{AZURITE_VERSION}",
                where=str(target),
                fix=f"npm said:\n{result.stderr[-2000:]}\nfix npm's access to its registry, or "
                f"install Azurite yourself and set {AZURITE_BIN_ENV}",
            )
        return _cached_bin()


def _megabytes(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total // 1_000_000


@contextlib.contextmanager
def _progress(target: Path, *, quiet: bool, every: float = 5.0) -> Iterator[None]:
    """A line every few seconds while npm works: it prints nothing for a minute."""
    if quiet:
        yield
        return
    done = threading.Event()
    started = time.monotonic()

    def report() -> None:
        while not done.wait(every):
            print(
                f"edu-contracts: installing Azurite... {_megabytes(target)} of about "
                f"{INSTALLED_MB} MB, {time.monotonic() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    thread = threading.Thread(target=report, name="edu-azurite-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _npm_install(npm: str, target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            npm,
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
            str(target),
            f"azurite@{AZURITE_VERSION}",
        ],
        capture_output=True,
        text=True,
    )


_LAUNCHER = Path(__file__).with_name("azurite_queue.js")


def _command(executable: Path) -> list[str]:
    """How to start ``executable``: the pinned Azurite through our launcher, which
    skips its telemetry stack (0.9 s of a 1.3 s start; see ``azurite_queue.js``);
    any other Azurite, or one we cannot place, as it ships."""
    main = executable.resolve()  # npm's bin link: .../azurite/dist/src/queue/main.js
    node = shutil.which("node")
    if node is None or main.name != "main.js" or len(main.parents) < 4:
        return [str(executable)]
    package = main.parents[3] / "package.json"
    try:
        meta = json.loads(package.read_text())
    except (OSError, ValueError):
        return [str(executable)]
    telemetry = main.parents[1] / "common" / "Telemetry.js"
    pinned = isinstance(meta, dict) and meta.get("version") == AZURITE_VERSION
    if not (pinned and meta.get("name") == "azurite" and telemetry.exists()):
        return [str(executable)]
    return [node, str(_LAUNCHER), str(main)]


@dataclass(frozen=True, repr=False)
class AzuriteInfo:
    """Where the queue service listens and how to reach it (repr masks the key)."""

    queue_endpoint: str
    connection_string_override: str | None = None

    @property
    def connection_string(self) -> MaskedStr:
        """The given connection string (external), else the development account's."""
        value = self.connection_string_override or connection_string(self.queue_endpoint)
        return MaskedStr(value, redact_connection_string(value))

    def secrets(self) -> tuple[str, ...]:
        """Credentials of a given connection string (the development key is public)."""
        if self.connection_string_override is None:
            return ()
        return connection_string_secrets(self.connection_string_override)

    def __repr__(self) -> str:
        return f"AzuriteInfo({self.queue_endpoint!r}, {self.connection_string!r})"


class EmbeddedAzurite:
    """One private Azurite queue service: ``spawn()``, ``wait_ready()``, ``stop()``."""

    def __init__(self, executable: str | None = None, *, detached: bool = False) -> None:
        self.executable = find_azurite(executable) or install_azurite()
        self.run_dir = make_run_dir("azurite", persistent=detached)
        self.process = ManagedProcess(
            name="Azurite (azurite-queue)",
            argv=[
                *_command(self.executable),
                "--inMemoryPersistence",
                "--queueHost",
                "127.0.0.1",
                "--queuePort",
                "0",
                "--disableTelemetry",
                "--skipApiVersionCheck",
                "--loose",
                "--silent",
            ],
            run_dir=self.run_dir,
            log_path=self.run_dir / "azurite.log",
            stop_signal=signal.SIGTERM,
            detached=detached,
        )
        self.info: AzuriteInfo | None = None

    def spawn(self) -> None:
        self.process.spawn()

    def wait_ready(self, timeout: float = 30.0) -> AzuriteInfo:
        def ready() -> bool:
            match = _LISTENING.search(self.process.log_path.read_bytes())
            if match is None:
                return False
            host, port = match.group(1).decode(), int(match.group(2))
            self.info = AzuriteInfo(f"{host}:{port}/{ACCOUNT_NAME}")
            return True

        self.process.wait_until(ready, timeout, "listening on a port")
        assert self.info is not None
        return self.info

    def stop(self) -> None:
        self.process.stop()


def start_embedded_azurite(executable: str | None = None, timeout: float = 30.0) -> EmbeddedAzurite:
    """Start a private Azurite and wait for it; the caller must ``stop()`` it."""
    service = EmbeddedAzurite(executable)
    started = time.monotonic()
    try:
        service.spawn()
        service.wait_ready(max(1.0, timeout - (time.monotonic() - started)))
    except BaseException:
        service.stop()
        raise
    return service
