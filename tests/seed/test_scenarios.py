"""Scenario files: shipped, validated, and the totals they promise are the rows they make."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from edu_contracts.errors import SeedError
from edu_contracts.seed.rows import scenario_rows
from edu_contracts.seed.scenario import load_scenario, scenario_names


def test_shipped_scenarios() -> None:
    assert {"tiny", "demo", "load"} <= set(scenario_names())


def test_load_has_over_100k_embedded_segments() -> None:
    assert load_scenario("load").embedded_segments >= 100_000


@pytest.mark.parametrize("name", ["tiny", "demo"])
def test_totals_are_the_rows_generated(name: str) -> None:
    scenario = load_scenario(name)
    made = collections.Counter(table for table, _ in scenario_rows(scenario, 42))
    assert dict(made) == {t: n for t, n in scenario.totals().items() if n}


def test_tiny_touches_every_table() -> None:
    assert all(load_scenario("tiny").totals().values())


def test_unknown_scenario_lists_the_known_ones() -> None:
    with pytest.raises(SeedError, match="unknown scenario 'big'") as caught:
        load_scenario("big")
    assert "demo" in (caught.value.fix or "")


def test_a_misspelt_key_is_refused(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "edu_contracts/seed/scenarios/tiny.toml").read_text()
    path = tmp_path / "mine.toml"
    path.write_text(text.replace("chats = 1", "chatz = 1"))
    with pytest.raises(SeedError, match="missing 'chats'"):
        load_scenario(path)
    path.write_text(text.replace("failed = 0.0", "failed = 1.5"))
    with pytest.raises(SeedError, match="failed must be a share"):
        load_scenario(path)
