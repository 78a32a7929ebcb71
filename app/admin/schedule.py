"""Platform admin view: the scheduler's recent runs and failures."""

from flask import render_template

from app.admin.blueprint import bp
from app.auth.access import role_required
from app.services.platform import schedule


@bp.get("/schedule")
@role_required("platform_admin")
def schedule_runs():
    """The latest runs of the periodic jobs, failures first."""
    return render_template("admin/schedule.html", failures=schedule.recent_runs(20, failed=True),
                           runs=schedule.recent_runs(100))
