"""The filing context."""
