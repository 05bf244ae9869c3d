"""The canonical Postgres layer every edu service shares.

``base`` (declarative base, naming convention, ``EMBEDDING_DIM``), ``enums``,
``models`` (the 15 tables), ``types`` (pydantic-typed JSONB), ``search``
(project-scoped nearest segments over the halfvec HNSW index), ``migrate``
(Alembic driven from code) and ``url`` (accepting URLs as people paste them).

Nothing is imported here: ``edu_contracts.db.url`` should not cost the
import of every model, and the models should not be half-imported by a
cycle through this file.
"""

__all__ = []
