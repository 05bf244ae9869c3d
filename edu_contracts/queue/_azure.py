"""The boundary with azure-storage-queue: names, clients and translated errors.

Everything that knows the SDK's exception types and client internals lives
here, so ``client.py`` reads as queue logic and an SDK upgrade touches one
file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit, urlunsplit

import requests
from azure.core.exceptions import (
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
)
from azure.core.pipeline.transport import RequestsTransport
from azure.storage.queue import (
    BinaryBase64DecodePolicy,
    BinaryBase64EncodePolicy,
    QueueClient,
    QueueMessage,
    TextBase64DecodePolicy,
    TextBase64EncodePolicy,
)
from urllib3.util.retry import Retry

from edu_contracts.errors import (
    ConfigurationError,
    EduContractsError,
    MissingDependencyError,
    ServiceError,
)

if TYPE_CHECKING:
    from azure.storage.queue.aio import QueueClient as AsyncQueueClient

__all__ = [
    "async_client_from_connection_string",
    "async_sibling_client",
    "aware",
    "azure_errors",
    "check_wire_policies",
    "client_from_connection_string",
    "message_text",
    "parallel",
    "sibling_client",
    "validate_queue_name",
]

_T = TypeVar("_T")
_R = TypeVar("_R")
_QUEUE_NAME: Final = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*")
_NAME_RULE: Final = (
    "use 3-63 characters: lowercase letters, digits and single hyphens, "
    "starting and ending with a letter or digit (e.g. 'edu-tasks')"
)


def validate_queue_name(name: str, *, reserve: int = 0) -> str:
    """Refuse a name Azure would refuse, before a request says only "400".

    ``reserve`` keeps room for a suffix (the poison queue's) within 63.
    """
    if not isinstance(name, str) or not 3 <= len(name) <= 63 - reserve:
        limit = 63 - reserve
        raise ConfigurationError(
            f"queue name {name!r} must be 3-{limit} characters long"
            + (f" (leaving room for a {reserve}-character poison suffix)" if reserve else ""),
            where="queue_name",
            fix=_NAME_RULE,
        )
    if not _QUEUE_NAME.fullmatch(name):
        raise ConfigurationError(
            f"queue name {name!r} is not a valid Azure Storage queue name",
            where="queue_name",
            fix=_NAME_RULE,
        )
    return name


def client_from_connection_string(
    connection_string: str, queue_name: str, *, pool_size: int, **options: Any
) -> QueueClient:
    """A QueueClient that leaves message text alone and can serve ``pool_size`` threads.

    The SDK's default HTTP pool keeps 10 connections; concurrent sends beyond
    that would open and drop a connection per request.
    """
    if "transport" not in options:
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=2,
            pool_maxsize=pool_size,
            max_retries=Retry(total=False, redirect=False, raise_on_status=False),
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        options["transport"] = RequestsTransport(session=session, session_owner=True)
    try:
        return QueueClient.from_connection_string(connection_string, queue_name, **options)
    except ValueError as exc:
        options["transport"].close()
        raise ConfigurationError(
            f"cannot use this connection string: {exc}",
            where="connection_string",
            fix="pass a storage connection string with AccountName, AccountKey "
            "and QueueEndpoint (for Azurite: the devstoreaccount1 string)",
        ) from exc


def async_client_from_connection_string(
    connection_string: str, queue_name: str, **options: Any
) -> AsyncQueueClient:
    """The aio twin of ``client_from_connection_string`` (aiohttp keeps its own pool)."""
    try:
        import aiohttp  # noqa: F401  (the SDK's aio transport; fail here, not on first request)
    except ImportError as exc:
        raise MissingDependencyError(
            "AsyncTaskQueue needs aiohttp, the Azure SDK's async transport",
            where="edu_contracts.queue.AsyncTaskQueue",
            fix="install the extra: pip install 'edu-contracts[aio]'",
        ) from exc
    from azure.storage.queue.aio import QueueClient as AioClient

    try:
        return AioClient.from_connection_string(connection_string, queue_name, **options)
    except ValueError as exc:
        raise ConfigurationError(
            f"cannot use this connection string: {exc}",
            where="connection_string",
            fix="pass a storage connection string with AccountName, AccountKey "
            "and QueueEndpoint (for Azurite: the devstoreaccount1 string)",
        ) from exc


def async_sibling_client(client: AsyncQueueClient, queue_name: str) -> AsyncQueueClient:
    """An aio client for another queue of the same account, with the same credential."""
    from azure.storage.queue.aio import QueueClient as AioClient

    parts = urlsplit(client.url)
    path = parts.path.rstrip("/").rsplit("/", 1)[0] + "/" + queue_name
    return AioClient.from_queue_url(
        urlunsplit(parts._replace(path=path)), credential=client.credential
    )


def check_wire_policies(client: QueueClient | AsyncQueueClient) -> None:
    """Refuse a client whose SDK policies would base64 the text a second time.

    Our codec already produces base64(JSON); a ``TextBase64EncodePolicy`` on
    top would put base64(base64(JSON)) on the wire, which edu-worker rejects.
    """
    encode_policy = getattr(client, "_message_encode_policy", None)
    decode_policy = getattr(client, "_message_decode_policy", None)
    if isinstance(encode_policy, TextBase64EncodePolicy | BinaryBase64EncodePolicy) or isinstance(
        decode_policy, TextBase64DecodePolicy | BinaryBase64DecodePolicy
    ):
        raise ConfigurationError(
            f"QueueClient for {client.queue_name!r} has a base64 message policy; "
            "TaskQueue's codec already base64-encodes, so text would be encoded twice",
            where="client",
            fix="create the QueueClient without message_encode_policy/message_decode_policy",
        )


def sibling_client(client: QueueClient, queue_name: str) -> QueueClient:
    """A client for another queue of the same account, with the same credential."""
    parts = urlsplit(client.url)
    path = parts.path.rstrip("/").rsplit("/", 1)[0] + "/" + queue_name
    return QueueClient.from_queue_url(
        urlunsplit(parts._replace(path=path)), credential=client.credential
    )


@contextmanager
def azure_errors(action: str, queue: str, endpoint: str) -> Iterator[None]:
    """Translate SDK errors into ``ServiceError`` naming the queue and the fix.

    Anything else the SDK or its transport raises (a parser's ``MemoryError``,
    a ``UnicodeEncodeError``) is translated too: callers catch one tree.
    """
    try:
        yield
    except AzureError as exc:
        raise _translate(exc, action, queue, endpoint) from exc
    except EduContractsError:
        raise
    except Exception as exc:
        raise ServiceError(
            f"could not {action}: {type(exc).__name__}: {str(exc)[:300]}",
            where=f"queue {queue!r} at {endpoint}",
            fix="retry; if it persists, report it with the azure-storage-queue version",
        ) from exc


def _translate(exc: AzureError, action: str, queue: str, endpoint: str) -> ServiceError:
    code = str(getattr(exc, "error_code", "") or "")
    summary = (str(exc.message or exc).strip().splitlines() or [type(exc).__name__])[0]
    where = f"queue {queue!r} at {endpoint}"
    if isinstance(exc, ServiceRequestError):
        fix = (
            "the queue service did not answer: start Azurite (or check the "
            "QueueEndpoint in the connection string and the network)"
        )
    elif isinstance(exc, ClientAuthenticationError):
        fix = "check AccountName and AccountKey (or the SAS token) of the connection string"
    elif code.endswith("QueueNotFound") or "QueueNotFound" in code:
        fix = "create the queue first: TaskQueue.create() (it is idempotent)"
    elif "MessageNotFound" in code or "PopReceiptMismatch" in code or "POP_RECEIPT" in code:
        fix = (
            "the message was acked already, or its visibility timeout ran out and "
            "another consumer took it: ack sooner or receive with a longer visibility_timeout"
        )
    elif "QueueBeingDeleted" in code:
        fix = "the queue is being deleted; retry after ~30 s or use a new name"
    elif isinstance(exc, ResourceNotFoundError | HttpResponseError):
        fix = f"the service refused ({code or 'HTTP error'}); see the message and its RequestId"
    else:
        fix = "retry; if it persists, check the service's health and logs"
    return ServiceError(f"could not {action}: {summary}", where=where, fix=fix)


def parallel(
    work: Callable[[_T], _R], items: Sequence[_T], concurrency: int
) -> list[_R | ServiceError]:
    """Run ``work`` over ``items`` on threads; each result or ServiceError, in order.

    ``concurrency`` is checked by the caller (``_core.check_concurrency``).
    """

    def attempt(item: _T) -> _R | ServiceError:
        try:
            return work(item)
        except ServiceError as exc:
            return exc

    if concurrency == 1 or len(items) <= 1:
        return [attempt(item) for item in items]
    with ThreadPoolExecutor(min(concurrency, len(items)), "edu-queue") as pool:
        return list(pool.map(attempt, items))


def message_text(item: QueueMessage) -> str:
    """The text as it was on the wire (no decode policy), '' for an empty message."""
    content = item.content
    return content if isinstance(content, str) else ""


def aware(moment: datetime | None) -> datetime | None:
    """Service timestamps are UTC; make sure they say so."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
