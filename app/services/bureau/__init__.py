"""The labor bureau's county-wide views: the employment register (用工信息库) — employers
by region with workers in service, hires and leavers per month, contracts ending soon, and
the employers whose workers appear in attendance or payroll without a filed contract —
scoped like auditors are (region prefix or named employers); a bureau system's key
(``GET /api/v1/bureau/register``) reads its region prefix."""

from app.services.bureau.use_cases import register_file, register_view

__all__ = ["register_file", "register_view"]
