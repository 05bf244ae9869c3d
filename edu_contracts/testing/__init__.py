"""See the module docstrings inside."""

__all__ = []
