"""edu-api, the producer: projects, uploads and generation requests over HTTP.

It writes the canonical rows (``edu_contracts.db.models``) and sends
``QueueTaskMessage``s that edu-worker consumes. Build the app with
:func:`edu_api.app.create_app`, or from the environment with
:func:`edu_api.main.app_from_env`.
"""

from edu_api.app import create_app

__all__ = ["create_app"]
