"""Child processes that die with their parent and leave no directory behind.

A test run can end by SIGKILL, where no ``finally`` runs. Two mechanisms keep
the machine clean anyway:

* every service is started with ``PR_SET_PDEATHSIG`` (set *after* dropping
  privileges, because the kernel clears it on a credential change), so the
  kernel stops it when the starting thread dies;
* every run directory holds an ``owner.pid`` file; the next start removes
  directories whose owner is gone (``reap_stale_dirs``).

Processes are spawned from the calling thread only; spawning from a pool
thread would tie the child's life to that short-lived thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from edu_contracts.errors import ServiceDiedError, ServiceStartError

__all__ = [
    "RUN_DIR_PREFIX",
    "ManagedProcess",
    "free_port",
    "make_run_dir",
    "pid_alive",
    "reap_stale_dirs",
    "run_roots",
    "stop_all",
    "tail",
]

_PR_SET_PDEATHSIG = 1
RUN_DIR_PREFIX = "edu-contracts-"


def _death_signal_hook(sig: int | None, uid: int | None, gid: int | None) -> Callable[[], None]:
    """Child set-up: own process group, drop privileges, then (unless detached,
    ``sig`` None) ask the kernel for ``sig`` when the parent dies."""
    libc = ctypes.CDLL(None, use_errno=True) if os.name == "posix" else None

    def hook() -> None:
        if sig is None:
            os.setsid()  # detached (reuse): outlive this run, ignore its terminal
        else:
            os.setpgrp()  # own group: a Ctrl-C aimed at pytest is handled by us
        if gid is not None:
            os.setgroups([])
            os.setgid(gid)
        if uid is not None:
            os.setuid(uid)
        if libc is not None and sig is not None:
            libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
            if os.getppid() == 1:  # parent died before prctl took effect
                os._exit(1)

    return hook


def free_port() -> int:
    """A port free right now on loopback (services that accept port 0 are preferred)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie still answers kill(0); read its state to tell
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


_SHM = Path("/dev/shm")
_SHM_MIN_FREE = 1 << 30


def run_roots() -> list[Path]:
    """Where run directories go: memory first (``/dev/shm`` with room to spare),
    because copying the cached cluster there is ten times faster than to a busy
    disk; then the temp dir. Reaping looks in both."""
    roots = [Path(tempfile.gettempdir())]
    with contextlib.suppress(OSError):
        stat = os.statvfs(_SHM)
        if os.access(_SHM, os.W_OK) and stat.f_bavail * stat.f_frsize >= _SHM_MIN_FREE:
            roots.insert(0, _SHM)
    return roots


def make_run_dir(kind: str, *, persistent: bool = False) -> Path:
    """A fresh temp directory marked with this process as its owner.

    A ``persistent`` one (services kept for ``--edu-reuse``) has no owner
    file, so ``reap_stale_dirs`` leaves it to ``edu-contracts stop``.
    """
    reap_stale_dirs()
    path = Path(tempfile.mkdtemp(prefix=f"{RUN_DIR_PREFIX}{kind}-", dir=run_roots()[0]))
    if not persistent:
        (path / "owner.pid").write_text(str(os.getpid()))
    path.chmod(0o755)
    return path


def reap_stale_dirs(root: Path | None = None) -> list[Path]:
    """Remove run directories whose owner process is gone (a killed run)."""
    removed: list[Path] = []
    candidates = [
        p for base in ([root] if root else run_roots()) for p in base.glob(f"{RUN_DIR_PREFIX}*")
    ]
    for candidate in candidates:
        owner = candidate / "owner.pid"
        try:
            pid = int(owner.read_text())
        except (OSError, ValueError):
            continue
        if pid_alive(pid):
            continue
        shutil.rmtree(candidate, ignore_errors=True)
        removed.append(candidate)
    return removed


def tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(log is empty)"


@dataclass
class ManagedProcess:
    """A service process, its log and its run directory, stopped as one."""

    name: str
    argv: Sequence[str]
    run_dir: Path
    log_path: Path
    cwd: Path | None = None
    env: dict[str, str] | None = None
    uid: int | None = None
    gid: int | None = None
    stop_signal: int = signal.SIGTERM
    owns_run_dir: bool = True
    detached: bool = False
    popen: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def spawn(self) -> None:
        log = self.log_path.open("ab")
        try:
            self.popen = subprocess.Popen(
                list(self.argv),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.cwd or self.run_dir,
                env=self.env,
                preexec_fn=_death_signal_hook(
                    None if self.detached else self.stop_signal, self.uid, self.gid
                ),
            )
        except OSError as exc:
            raise ServiceStartError(
                f"{self.name} could not be started: {exc}",
                where=" ".join(self.argv),
                fix="check that the executable exists and is runnable by this user",
            ) from exc
        finally:
            log.close()

    @property
    def pid(self) -> int:
        assert self.popen is not None, "spawn() first"
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll ``ready`` until true; fail fast, with the log, if the process exits."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            if not self.alive():
                raise ServiceStartError(
                    f"{self.name} exited while starting (code {self.returncode()})",
                    where=str(self.log_path),
                    fix=f"read the log's last lines:\n{tail(self.log_path)}",
                )
            if ready():
                return
            if time.monotonic() > deadline:
                raise ServiceStartError(
                    f"{self.name} did not become ready ({what}) within {timeout:.0f} s",
                    where=str(self.log_path),
                    fix=f"read the log's last lines:\n{tail(self.log_path)}",
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.1)

    def returncode(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def check_alive(self) -> None:
        """Raise a clear error if the service died under us (it is shared by many tests)."""
        if not self.alive():
            raise ServiceDiedError(
                f"{self.name} is no longer running (exit code {self.returncode()})",
                where=f"pid {self.popen.pid if self.popen else '?'}, log {self.log_path}",
                fix=f"the tail of its log says:\n{tail(self.log_path)}",
            )

    def signal_stop(self) -> None:
        """Ask the process to stop, without waiting (``stop_all`` waits for many at once)."""
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(self.stop_signal)

    def stop(self, timeout: float = 5.0) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.signal_stop()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self.popen.kill()
                self.popen.wait(timeout)
        if self.owns_run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)


def stop_all(processes: Sequence[ManagedProcess], timeout: float = 2.0) -> None:
    """Stop several services at once: signal all, then wait for all.

    The run waits for the slowest one, not the sum; a service that ignores its
    signal for ``timeout`` seconds is killed (they are throwaway by now).
    """
    for process in processes:
        process.signal_stop()
    for process in processes:
        process.stop(timeout)
