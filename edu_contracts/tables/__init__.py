"""Table contracts: snapshots of the schema, their compatibility rules, and drift.

A snapshot (``snapshot``) is read from the models or from a live database;
``rules`` judges two snapshots under expand/contract and reports through the
shared finding model (``edu_contracts.findings``), so tables and messages
read alike in every check. Kept apart from ``compat``, the JSON Schema
engine, which must not depend on the database layer.
"""

__all__ = []
