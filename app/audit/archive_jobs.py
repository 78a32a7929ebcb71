"""Archive jobs of auditors: the evidence of a search result as one ZIP, batch
re-verification, with their progress pages."""

from __future__ import annotations
