"""The contracts context."""
