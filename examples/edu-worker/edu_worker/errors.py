"""What a handler raises to say "do not retry".

Any other exception is treated as transient: the message is left on the
queue, comes back after its visibility timeout, and ``TaskQueue`` moves it
to the poison queue once it was delivered more than ``max_dequeue_count``
times.
"""

from __future__ import annotations

__all__ = ["PermanentTaskError"]


class PermanentTaskError(Exception):
    """The task can never succeed as sent (bad reference, unreadable file): ack it.

    Its message is shown to the learner (``documents.error_message``), so it
    says what is wrong with *their* document, not with our code.
    """
