"""Database-layer branches of the error tree (all under ``EduContractsError``).

ServiceError
└── DatabaseUnavailableError   the server cannot be reached or refused us
MigrationError                 an Alembic step failed or was asked the impossible
VectorDimensionError           a query vector of the wrong width (also ValueError)
"""

from __future__ import annotations

from edu_contracts.errors import EduContractsError, ServiceError

__all__ = [
    "DatabaseUnavailableError",
    "MigrationError",
    "SearchArgumentError",
    "VectorDimensionError",
]


class DatabaseUnavailableError(ServiceError):
    """Connecting failed: wrong host or port, server down, bad credentials."""


class MigrationError(EduContractsError):
    """Upgrading, downgrading or comparing the schema failed."""


class SearchArgumentError(EduContractsError, ValueError):
    """A search was called with an argument it cannot use; also a ValueError
    so generic argument checks in callers keep working."""


class VectorDimensionError(SearchArgumentError):
    """A query vector does not have ``EMBEDDING_DIM`` components: it was
    embedded by a different model than the segments."""
