"""The lock facts the rules stand on, statement by statement, from parsed SQL."""

from __future__ import annotations

import pytest
from pglast import parse_sql

from edu_contracts.migrations.locks import Cost, LockMode, effect, volatile_default
from edu_contracts.migrations.sqltypes import SqlType, is_binary_coercible, parse_type

AE, SUE = LockMode.ACCESS_EXCLUSIVE, LockMode.SHARE_UPDATE_EXCLUSIVE
SRE = LockMode.SHARE_ROW_EXCLUSIVE


def _node(sql: str) -> object:
    (raw,) = parse_sql(sql)
    return raw.stmt


@pytest.mark.parametrize(
    ("sql", "mode", "cost"),
    [
        ("CREATE INDEX i ON t (a)", LockMode.SHARE, Cost.BUILD),
        ("CREATE INDEX CONCURRENTLY i ON t (a)", SUE, Cost.BUILD),
        ("ALTER TABLE t ADD COLUMN a int", AE, Cost.INSTANT),
        ("ALTER TABLE t ADD COLUMN a int DEFAULT 0", AE, Cost.INSTANT),
        ("ALTER TABLE t ADD COLUMN a float8 DEFAULT random()", AE, Cost.REWRITE),
        ("ALTER TABLE t ADD COLUMN a bigserial", AE, Cost.REWRITE),
        ("ALTER TABLE t ALTER COLUMN a SET NOT NULL", AE, Cost.SCAN),
        ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0)", AE, Cost.SCAN),
        ("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", AE, Cost.INSTANT),
        ("ALTER TABLE t VALIDATE CONSTRAINT c", SUE, Cost.SCAN),
        ("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id)", SRE, Cost.SCAN),
        ("ALTER TABLE t ADD CONSTRAINT u UNIQUE (a)", AE, Cost.BUILD),
        ("ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i", AE, Cost.INSTANT),
        ("DROP INDEX CONCURRENTLY i", SUE, Cost.INSTANT),
    ],
)  # fmt: skip
def test_lock_and_cost_of_each_statement(sql: str, mode: LockMode, cost: Cost) -> None:
    found = effect(_node(sql))
    assert (found.mode, found.cost) == (mode, cost)


def test_type_change_cost_depends_on_the_old_type() -> None:
    node = _node("ALTER TABLE t ALTER COLUMN a TYPE varchar(1000)")
    assert effect(node, parse_type("VARCHAR(500)")).cost is Cost.INSTANT
    assert effect(node, parse_type("VARCHAR(2000)")).cost is Cost.REWRITE
    assert effect(node, parse_type("INTEGER")).rewrites


def test_set_not_null_proved_by_a_validated_check_is_catalog_only() -> None:
    node = _node("ALTER TABLE t ALTER COLUMN a SET NOT NULL")
    assert effect(node, proved_not_null=True).cost is Cost.INSTANT


@pytest.mark.parametrize(
    ("default", "volatile"),
    [("now()", False), ("0", False), ("gen_random_uuid()", True), ("clock_timestamp()", True),
     ("my_func()", True)],
)  # fmt: skip
def test_volatile_defaults(default: str, volatile: bool) -> None:
    node = _node(f"ALTER TABLE t ADD COLUMN a text DEFAULT {default}")
    assert (volatile_default(node.cmds[0].def_) is not None) is volatile  # type: ignore[attr-defined]


def test_modes_say_what_they_block() -> None:
    assert LockMode.ACCESS_EXCLUSIVE.blocks_reads
    assert LockMode.SHARE.blocks_writes
    assert not LockMode.SHARE.blocks_reads
    assert not LockMode.SHARE_UPDATE_EXCLUSIVE.blocks_writes


@pytest.mark.parametrize(
    ("old", "new", "coercible"),
    [
        ("VARCHAR(200)", SqlType("varchar", (300,)), True),
        ("VARCHAR(200)", SqlType("varchar", (100,)), False),
        ("VARCHAR(200)", SqlType("text"), True),
        ("TEXT", SqlType("varchar", (10,)), False),
        ("NUMERIC(10, 2)", SqlType("numeric", (12, 2)), True),
        ("NUMERIC(10, 2)", SqlType("numeric", (12, 3)), False),
        ("VECTOR(3072)", SqlType("vector", (1536,)), False),
        ("VECTOR(3072)", SqlType("halfvec", (3072,)), False),
        ("TIMESTAMP WITH TIME ZONE", SqlType("timestamptz"), True),
    ],
)
def test_binary_coercible_changes(old: str, new: SqlType, coercible: bool) -> None:
    assert is_binary_coercible(parse_type(old), new) is coercible
