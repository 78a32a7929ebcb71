"""The templates context."""
