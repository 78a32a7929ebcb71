"""The batches context."""
