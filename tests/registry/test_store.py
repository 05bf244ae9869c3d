"""Shipped releases load by version; their golden messages still validate and decode."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from edu_contracts.errors import ContractFileError, VersionError
from edu_contracts.queue.codec import decode
from edu_contracts.registry import (
    ContractStore,
    Version,
    default_store,
    latest_version,
    load_message_schema,
    load_tables,
    load_task_schemas,
    mode_for,
    parse_version,
)
from edu_contracts.registry.config import DEFAULT_MODES, load_modes
from edu_contracts.registry.files import MAX_FILE_BYTES, read_json
from edu_contracts.schemas.queue import CONTRACT_VERSION, TASK_TYPES

SEED = {
    "type": "document_processing",
    "data": {
        "document_id": "6b1f7a52-51a4-4a57-a8a8-1f3e0c3a8a11",
        "project_id": "1e0a9c55-3a8e-4c1b-9d6c-9f7e2b1c4d22",
        "user_id": "0c7d3f4e-8a2b-4e6f-b1c9-5d8e7f6a9b33",
    },
}


def test_the_current_contract_version_is_released() -> None:
    assert latest_version() == CONTRACT_VERSION
    assert Version(1, 0, 0) in default_store().versions()


def test_release_1_0_0_loads_by_version() -> None:
    schema = load_message_schema("1.0.0")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(load_task_schemas("1.0.0")) == set(TASK_TYPES)
    tables = load_tables("1.0.0")
    assert len(tables["tables"]) == 15
    Draft202012Validator(schema).validate(SEED)


def test_every_golden_message_validates_against_its_release_and_decodes_today() -> None:
    store = default_store()
    for version in store.versions():
        validator = Draft202012Validator(store.message_schema(version))
        examples = store.examples(version)
        assert {name.split(".")[0] for name in examples} == set(TASK_TYPES)
        for name, message in examples.items():
            validator.validate(message)
            decoded = decode(base64.b64encode(json.dumps(message).encode()))
            assert decoded.type == message["type"], name


def test_unknown_and_malformed_versions_are_version_errors() -> None:
    with pytest.raises(VersionError, match="not released"):
        load_message_schema("9.9.9")
    for bad in ("1.0", "v1.0.0", "1.0.0-rc1", "01.0.0", ""):
        with pytest.raises(VersionError, match="not a contract version"):
            parse_version(bad)
    assert parse_version("1.10.0") > parse_version("1.9.0")


def test_modes_default_per_subject_and_can_be_overridden(tmp_path: Path) -> None:
    assert mode_for("messages/document_processing", DEFAULT_MODES).value == "FULL_TRANSITIVE"
    assert mode_for("tables", DEFAULT_MODES).value == "BACKWARD"
    (tmp_path / "compatibility.json").write_text('{"messages/quiz_generation": "backward"}')
    modes = load_modes(tmp_path)
    assert mode_for("messages/quiz_generation", modes).value == "BACKWARD"
    assert mode_for("messages/note_generation", modes).value == "FULL_TRANSITIVE"
    (tmp_path / "compatibility.json").write_text('{"tables": "SIDEWAYS"}')
    with pytest.raises(ContractFileError, match="SIDEWAYS") as info:
        load_modes(tmp_path)
    assert "'tables'" in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b'{"type": ', "not JSON"),
        (b"[1, 2]", "expected a JSON object, found a array"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
    ids=["empty", "blank", "truncated", "array", "latin1", "deep"],
)
def test_bad_files_name_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "schema.json"
    path.write_bytes(content)
    with pytest.raises(ContractFileError) as info:
        read_json(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_missing_and_huge_files(tmp_path: Path) -> None:
    with pytest.raises(ContractFileError, match="file not found"):
        read_json(tmp_path / "nope.json")
    huge = tmp_path / "huge.json"
    with huge.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(ContractFileError, match="over the"):
        read_json(huge)


def test_a_store_elsewhere_with_nothing_released(tmp_path: Path) -> None:
    store = ContractStore(tmp_path)
    assert store.versions() == []
    assert store.latest() is None


def test_cached_code_files_equal_fresh_ones_and_follow_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh CLI process reads the code's contract from the cache; it must be
    exactly what the code computes, and a changed source must miss the cache."""
    import subprocess
    import sys

    from edu_contracts import _cache
    from edu_contracts.registry import _code_cache

    monkeypatch.setenv(_cache.CACHE_ENV, str(tmp_path))
    probe = (
        "import json, sys; from edu_contracts.registry._code_cache import code_files; "
        "files = code_files(); "
        "print(json.dumps({'sa': 'sqlalchemy' in sys.modules, 'files': files}))"
    )
    runs = [
        json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True,
                                  text=True, check=True).stdout)
        for _ in range(2)
    ]  # fmt: skip
    assert runs[0]["sa"] is True  # the first run computed it
    assert runs[1]["sa"] is False  # the second read it without importing SQLAlchemy
    assert runs[0]["files"] == runs[1]["files"] == _code_cache._compute()
    key = _cache.source_key(_code_cache._SOURCES, _code_cache._LIBRARIES)
    assert (tmp_path / "code-contracts" / f"{key}.json").exists()
    import shutil

    copy = tmp_path / "package"
    for folder in _code_cache._SOURCES:
        shutil.copytree(_cache._PACKAGE / folder, copy / folder)
    assert _cache.source_key(_code_cache._SOURCES, _code_cache._LIBRARIES, package=copy) == key
    message = copy / "schemas" / "queue.py"
    message.write_text(message.read_text() + "\n# a changed message\n")
    assert _cache.source_key(_code_cache._SOURCES, _code_cache._LIBRARIES, package=copy) != key


def test_the_package_functions_win_over_their_submodules_of_the_same_name() -> None:
    # `check` and `release` are both submodules and functions: whatever was
    # imported first, the package attribute must stay the function
    import importlib

    for name in ("check", "release"):
        importlib.import_module(f"edu_contracts.registry.{name}")
        from edu_contracts import registry

        assert callable(getattr(registry, name)), name
