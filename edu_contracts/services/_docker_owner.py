"""Who owns a container, and the proof that the owner is gone.

A container of the docker backend is labelled with the host, boot id, pid
and process start time of the run that created it. Ryuk may be disabled
(its image cannot always be pulled), so the next run removes containers
whose owner is provably gone, as the embedded backend does with its run
directories. "Provably": same host, and another boot, a dead pid, or a pid
reused by another process; a container from another host is never judged.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from edu_contracts.services._process import pid_alive

__all__ = ["LABEL_OWNER", "owner_gone", "owner_label"]

LABEL_OWNER = "org.edu-contracts.owner"  # host/boot id/pid/start ticks of its run's process


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "-"


def _start_ticks(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "-"


def owner_label(pid: int | None = None) -> str:
    """Who owns a container: enough to prove later that the owner is gone."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}/{_boot_id()}/{pid}/{_start_ticks(pid)}"


def owner_gone(label: str) -> bool:
    """True only when it is provable: same host, and another boot or a dead pid."""
    try:
        host, boot, pid_text, ticks = label.rsplit("/", 3)
        pid = int(pid_text)
    except ValueError:
        return False  # not a label we wrote: not ours to judge
    if host != socket.gethostname():
        return False  # another machine's process: cannot be checked from here
    if boot != _boot_id():
        return True
    return not pid_alive(pid) or (ticks not in ("-", _start_ticks(pid)))
