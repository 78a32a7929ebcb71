"""``flask feed-key create|revoke|list``: the keys of attendance systems and banks."""

from __future__ import annotations

GROUPS: tuple = ()
