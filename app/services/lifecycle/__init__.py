"""The lifecycle context."""
