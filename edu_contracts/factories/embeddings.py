"""Unit-norm 3072-d embeddings, optionally clustered so nearest-neighbour tests mean something.

Uniform random vectors in 3072 dimensions are all nearly orthogonal, so a
search over them returns arbitrary rows and a test can assert nothing. Here
each cluster (one per document by default) has a random unit centroid, and
its members are ``normalise(centroid + spread * noise)`` with noise of unit
expected length. Expected cosine similarity is about ``1 / (1 + spread²)``
between members of one cluster and about 0 (± 0.02) across clusters, a gap
that survives the HNSW index's half-precision cast and its approximation:
the nearest rows to a cluster's query vector are that cluster's rows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from edu_contracts.db.base import EMBEDDING_DIM
from edu_contracts.errors import FactoryError
from edu_contracts.factories.streams import Entropy

__all__ = ["DEFAULT_SPREAD", "EmbeddingSpace", "Vectors", "unit_rows"]

DEFAULT_SPREAD = 0.8
"""Within-cluster cosine ≈ 0.6, centroid-to-member ≈ 0.78, across clusters ≈ 0."""

Vectors = npt.NDArray[np.float32]


def unit_rows(matrix: Vectors) -> Vectors:
    """Scale every row to length 1 (in place, and returned)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix)
    return matrix


class EmbeddingSpace:
    """Draws embeddings for one seed; clusters are named, so they are reproducible.

    ``centroid("doc-id")`` is the same vector for the same seed and name in
    any process, so a segment added to an existing document later still
    lands in that document's cluster.
    """

    def __init__(
        self, entropy: Entropy, *, dim: int = EMBEDDING_DIM, spread: float = DEFAULT_SPREAD
    ) -> None:
        if dim < 2 or spread < 0:
            raise FactoryError(
                f"an embedding space needs dim >= 2 and spread >= 0 (got {dim}, {spread})",
                where="EmbeddingSpace",
                fix="use the defaults (3072 dimensions, spread 0.8)",
            )
        self.dim = dim
        self.spread = spread
        self._entropy = entropy
        self._centroids: dict[str, Vectors] = {}

    def centroid(self, name: str) -> Vectors:
        """The unit centre of cluster ``name``."""
        found = self._centroids.get(name)
        if found is None:
            rng = self._entropy.child("centroid", name).numpy
            found = unit_rows(rng.standard_normal((1, self.dim), dtype=np.float32))[0]
            self._centroids[name] = found
        return found

    def around(
        self, centroid: Vectors, count: int, rng: np.random.Generator | None = None
    ) -> Vectors:
        """``count`` unit vectors scattered around ``centroid``, as float32 rows."""
        generator = rng if rng is not None else self._entropy.numpy
        # Uniform noise, centred and scaled to unit variance per coordinate: in 3072
        # dimensions the cosines depend only on that variance (they are sums of
        # thousands of terms), and numpy draws uniforms 3.5x faster than normals,
        # which is a third of a seeded segment's cost.
        noise = generator.random((count, self.dim), dtype=np.float32)
        noise -= np.float32(0.5)
        noise *= np.float32(self.spread * np.sqrt(12.0) / np.sqrt(self.dim))
        noise += centroid
        return unit_rows(noise)

    def cluster(self, name: str, count: int) -> Vectors:
        """``count`` members of cluster ``name``, drawn from the space's own stream."""
        return self.around(self.centroid(name), count)

    def scattered(self, count: int) -> Vectors:
        """Unclustered unit vectors, for data where neighbourhoods do not matter."""
        return unit_rows(self._entropy.numpy.standard_normal((count, self.dim), dtype=np.float32))
