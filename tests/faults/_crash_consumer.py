"""A consumer fleet whose workers really die: run as ``python _crash_consumer.py CONFIG``.

The supervisor imports everything once, starts no thread, and forks worker
processes (a fork is ~10 ms; a fresh interpreter would be ~1 s per crash).
Each worker takes one message at a time from the queue, records it in
Postgres under a unique key (idempotent handling), then acks it. Messages
named in the plan kill their worker, with ``os._exit`` or ``SIGKILL``:

* ``before``: on the first delivery, before handling (nothing recorded);
* ``after``: on the first delivery, after handling and before the ack, so
  the message comes back and must not be handled twice;
* ``always``: on every delivery, so the queue must poison it once it has
  been delivered more than ``max_dequeue_count`` times.

A crashed worker is replaced; a worker that finds the queue empty for
``idle_exit`` seconds (longer than the visibility timeout, so redeliveries
have come back) exits cleanly. The supervisor prints its counts as JSON.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import zlib
from typing import Any

import psycopg

from edu_contracts.queue import TaskQueue

CRASH_EXIT_CODE = 137


def _die(message_id: str) -> None:
    if zlib.crc32(message_id.encode()) % 2:
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(CRASH_EXIT_CODE)


def worker(cfg: dict[str, Any], plans: dict[str, str]) -> None:
    queue = TaskQueue.from_connection_string(
        cfg["connection_string"], cfg["queue"], max_dequeue_count=cfg["max_dequeue_count"]
    )
    db = psycopg.connect(cfg["db"], autocommit=True)
    idle_since: float | None = None
    while True:
        tasks = queue.receive(max_messages=1, visibility_timeout=cfg["visibility_timeout"])
        if not tasks:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > cfg["idle_exit"]:
                return
            time.sleep(0.05)
            continue
        idle_since = None
        for task in tasks:
            message_id = str(task.message.message_id)
            plan = plans.get(message_id)
            crash = plan == "always" or (plan is not None and task.dequeue_count == 1)
            if crash and plan in {"before", "always"}:
                _die(message_id)
            inserted = db.execute(
                "INSERT INTO handled (message_id, pid, dequeue_count) VALUES (%s, %s, %s) "
                "ON CONFLICT (message_id) DO NOTHING",
                (message_id, os.getpid(), task.dequeue_count),
            ).rowcount
            if not inserted:
                db.execute(
                    "INSERT INTO duplicates (message_id, dequeue_count) VALUES (%s, %s)",
                    (message_id, task.dequeue_count),
                )
            if crash:  # plan "after": handled, never acked
                _die(message_id)
            queue.ack(task)


def _spawn(cfg: dict[str, Any], plans: dict[str, str]) -> int:
    pid = os.fork()
    if pid == 0:  # the worker
        code = 0
        try:
            worker(cfg, plans)
        except BaseException as exc:
            print(f"worker {os.getpid()} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            code = 1
        finally:
            os._exit(code)
    return pid


def main() -> int:
    cfg: dict[str, Any] = json.loads(sys.argv[1])
    with open(cfg["plans"]) as fh:
        plans: dict[str, str] = json.load(fh)
    counts = {"spawned": 0, "sigkill": 0, "exit_137": 0, "clean": 0, "errors": 0}
    deadline = time.monotonic() + cfg["timeout"]
    alive: set[int] = set()
    for _ in range(cfg["workers"]):
        alive.add(_spawn(cfg, plans))
        counts["spawned"] += 1
    while alive:
        if time.monotonic() > deadline:
            for pid in alive:
                os.kill(pid, signal.SIGKILL)
            counts["timed_out"] = len(alive)
            for pid in alive:
                os.waitpid(pid, 0)
            break
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            time.sleep(0.01)
            continue
        alive.discard(pid)
        crashed = False
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
            counts["sigkill"] += 1
            crashed = True
        elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == CRASH_EXIT_CODE:
            counts["exit_137"] += 1
            crashed = True
        elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
            counts["clean"] += 1
        else:
            counts["errors"] += 1
        if crashed:
            alive.add(_spawn(cfg, plans))
            counts["spawned"] += 1
    print(json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
