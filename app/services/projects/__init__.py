"""The projects context."""
