"""Contracts: an employer drafts one from a template (typed input, the labor-law rule engine,
the project it puts its worker on), edits the draft, seals and sends it with a signing link;
its documents in the archive; the employer's list, preview and exports.

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.contracts.contracts import create_contract, send_contract, update_draft

__all__ = [
    "create_contract",
    "update_draft",
    "send_contract",
]
