"""Small helpers the model modules share, so every FK and CHECK reads the same way."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import MappedColumn, mapped_column

__all__ = ["OnDelete", "fk", "non_empty", "owned"]

OnDelete = Literal["CASCADE", "SET NULL", "RESTRICT"]


def fk(
    target: str, *, ondelete: OnDelete, nullable: bool = False, index: bool = True
) -> MappedColumn[Any]:
    """A UUID foreign-key column whose ON DELETE is always spelled out.

    Indexed by default: Postgres does not index the referencing side, and
    every cascade or SET NULL from the parent would otherwise scan the table.
    """
    return mapped_column(
        sa.Uuid(),
        sa.ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
        index=index,
    )


def owned(target: str, *, index: bool = True) -> MappedColumn[uuid.UUID]:
    """A required parent reference: the row lives and dies with its parent.

    Pass ``index=False`` only when a unique key already leads with the column.
    """
    return fk(target, ondelete="CASCADE", index=index)


def non_empty(column: str) -> sa.CheckConstraint:
    """CHECK that a text column holds a visible character (a title of spaces,
    tabs or newlines is no title); ``btrim`` alone would only strip spaces."""
    return sa.CheckConstraint(rf"{column} ~ '\S'", name=f"{column}_not_blank")
