"""Seed data: scenarios, row generation and the COPY loader behind ``edu-contracts seed``.

Rows draw their values from the same generators as the factories
(``edu_contracts.factories``), so test data and seed data cannot drift;
this package only adds volume: scenarios (``scenario``), streamed rows
(``rows``), binary COPY (``loader``) and the guarded entry point
``seed_database`` (``seeding``).
"""

__all__ = []
