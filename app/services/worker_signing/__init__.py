"""The worker_signing context."""
