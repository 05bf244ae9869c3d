"""The pydantic shapes every service shares, one module per use.

- ``queue``: ``QueueTaskMessage``, the task envelope ``edu-api`` sends to
  ``edu-worker`` (a discriminated union on ``type``), its per-kind payloads,
  and ``message_json_schema()`` / ``task_json_schemas()`` that the released
  contracts are made from;
- ``enums``: the status and kind enums, shared with the database enums;
- ``jsonb``: the typed shapes of JSONB columns (segment metadata, chat
  messages, quiz options, mind-map graphs);
- ``read``: read models an API returns.

Nothing is imported here: importing the enums (as the models do) must not
cost the queue schemas, and each module is imported by its full name.
"""

__all__: list[str] = []
