"""The pinned Azurite starts through our launcher (no telemetry stack); any other as it ships."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from azure.storage.queue import QueueClient

from edu_contracts.services import azurite
from edu_contracts.services.azurite import AZURITE_VERSION, start_embedded_azurite


def _fake_package(root: Path, version: str, *, telemetry: bool = True) -> Path:
    """The shape npm installs: node_modules/azurite/{package.json, dist/src/...}."""
    package = root / "node_modules" / "azurite"
    queue = package / "dist" / "src" / "queue"
    queue.mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "azurite", "version": version}))
    (queue / "main.js").write_text("")
    if telemetry:
        (package / "dist" / "src" / "common").mkdir()
        (package / "dist" / "src" / "common" / "Telemetry.js").write_text("")
    link = root / "azurite-queue"
    link.symlink_to(queue / "main.js")
    return link


def test_the_pinned_version_runs_through_the_launcher(tmp_path: Path) -> None:
    command = azurite._command(_fake_package(tmp_path, AZURITE_VERSION))
    assert command[1:] == [
        str(azurite._LAUNCHER),
        str(tmp_path / "node_modules/azurite/dist/src/queue/main.js"),
    ]
    assert Path(command[0]).name == "node"


@pytest.mark.parametrize(
    ("version", "telemetry"), [("3.35.0", True), (AZURITE_VERSION, False)], ids=["other", "moved"]
)
def test_any_other_azurite_runs_as_it_ships(tmp_path: Path, version: str, telemetry: bool) -> None:
    link = _fake_package(tmp_path, version, telemetry=telemetry)
    assert azurite._command(link) == [str(link)]


def test_a_wrapper_script_runs_as_it_ships(tmp_path: Path) -> None:
    script = tmp_path / "azurite-queue"
    script.write_text('#!/bin/sh\nexec azurite-queue "$@"\n')
    assert azurite._command(script) == [str(script)]


def test_the_launched_service_serves_queues() -> None:
    found = azurite.find_azurite()
    if found is None or str(azurite._LAUNCHER) not in azurite._command(found):
        pytest.skip(f"the Azurite found here is not the pinned {AZURITE_VERSION}: {found}")
    service = start_embedded_azurite()
    try:
        assert str(azurite._LAUNCHER) in service.process.argv
        info = service.info
        assert info is not None
        queue = QueueClient.from_connection_string(info.connection_string, "launch-probe")
        with queue:
            queue.create_queue()
            queue.send_message("hello")
            assert [m.content for m in queue.receive_messages()] == ["hello"]
    finally:
        service.stop()
