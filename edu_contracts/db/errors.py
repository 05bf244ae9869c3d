"""Database-layer branches of the error tree (all under ``EduContractsError``).

ServiceError
└── DatabaseUnavailableError   the server cannot be reached or refused us
MigrationError                 an Alembic step failed or was asked the impossible
VectorDimensionError           a query vector of the wrong width (also ValueError)
"""

from __future__ import annotations

from edu_contracts.errors import EduContractsError, ServiceError

__all__ = ["DatabaseUnavailableError", "MigrationError", "VectorDimensionError"]


class DatabaseUnavailableError(ServiceError):
    """Connecting failed: wrong host or port, server down, bad credentials."""


class MigrationError(EduContractsError):
    """Upgrading, downgrading or comparing the schema failed."""


class VectorDimensionError(EduContractsError, ValueError):
    """A vector does not have ``EMBEDDING_DIM`` components; also a ValueError
    because it is a bad argument."""
