"""Roster upload and batch launch pages: upload (problems listed by row and column, nothing
created), the checked batch (warnings to acknowledge, launch), live progress, retry, and the
roster template file. Thin: the use cases are in app.services.batches.batch_check and batches."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext

from app.auth.access import current_principal, role_required
from app.employer.blueprint import bp
from app.errors import translate
from app.services.batches import batch_check, batches, roster_file
from app.services.batches import roster_template as template_files
from app.services.contracts import contract_project, rules
from app.services.templates import templates
from app.surface import NOTHING, Refusal, attempt, download
from app.uploads import read_upload

EMPLOYER_ROLES = ("employer_admin", "employer_hr")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_FILE = "请选择名册文件（XLSX 或 CSV）"
BID = "/batches/<int(min=1, max=2147483647):batch_id>"


def _upload_page(refused: Refusal = NOTHING):
    """The batches and the upload form; a refused roster with every problem by row and column
    (nothing created), a refused form with its fields."""
    p = current_principal()
    problems = [batch_check.shown(pr) for pr in refused.error.problems] \
        if isinstance(refused.error, batch_check.RosterInvalid) else []
    return render_template("employer/batches.html", batches=batches.recent(p),
                           choices=templates.usable(p), errors=refused.fields, problems=problems,
                           projects=contract_project.joinable(p), values=request.form,
                           message=refused.message, chosen=request.values.get("template", ""),
                           counts={b.id: batches.counts(b) for b in batches.recent(p)}), \
        refused.status


@bp.route("/batches", methods=["GET", "POST"])
@role_required(*EMPLOYER_ROLES)
def batches_page():
    """The employer's batches and the upload form; POST checks the roster."""
    if request.method == "GET":
        return _upload_page()
    upload = read_upload("roster", roster_file.MAX_BYTES)
    if upload is None:
        return _upload_page(Refusal({"file": gettext(NO_FILE)}, gettext(NO_FILE), 422))
    batch = attempt(batch_check.from_file, current_principal(), request.form.get("template"),
                    *upload, project={"project_id": request.form.get("project_id"),
                                      "project_team": request.form.get("project_team")},
                    again=_upload_page)
    flash(gettext("名册检查通过，共%(count)s人；请核对后启动", count=batch.total), "success")
    return redirect(url_for("employer.batch_page", batch_id=batch.id))


@bp.get("/batches/template.xlsx")
@role_required(*EMPLOYER_ROLES)
def roster_template():
    """The roster template for the chosen template (``?template=``; default fixed-term)."""
    p = current_principal()
    version = attempt(templates.version_for, p, request.args.get("template"), again=_upload_page)
    data = template_files.template_file(version, template_files.suggestions(p))
    return download(data, XLSX, f"roster-{version.template.kind}.xlsx")


def _batch_page(batch_id: int, refused: Refusal = NOTHING):
    batch = batches.get(current_principal(), batch_id)
    warnings = [{"rule": w["rule"], "rows": w["rows"], "message": translate(
        rules.stored_message(w["rule"], w["example"]["params"]))}
        for w in batches.warning_summary(batch)]
    return render_template("employer/batch.html", batch=batch, counts=batches.counts(batch),
                           rows=batches.rows_of(batch), warnings=warnings, error=refused.error,
                           checked=request.form.getlist("ack")), refused.status


@bp.get(BID)
@role_required(*EMPLOYER_ROLES)
def batch_page(batch_id: int):
    """One batch: before launch its rows and warnings; after, its live progress."""
    return _batch_page(batch_id)


@bp.post(f"{BID}/launch")
@role_required(*EMPLOYER_ROLES)
def launch_batch(batch_id: int):
    attempt(batches.launch, current_principal(), batch_id, request.form.getlist("ack"),
            again=lambda refused: _batch_page(batch_id, refused))
    flash(gettext("已启动：合同正在逐份生成、盖章并发送"), "success")
    return redirect(url_for("employer.batch_page", batch_id=batch_id))


@bp.post(f"{BID}/retry")
@role_required(*EMPLOYER_ROLES)
def retry_batch(batch_id: int):
    n = attempt(batches.retry, current_principal(), batch_id,
                again=lambda refused: _batch_page(batch_id, refused))
    flash(gettext("已重新排队%(count)s行", count=n), "success")
    return redirect(url_for("employer.batch_page", batch_id=batch_id))


@bp.get(f"{BID}/progress")
@role_required(*EMPLOYER_ROLES)
def batch_progress(batch_id: int):
    """Counts and failed rows as JSON, polled by the page (no reload)."""
    resp = jsonify(batches.progress(current_principal(), batch_id))
    resp.headers["Cache-Control"] = "no-store"
    return resp
