"""Archive jobs of auditors: the evidence of a search result as one ZIP, batch
re-verification, with their progress pages.

The search page's "打包下载证据包" button posts the search's own form here; the job then runs
in the background (a job worker; in the embedded default, without workers, the page's progress
poll runs it) while its page polls the progress. Only the auditor who asked, or a platform admin, sees a job
(anyone else: 404); every request and download is in the access log.
"""

from __future__ import annotations

from flask import jsonify, redirect, render_template, request, stream_with_context, url_for

from app.audit.blueprint import bp
from app.audit.routes import search_page_with
from app.auth.access import current_principal, role_required
from app.services import archive_jobs
from app.services.archive_jobs import bulk_evidence
from app.services.archive_jobs.requests import job_for, jobs_of, progress
from app.services.platform.access_log import record_read
from app.surface import NOTHING, Refusal, attempt, download

AUDIT_ROLES = ("auditor", "platform_admin")
REVERIFY_FIELDS = ("employer", "since", "until")


@bp.post("/archive-jobs/evidence")
@role_required(*AUDIT_ROLES)
def start_evidence_zip():
    """The evidence packages of the search in the form as one ZIP: queue it, show its page
    (refused: the search page again with the reason, e.g. over the size cap)."""
    job = attempt(archive_jobs.request_evidence_zip, current_principal(), request.form,
                  again=search_page_with)
    return redirect(url_for("audit.archive_job_page", job_id=job.id))


@bp.get("/archive-jobs")
@role_required(*AUDIT_ROLES)
def archive_jobs_page():
    """The re-verification form and the asker's archive jobs."""
    return _jobs_page()


@bp.post("/archive-jobs/reverify")
@role_required(*AUDIT_ROLES)
def start_reverify():
    """Re-verify every filing of an employer or a period in the asker's scope, as a job."""
    job = attempt(archive_jobs.request_reverify, current_principal(), request.form,
                  again=_jobs_page)
    return redirect(url_for("audit.archive_job_page", job_id=job.id))


def _jobs_page(refused: Refusal = NOTHING):
    form = request.form if request.method == "POST" else {}
    return render_template("audit/archive_jobs.html", jobs=jobs_of(current_principal()),
                           params={k: form.get(k, "") for k in REVERIFY_FIELDS},
                           errors=refused.fields, message=refused.message), refused.status


@bp.get("/archive-jobs/<int:job_id>")
@role_required(*AUDIT_ROLES)
def archive_job_page(job_id: int):
    """One job: live progress while it runs, then its download or its summary."""
    p = current_principal()
    return render_template("audit/archive_job.html", job=job_for(p, job_id),
                           platform=p.is_platform_admin)


@bp.get("/archive-jobs/<int:job_id>/progress")
@role_required(*AUDIT_ROLES)
def archive_job_progress(job_id: int):
    """Counts and percent as JSON, polled by the job's page (which, without job workers,
    runs the job)."""
    resp = jsonify(progress(archive_jobs.follow(current_principal(), job_id)))
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.get("/archive-jobs/<int:job_id>/evidence.zip")
@role_required(*AUDIT_ROLES)
def archive_job_download(job_id: int):
    """The finished ZIP, streamed part by part from the archive (recorded in the access log)."""
    p = current_principal()
    job = job_for(p, job_id)
    parts = bulk_evidence.zip_parts(job)
    record_read(p, "download", criteria={"archive_job": job.id, "sha256": job.sha256},
                count=job.total)
    resp = download(stream_with_context(parts), "application/zip", bulk_evidence.zip_name(job),
                    sha256=job.sha256)
    resp.headers["Content-Length"] = str(job.result_size)
    return resp
