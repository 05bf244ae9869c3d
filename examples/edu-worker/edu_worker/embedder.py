"""A deterministic, local embedder: no model download, no API key, same vector every run.

Feature hashing: every word, word pair and character trigram of a text is
hashed to one of 3072 buckets with a hashed sign, counts are damped
(``1 + log n``) and the vector is scaled to unit length. Texts that share
words share buckets, so their cosine distance is small; texts that share
nothing are nearly orthogonal. Trigrams make inflections close
("photosynthesis" and "photosynthetic"). Good enough to exercise storage,
the HNSW index and nearest-neighbour search for real; a production worker
would call an embedding model with the same ``embed`` signature.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
from edu_contracts.db.base import EMBEDDING_DIM

__all__ = ["Embedder", "EmptyTextError", "HashEmbedder"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_WEIGHTS = {"w": 1.0, "b": 0.5, "c": 0.25}


class EmptyTextError(ValueError):
    """The text has no word to embed (a zero vector has no direction)."""


class Embedder(Protocol):
    """What the worker needs from an embedding model."""

    model: str

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


class HashEmbedder:
    """``embed(texts)`` -> unit vectors of ``dim`` float32, one row per text."""

    def __init__(self, dim: int = EMBEDDING_DIM) -> None:
        self.dim = dim
        self.model = f"edu-hash-{dim}-v1"

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            counts = Counter(_features(text))
            if not counts:
                raise EmptyTextError(f"text {row} has no words to embed: {text[:40]!r}")
            for feature, count in counts.items():
                bucket, sign = self._slot(feature)
                matrix[row, bucket] += sign * _WEIGHTS[feature[0]] * (1.0 + math.log(count))
            matrix[row] /= np.linalg.norm(matrix[row])
        return matrix

    def _slot(self, feature: str) -> tuple[int, float]:
        digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        return digest % self.dim, 1.0 if digest >> 63 else -1.0


def _features(text: str) -> Iterable[str]:
    words = [w.lower() for w in _WORD.findall(text)]
    for word in words:
        yield "w:" + word
        padded = f"#{word}#"
        for start in range(len(padded) - 2):
            yield "c:" + padded[start : start + 3]
    for first, second in itertools.pairwise(words):
        yield f"b:{first} {second}"
