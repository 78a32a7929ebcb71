"""The standards context."""
