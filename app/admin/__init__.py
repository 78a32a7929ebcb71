"""Platform administration: certificates, employers' review and status, auditors, the
minimum-wage table, the wage-arrears warning thresholds, the scheduler's runs and failures,
the SMS delivery log (and the providers' receipt callbacks)."""

from app.admin import (  # noqa: F401 - registers the routes
    auditors,
    minimum_wages,
    organizations,
    routes,
    schedule,
    sms,
    templates,
    wage_thresholds,
)
from app.admin.blueprint import bp

__all__ = ["bp"]
