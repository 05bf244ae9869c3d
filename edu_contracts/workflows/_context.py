"""What the steps of ``verify`` share, apart from the steps themselves.

Its own module so that ``verify`` (the step list) and ``_flow`` (the longer
steps) both import it, and neither imports the other's module in a circle.
"""

from __future__ import annotations

from dataclasses import dataclass

from edu_contracts.services import Services
from edu_contracts.services.janitor import DatabaseJanitor

__all__ = ["StepResult", "VerifyContext"]


@dataclass
class VerifyContext:
    """What the steps share: the services, a migrated database, scratch state."""

    services: Services
    janitor: DatabaseJanitor
    run_id: str
    database_url: str = ""


@dataclass(frozen=True)
class StepResult:
    name: str
    ok: bool
    detail: str
    seconds: float
    skipped: bool = False
