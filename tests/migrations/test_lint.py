"""Lint judges the corpus: every bad revision is flagged with its rule, every safe one passes.

Each rule has a pair under ``corpus/versions``: ``bad_<rule>`` and its safe
recipe ``safe_<rule>`` (a recipe that needs two revisions chains
``safe_<rule>_1`` -> ``safe_<rule>``). The rule id is read from the file
name, so adding a rule without a pair fails ``test_every_rule_has_a_pair``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edu_contracts.cli import main
from edu_contracts.migrations.lint import lint
from edu_contracts.migrations.locks import LockMode
from edu_contracts.migrations.releases import previous_release, release_heads
from edu_contracts.migrations.rules import MigrationRule
from edu_contracts.registry.store import default_store

CORPUS = Path(__file__).parent / "corpus" / "versions"


def _rule_of(stem: str) -> str:
    return stem.split("_", 1)[1].replace("_", "-")


BAD = sorted(p.stem for p in CORPUS.glob("bad_*.py"))
SAFE = sorted(p.stem for p in CORPUS.glob("safe_*.py") if not p.stem.endswith("_1"))


def test_every_rule_has_a_pair() -> None:
    rules = {r.value for r in MigrationRule}
    assert {_rule_of(s) for s in BAD} == rules
    assert {_rule_of(s) for s in SAFE} == rules


@pytest.mark.parametrize("revision", BAD)
def test_bad_revision_is_flagged_with_its_rule(revision: str) -> None:
    result = lint("0001", revision, extra_versions=[CORPUS])
    assert _rule_of(revision) in result.rules(), [f.message for f in result.findings]
    finding = next(f for f in result.findings if f.rule.value == _rule_of(revision))
    assert finding.revision == revision
    assert finding.recipe
    assert finding.message


@pytest.mark.parametrize("revision", SAFE)
def test_safe_recipe_passes(revision: str) -> None:
    result = lint("0001", revision, extra_versions=[CORPUS])
    assert result.revisions[-1] == revision
    assert result.safe, [(f.rule.value, f.message) for f in result.findings]


def test_operations_report_lock_and_rewrite() -> None:
    result = lint("0001", "bad_volatile_default", extra_versions=[CORPUS])
    add = next(o for o in result.operations if o.kind == "add_column")
    assert add.lock is LockMode.ACCESS_EXCLUSIVE
    assert add.rewrites
    assert add.table == "documents"
    safe = lint("0001", "safe_volatile_default", extra_versions=[CORPUS])
    assert not any(o.rewrites for o in safe.operations)
    concurrent = lint("0001", "safe_index_not_concurrent", extra_versions=[CORPUS])
    build = next(o for o in concurrent.operations if o.kind == "create_index")
    assert build.lock is LockMode.SHARE_UPDATE_EXCLUSIVE
    assert not build.in_transaction


def test_the_package_revisions_since_the_release_are_safe(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["migrations", "lint", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["baseline"] == str(default_store().latest())
    assert out["ok"] is True


def test_cli_exit_codes_and_json_match_text(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["migrations", "lint", "--versions", str(CORPUS), "--to", "bad_set_not_null"]
    assert main([*args, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    (subject,) = data["subjects"]
    findings = subject["report"]["findings"]
    assert [f["change"] for f in findings] == ["set-not-null"]
    assert data["ok"] is False
    assert any(o["lock"] == "ACCESS EXCLUSIVE" for o in data["operations"])
    assert main(args) == 1
    text = capsys.readouterr().out
    assert "set-not-null" in text
    assert findings[0]["safe_path"].split()[0] in text
    assert "VALIDATE CONSTRAINT" in text
    assert "unsafe to deploy live" in text
    assert main(["migrations", "lint", "--to", "no_such_revision"]) == 2


def test_every_release_records_its_migration_head() -> None:
    heads = release_heads()
    for version in default_store().versions():
        assert str(version) in heads, f"release {version} has no line in release_heads.toml"
    assert previous_release().revision in heads.values()


def _draft(folder: Path, body: str) -> Path:
    folder.mkdir()
    (folder / "draft.py").write_text(
        'from alembic import op\n\nrevision = "draft"\ndown_revision = "0001"\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade() -> None:\n    {body}\n\n\ndef downgrade() -> None:\n    pass\n"
    )
    return folder


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('op.get_bind().execute("select 1")', "cannot be rendered offline"),
        ('op.execute("ALTER TABLE documents ADD COLUMN")', "SQL Postgres cannot parse"),
    ],
)
def test_a_revision_lint_cannot_read_is_a_usage_error(
    tmp_path: Path, body: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _draft(tmp_path / "draft", body)
    assert main(["migrations", "lint", "--versions", str(folder), "--to", "draft"]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert "draft.py" in err


def test_from_a_later_revision_follows_what_was_deployed_since_the_release() -> None:
    """``--from`` past the release head: the revisions in between are deployed, so the
    column safe_drop_in_use_1 added is known (and not the release's)."""
    result = lint("safe_drop_in_use_1", "safe_drop_in_use", extra_versions=[CORPUS])
    assert result.revisions == ("safe_drop_in_use",)
    assert result.safe, [f.message for f in result.findings]
    drop = next(o for o in result.operations if o.kind == "drop_column")
    assert drop.table == "document_segments"


def test_an_index_on_a_too_wide_vector_column_is_flagged(tmp_path: Path) -> None:
    """pgvector refuses HNSW on vector(3072): flagged even concurrently, with the halfvec cast
    as the recipe; the cast itself (the schema's own index shape) is not."""
    folder = _draft(
        tmp_path / "draft",
        'op.execute("CREATE INDEX ix_wide ON document_segments USING hnsw '
        '(embedding_vector vector_cosine_ops)")',
    )
    result = lint("0001", "draft", extra_versions=[folder])
    wide = [f for f in result.findings if "2,000 dimensions" in f.message]
    assert [f.rule for f in wide] == [MigrationRule.VECTOR_INDEX_BUILD]
    assert "halfvec" in wide[0].recipe


@pytest.mark.parametrize("budget", ["-1", "0", "soon"])
def test_rehearse_refuses_a_budget_that_is_not_a_positive_time(budget: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["migrations", "rehearse", "--budget", budget])
    assert exit_.value.code == 2
