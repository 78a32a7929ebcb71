"""A project's feed keys on its page (the general contractor's administrator only): create a
site device's key (the whole key shown once) and revoke one. Bank keys stay CLI-only."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from app.auth.access import current_principal, role_required
from app.errors import AppError
from app.projects.blueprint import bp
from app.projects.routes import PID, _detail_again
from app.services import feeds
from app.services.feeds import project_keys
from app.surface import attempt

NO_STORE = {"Cache-Control": "no-store"}


@bp.app_template_global()
def project_feed_keys(project_id: int) -> list | None:
    """For the project page's card: the project's feed keys, or None when the viewer may not
    manage them (only the general contractor's employer_admin may)."""
    p = current_principal()
    if not p.is_employer_admin:
        return None
    try:
        return project_keys.project_keys(p, project_id)
    except AppError:
        return None


@bp.post(f"{PID}/feed-keys")
@role_required("employer_admin")
def create_feed_key(project_id: int):
    """Create a site device's key; the whole key is shown on this one answer only."""
    key, whole = attempt(feeds.create_project_key, current_principal(), project_id,
                         request.form.get("name"), again=_detail_again(project_id))
    return render_template("projects/feed_key_created.html", project_id=project_id, key=key,
                           whole=whole), 201, NO_STORE


@bp.post(f"{PID}/feed-keys/revoke")
@role_required("employer_admin")
def revoke_feed_key(project_id: int):
    """Revoke one of the project's keys (form field ``key_id``): it stops working at once."""
    attempt(feeds.revoke_project_key, current_principal(), project_id,
            request.form.get("key_id"), again=_detail_again(project_id))
    flash(gettext("考勤推送密钥已吊销"), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))
