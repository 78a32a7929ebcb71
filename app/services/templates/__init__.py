"""Contract templates: the standard ones by kind and version, employers' own copies with
their clauses, platform admins publishing new versions, and the words a contract prints.

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.templates.template_copies import copy_template, set_own_clauses
from app.services.templates.template_publishing import publish as publish_template

__all__ = [
    "copy_template",
    "set_own_clauses",
    "publish_template",
]
