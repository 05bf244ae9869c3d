"""A table snapshot: every table's shape as a plain, sorted, JSON-ready dict.

Two sources produce the same shape, so one diff engine serves both questions
people ask: "does my model change break the released contract?" (metadata
against metadata) and "does this live database match?" (reflection against
metadata or a release). Released contracts store this dict as JSON, so it
must be stable: keys sorted, constraints keyed by their (naming-convention)
names, types spelled as PostgreSQL DDL with aliases folded (``FLOAT`` and
``DOUBLE PRECISION`` are one type).

Format 1::

    {"format": 1,
     "enums": {"document_status": ["pending", ...]},
     "tables": {"users": {
         "columns": {"email": {"type": "VARCHAR(320)", "nullable": false,
                               "default": null}, ...},
         "primary_key": {"name": "pk_users", "columns": ["id"]},
         "foreign_keys": {"fk_...": {"columns": [...], "referred_table": "users",
                          "referred_columns": ["id"], "ondelete": "CASCADE",
                          "onupdate": null}},
         "unique_constraints": {"uq_users_email": {"columns": ["email"]}},
         "check_constraints": {"ck_...": {"sqltext": "email = lower(email)"}},
         "indexes": {"ix_...": {"keys": ["project_id"], "unique": false,
                     "using": "btree", "ops": [null], "where": null}}}}}

Vector columns also carry ``"dimension": 3072``. SQL text (defaults, CHECK
bodies, index expressions) is kept as written for people to read; compare
it through :func:`normalize_sql`, because PostgreSQL re-renders what it
stores (``title::text``, added parentheses, ``'x'::my_enum``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.base import PGDialect, PGInspector
from sqlalchemy.engine import Inspector

from edu_contracts.db.url import DatabaseURL, URLLike
from edu_contracts.errors import ConfigurationError
from edu_contracts.tables._sql import normalize_sql

__all__ = [
    "SNAPSHOT_FORMAT",
    "normalize_sql",
    "snapshot_database",
    "snapshot_metadata",
]

SNAPSHOT_FORMAT = 1

_DIALECT = PGDialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves __init__ untyped

_TYPE_ALIASES = {
    "FLOAT": "DOUBLE PRECISION",
    "FLOAT(53)": "DOUBLE PRECISION",
    "REAL": "REAL",
    "FLOAT(24)": "REAL",
    "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
    "TIME WITHOUT TIME ZONE": "TIME",
}
"""DDL spellings PostgreSQL stores as one type; folded so drift sees no change."""

_VECTOR_TYPE = re.compile(r"^(VECTOR|HALFVEC|SPARSEVEC)\((\d+)\)$")

_JSONB_LITERAL = re.compile(r"^'(.*)'::jsonb$", re.DOTALL)

# Tables a migration tool owns in the same schema; not part of any contract.
_IGNORED_TABLES = frozenset({"alembic_version"})


def _type_name(type_: sa.types.TypeEngine[Any]) -> str:
    try:
        compiled = type_.compile(dialect=_DIALECT)
    except sa.exc.CompileError:  # a type PostgreSQL cannot spell: keep its class name
        compiled = type(type_).__name__.upper()
    compiled = " ".join(compiled.split())
    return _TYPE_ALIASES.get(compiled, compiled)


def _canonical_default(default: str | None) -> str | None:
    """A JSONB default with its keys sorted: PostgreSQL stores jsonb keys in its
    own order, so ``'{"nodes": [], "edges": []}'`` comes back reordered."""
    match = _JSONB_LITERAL.match(default or "")
    if not match:
        return default
    try:
        value = json.loads(match.group(1).replace("''", "'"))
    except ValueError:
        return default
    text = json.dumps(value, sort_keys=True, separators=(", ", ": "))
    return "'" + text.replace("'", "''") + "'::jsonb"


def _column(type_: sa.types.TypeEngine[Any], nullable: bool, default: str | None) -> dict[str, Any]:
    name = _type_name(type_)
    entry: dict[str, Any] = {
        "type": name,
        "nullable": bool(nullable),
        "default": _canonical_default(default),
    }
    match = _VECTOR_TYPE.match(name)
    if match:
        entry["dimension"] = int(match.group(2))
    return entry


def _sorted(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: mapping[key] for key in sorted(mapping)}


# --- from metadata ------------------------------------------------------------


def _compile(clause: Any) -> str:
    if isinstance(clause, str):
        return "'" + clause.replace("'", "''") + "'"
    return str(clause.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))


def _server_default(column: sa.Column[Any]) -> str | None:
    default = column.server_default
    if default is None:
        return None
    if isinstance(default, sa.DefaultClause):
        return _compile(default.arg)
    return None  # FetchedValue / Computed markers: the server decides, no contract text


def _metadata_table(table: sa.Table) -> dict[str, Any]:
    columns = {
        col.name: _column(col.type, col.nullable is not False, _server_default(col))
        for col in table.columns
    }
    pk = table.primary_key
    foreign_keys: dict[str, Any] = {}
    uniques: dict[str, Any] = {}
    checks: dict[str, Any] = {}
    for constraint in table.constraints:
        name = str(constraint.name)
        if isinstance(constraint, sa.ForeignKeyConstraint):
            foreign_keys[name] = {
                "columns": [c.name for c in constraint.columns],
                "referred_table": constraint.referred_table.name,
                "referred_columns": [el.column.name for el in constraint.elements],
                "ondelete": (constraint.ondelete or None) and constraint.ondelete.upper(),
                "onupdate": (constraint.onupdate or None) and constraint.onupdate.upper(),
            }
        elif isinstance(constraint, sa.UniqueConstraint):
            uniques[name] = {"columns": [c.name for c in constraint.columns]}
        elif isinstance(constraint, sa.CheckConstraint):
            checks[name] = {"sqltext": _compile(constraint.sqltext)}
    indexes: dict[str, Any] = {}
    for index in table.indexes:
        options = index.dialect_options["postgresql"]
        ops = options.get("ops") or {}
        keys = [
            expr.name if isinstance(expr, sa.Column) else _compile(expr)
            for expr in index.expressions
        ]
        where = options.get("where")
        indexes[str(index.name)] = {
            "keys": keys,
            "unique": bool(index.unique),
            "using": (options.get("using") or "btree").lower(),
            "ops": [ops.get(key) for key in keys],
            "where": None if where is None else _compile(where),
        }
    return {
        "columns": _sorted(columns),
        "primary_key": {"name": str(pk.name), "columns": [c.name for c in pk.columns]},
        "foreign_keys": _sorted(foreign_keys),
        "unique_constraints": _sorted(uniques),
        "check_constraints": _sorted(checks),
        "indexes": _sorted(indexes),
    }


def snapshot_metadata(metadata: sa.MetaData | None = None) -> dict[str, Any]:
    """The snapshot of ``metadata`` (default: the canonical models' metadata).

    Only server-side defaults count: a Python ``default=`` helps this ORM and
    no other service writing to the shared database.
    """
    if metadata is None:
        import edu_contracts.db.models  # noqa: F401  (registers every table)
        from edu_contracts.db.base import Base

        metadata = Base.metadata
    enums: dict[str, list[str]] = {}
    for table in metadata.tables.values():
        for col in table.columns:
            if isinstance(col.type, sa.Enum) and col.type.name:
                enums[col.type.name] = list(col.type.enums)
    tables = {t.name: _metadata_table(t) for t in metadata.tables.values()}
    return {"format": SNAPSHOT_FORMAT, "enums": _sorted(enums), "tables": _sorted(tables)}


# --- from a live database -----------------------------------------------------


def _reflect_table(inspector: Inspector, name: str, schema: str | None) -> dict[str, Any]:
    columns = {
        col["name"]: _column(col["type"], col["nullable"], col.get("default"))
        for col in inspector.get_columns(name, schema=schema)
    }
    pk = inspector.get_pk_constraint(name, schema=schema)
    foreign_keys = {
        str(fk["name"]): {
            "columns": list(fk["constrained_columns"]),
            "referred_table": fk["referred_table"],
            "referred_columns": list(fk["referred_columns"]),
            "ondelete": (fk["options"].get("ondelete") or "").upper() or None,
            "onupdate": (fk["options"].get("onupdate") or "").upper() or None,
        }
        for fk in inspector.get_foreign_keys(name, schema=schema)
    }
    uniques = {
        str(uq["name"]): {"columns": list(uq["column_names"])}
        for uq in inspector.get_unique_constraints(name, schema=schema)
    }
    checks = {
        str(ck["name"]): {"sqltext": ck["sqltext"]}
        for ck in inspector.get_check_constraints(name, schema=schema)
    }
    indexes: dict[str, Any] = {}
    for ix in inspector.get_indexes(name, schema=schema):
        if ix.get("duplicates_constraint"):
            continue  # the index behind a UNIQUE constraint, already listed as one
        expressions = ix.get("expressions") or []
        keys = [
            col if col is not None else expressions[i] for i, col in enumerate(ix["column_names"])
        ]
        options = ix.get("dialect_options", {})
        ops = options.get("postgresql_ops") or {}
        indexes[str(ix["name"])] = {
            "keys": keys,
            "unique": bool(ix["unique"]),
            "using": (options.get("postgresql_using") or "btree").lower(),
            "ops": [ops.get(key) for key in keys],
            "where": options.get("postgresql_where"),
        }
    return {
        "columns": _sorted(columns),
        "primary_key": {"name": str(pk.get("name")), "columns": list(pk["constrained_columns"])},
        "foreign_keys": _sorted(foreign_keys),
        "unique_constraints": _sorted(uniques),
        "check_constraints": _sorted(checks),
        "indexes": _sorted(indexes),
    }


def snapshot_database(url: URLLike, *, schema: str | None = None) -> dict[str, Any]:
    """The snapshot of a live database, by reflection (read-only).

    ``alembic_version`` is left out: it is the migration tool's bookkeeping,
    not a table any service reads. Raises ``ConfigurationError`` naming the
    (password-free) URL when the server cannot be reached or read.
    """
    import pgvector.sqlalchemy  # noqa: F401  (teaches reflection the vector types)

    parsed = DatabaseURL.parse(url)
    engine = sa.create_engine(parsed.sqlalchemy(), poolclass=sa.NullPool)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert isinstance(inspector, PGInspector)  # DatabaseURL admits PostgreSQL only
            names = sorted(
                n for n in inspector.get_table_names(schema=schema) if n not in _IGNORED_TABLES
            )
            tables = {n: _reflect_table(inspector, n, schema) for n in names}
            enums = {
                e["name"]: list(e["labels"]) for e in inspector.get_enums(schema=schema or "public")
            }
    except sa.exc.SQLAlchemyError as exc:
        raise ConfigurationError(
            f"cannot read the database schema: {type(exc.orig or exc).__name__}"
            if isinstance(exc, sa.exc.DBAPIError)
            else f"cannot read the database schema: {type(exc).__name__}",
            where=parsed.redacted(),
            fix="check that the server runs, the database exists and the user may read it",
        ) from exc
    finally:
        engine.dispose()
    return {"format": SNAPSHOT_FORMAT, "enums": _sorted(enums), "tables": tables}
