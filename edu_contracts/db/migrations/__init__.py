"""Alembic environment and revisions of the canonical schema.

Driven programmatically by :mod:`edu_contracts.db.migrate`; there is no
``alembic.ini`` to ship or keep in sync.
"""
