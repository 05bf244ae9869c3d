"""The pytest plugin: real Postgres+pgvector and Azurite for a service's tests.

Installing ``edu-contracts[testing]`` registers it (``pytest11``); there is
nothing to import. ``plugin`` holds the hooks (options, run state, xdist
hand-over), ``fixtures`` the public ``edu_*`` fixtures (their docstrings and
the README's table say what each gives), ``queues`` the test queue behind
``edu_queue``, ``reuse`` the services kept between runs with
``--edu-reuse``, and ``openapi`` the schemathesis helper for an API's
OpenAPI document. Services themselves live in ``edu_contracts.services``.

Nothing is imported here, so loading the plugin costs only its hooks.
"""

__all__: list[str] = []
