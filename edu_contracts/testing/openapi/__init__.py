"""Fuzz a producer's HTTP API with schemathesis, in process, on the test's database.

A service's own tests send the requests its authors thought of; schemathesis
sends the ones they did not (NUL bytes, huge numbers, missing fields). And a
FastAPI app's OpenAPI only proves that responses match *the app's* models:
:func:`response_matches_read_model` adds the contract side, so a body that
claims to be ``ProjectRead`` must also validate against edu-contracts'
``ProjectRead``, and an app whose response model drops or retypes a field is
caught even though its own OpenAPI agrees with it. ::

    def test_api_survives_fuzzing(edu_sessionmaker, edu_session, edu_factories, ...):
        user = edu_factories.user(projects=2, is_active=True)
        app = create_app(edu_sessionmaker, ...)     # its commits become savepoints
        run_openapi_checks(
            app,
            path_parameters=path_parameters_from_rows(edu_session),
            headers={"X-User-Id": str(user.id)},
        )

Build the app on the plugin's ``edu_sessionmaker``: its sessions join the
test's rolled-back transaction, so whatever the fuzzer creates disappears
with the test. Path parameters come from rows that exist, so requests reach
the handlers' own logic instead of stopping at a 404.
"""

from edu_contracts.errors import OpenApiCheckError
from edu_contracts.testing.openapi._read_models import read_model_check, response_matches_read_model
from edu_contracts.testing.openapi._report import (
    OpenApiFailure,
    OpenApiReport,
    OperationStats,
)
from edu_contracts.testing.openapi._runner import (
    DEFAULT_CHECKS,
    PathParameters,
    path_parameters_from_rows,
    run_openapi_checks,
)

__all__ = [
    "DEFAULT_CHECKS",
    "OpenApiCheckError",
    "OpenApiFailure",
    "OpenApiReport",
    "OperationStats",
    "PathParameters",
    "path_parameters_from_rows",
    "read_model_check",
    "response_matches_read_model",
    "run_openapi_checks",
]
