"""See the module docstrings inside."""
