"""Every random source of a seed: Python ``Random``, numpy, Faker, UUIDs and a clock.

Why streams are *derived by name* instead of drawn from one generator: a
factory graph or scenario that gains a table, or a test that builds one more
row, must not shift the values of everything built after it. Each consumer
asks for ``entropy.child("segments")`` and gets a stream that depends only on
the seed and the name. Derivation goes through BLAKE2 (never ``hash()``,
which is salted per process), so a seed means the same data in every process.

Nothing here touches module-level random state: ``random.seed``, numpy's
legacy global generator and ``Faker.seed`` are left alone, so factories never
change what other code in the test run draws.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from edu_contracts.errors import FactoryError, MissingDependencyError

if TYPE_CHECKING:
    from faker import Faker

__all__ = ["EPOCH", "Clock", "Entropy", "derive_seed"]

EPOCH: Final = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
"""Time zero of generated data; timestamps never depend on the wall clock."""

_LOCAL = threading.local()


def derive_seed(seed: int, *labels: str) -> int:
    """A 128-bit seed for the stream ``labels`` of ``seed``, equal in every process."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise FactoryError(
            f"seed must be a non-negative integer, got {seed!r}",
            where="Factories(seed=...) / --seed",
            fix="pass a whole number such as 0 or 42",
        )
    digest = hashlib.blake2b(str(seed).encode(), digest_size=16)
    for label in labels:
        digest.update(b"\x00" + label.encode())
    return int.from_bytes(digest.digest(), "big")


def _shared_faker() -> Faker:
    """One Faker per thread whose ``random`` each stream swaps in while it draws.

    Building a Faker costs about 1.5 ms (it instantiates every provider); a
    test that makes a thousand seeded graphs would spend most of its time
    there. Swapping the generator's ``Random`` is free and keeps streams
    independent.
    """
    faker: Faker | None = getattr(_LOCAL, "faker", None)
    if faker is None:
        try:
            from faker import Faker
        except ImportError as exc:  # pragma: no cover - faker ships with [testing]
            raise MissingDependencyError(
                "factories need the 'faker' package",
                fix="pip install 'edu-contracts[testing]'",
            ) from exc
        faker = Faker("en_US")
        _LOCAL.faker = faker
    return faker


class Entropy:
    """The random sources of one named stream of one seed."""

    __slots__ = ("labels", "numpy", "random", "seed")

    def __init__(self, seed: int, *labels: str) -> None:
        key = derive_seed(seed, *labels)
        self.seed = seed
        self.labels = labels
        self.random = random.Random(key)
        self.numpy = np.random.Generator(np.random.PCG64(key))

    def child(self, *labels: str) -> Entropy:
        """An independent stream; same seed and labels, same values."""
        return Entropy(self.seed, *self.labels, *labels)

    def uuid(self) -> uuid.UUID:
        """A version-4 UUID drawn from this stream (``uuid4()`` reads the OS)."""
        return uuid.UUID(int=self.random.getrandbits(128), version=4)

    def hex(self, length: int) -> str:
        """``length`` lowercase hex digits."""
        return f"{self.random.getrandbits(4 * length):0{length}x}"

    def chance(self, probability: float) -> bool:
        return self.random.random() < probability

    @contextmanager
    def faker(self) -> Iterator[Faker]:
        """The thread's Faker, drawing from this stream while the block runs."""
        faker = _shared_faker()
        proxy: Any = faker  # Faker's stubs omit the proxy's ``random`` property
        previous = proxy.random
        proxy.random = self.random
        try:
            yield faker
        finally:
            proxy.random = previous


class Clock:
    """A deterministic clock: every ``tick`` moves forward a random step.

    Rows take their timestamps from it in creation order, so a child is
    never older than its parent, and two runs of one seed agree to the
    microsecond.
    """

    __slots__ = ("_random", "now")

    def __init__(self, entropy: Entropy, start: dt.datetime = EPOCH) -> None:
        self._random = entropy.random
        self.now = start

    def tick(self, max_seconds: int = 600) -> dt.datetime:
        step = dt.timedelta(
            seconds=self._random.randint(1, max_seconds),
            microseconds=self._random.randrange(1_000_000),
        )
        self.now += step
        return self.now

    def after(self, moment: dt.datetime, *, max_seconds: int = 86_400) -> dt.datetime:
        """A moment after ``moment``, without moving the clock."""
        return moment + dt.timedelta(
            seconds=self._random.randint(1, max_seconds),
            microseconds=self._random.randrange(1_000_000),
        )
