"""The platform context."""
