"""The fault suite (issue 21): the platform under injected failures, on real processes."""
