"""The next run removes what a killed run left on the servers, with proof of ownership.

A run killed with SIGKILL runs no cleanup: its databases (a template that
refuses connections among them) and queues stay on an external server.
The next run that reaches the same servers reaps each service when it first
reaches it (``DatabaseJanitor.reap``, :func:`reap_queues`): a database or
queue goes only if its ownership marker verifies with this user's key and its
owner process is certainly gone (``Marker.owner_gone``). Anything unmarked,
foreign, or of a live run stays.
"""

from __future__ import annotations

import sys

from edu_contracts.services.ownership import METADATA_KEY, Marker

__all__ = ["POISON_SUFFIX", "QUEUE_PREFIX", "queue_marker", "reap_queues"]

QUEUE_PREFIX = "edu-"
POISON_SUFFIX = "-poison"


def queue_marker(name: str, metadata: dict[str, str] | None) -> Marker | None:
    """The verified marker of a queue; a poison queue carries its main queue's."""
    text = (metadata or {}).get(METADATA_KEY)
    marker = Marker.verify(text, name)
    if marker is None and name.endswith(POISON_SUFFIX):
        marker = Marker.verify(text, name.removesuffix(POISON_SUFFIX))
    return marker


def reap_queues(connection_string: str) -> list[str]:
    from azure.core.exceptions import AzureError, ResourceNotFoundError
    from azure.storage.queue import QueueServiceClient

    deleted: list[str] = []
    account = QueueServiceClient.from_connection_string(connection_string, retry_total=1)
    try:
        for queue in account.list_queues(name_starts_with=QUEUE_PREFIX, include_metadata=True):
            marker = queue_marker(queue.name, queue.metadata)
            if marker is None or not marker.owner_gone():
                continue
            try:
                account.delete_queue(queue.name)
            except ResourceNotFoundError:
                continue
            deleted.append(queue.name)
    except AzureError as exc:
        print(
            f"edu-contracts: could not look for leftover queues: {type(exc).__name__}",
            file=sys.stderr,
        )
    finally:
        account.close()
    return deleted
