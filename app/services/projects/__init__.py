"""Construction projects: registered by the general contractor, joined by invited labor
subcontractors; their wage archives in object storage; attendance and payroll imported;
wages reconciled per worker and month into arrears warnings.

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.projects.nightly import reconcile_every_project
from app.services.projects.project_archive import record_completion
from app.services.projects.project_archive import upload as upload_document
from app.services.projects.projects import accept as accept_invitation
from app.services.projects.projects import add_subcontractor
from app.services.projects.projects import create as create_project
from app.services.projects.reconcile import reconcile as reconcile_project
from app.services.projects.reconcile import run as reconcile_and_alert
from app.services.projects.wage_import import import_attendance, import_payroll

__all__ = [
    "create_project",
    "accept_invitation",
    "add_subcontractor",
    "upload_document",
    "record_completion",
    "import_attendance",
    "import_payroll",
    "reconcile_project",
    "reconcile_and_alert",
    "reconcile_every_project",
]
