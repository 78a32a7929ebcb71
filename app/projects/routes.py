"""Project pages: thin wrappers around app.services.projects.projects, project_archive and
project_board. Everyone logged in may call them; the services show each principal only the
projects it may see (another party's project is a 404)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from app.auth.access import current_principal, role_required
from app.domain.expiry import today_in_beijing
from app.projects.blueprint import bp
from app.services.batches import batch_check
from app.services.projects import project_archive, project_board, projects
from app.surface import NOTHING, Refusal, attempt, download
from app.uploads import read_upload

EMPLOYER_ROLES = ("employer_admin", "employer_hr")
ALL_ROLES = (*EMPLOYER_ROLES, "auditor", "platform_admin")
PID = "/<int(min=1, max=2147483647):project_id>"


def _list_page(refused: Refusal = NOTHING):
    p = current_principal()
    return render_template("projects/list.html", projects=projects.visible(p),
                           fields=projects.FIELDS, deposit_kinds=projects.DEPOSIT_KINDS,
                           can_create=p.is_employer, errors=refused.fields,
                           message=refused.message,
                           values=request.form if refused.fields else {}), refused.status


@bp.get("")
@role_required(*ALL_ROLES)
def projects_page():
    """The projects the user may see; an employer registers one here (as general contractor)."""
    return _list_page()


@bp.post("")
@role_required(*EMPLOYER_ROLES)
def create_project():
    """Register a project with the employer as its general contractor."""
    project = attempt(projects.create, current_principal(), request.form.to_dict(),
                      again=_list_page)
    flash(gettext("项目已登记"), "success")
    return redirect(url_for("projects.project_page", project_id=project.id))


def _detail(project_id: int, refused: Refusal = NOTHING):
    """The project page; after a refused action with its message, the fields named and what
    was typed (a refused import lists its problems by row)."""
    p = current_principal()
    problems = [batch_check.shown(pr) for pr in refused.error.problems] \
        if isinstance(refused.error, batch_check.RosterInvalid) else []
    project = projects.get(p, project_id)
    return render_template(
        "projects/detail.html", project=project, board=project_board.board(p, project_id),
        documents=project_archive.documents(p, project_id), categories=project_archive.CATEGORIES,
        roster=projects.roster(p, project),
        invited=p.is_employer and any(m.organization_id == p.organization_id
                                      and m.accepted_at is None for m in project.members),
        contractor=projects.is_contractor(p, project),
        can_read=projects.is_contractor(p, project) or p.is_auditor or p.is_platform_admin,
        error=refused.error, errors=refused.fields, values=request.form if refused else {},
        problems=problems, this_month=today_in_beijing().strftime("%Y-%m")), refused.status


def _detail_again(project_id: int):
    """The project page again, with a refused action's message (for :func:`attempt`)."""
    return lambda refused: _detail(project_id, refused)


@bp.get(PID)
@role_required(*ALL_ROLES)
def project_page(project_id: int):
    """The project, its subcontractors, its archive documents and completeness board."""
    return _detail(project_id)


@bp.post(f"{PID}/subcontractors")
@role_required(*EMPLOYER_ROLES)
def add_subcontractor(project_id: int):
    attempt(projects.add_subcontractor, current_principal(), project_id,
            request.form.get("uscc"), again=_detail_again(project_id))
    flash(gettext("已加入劳务分包单位"), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))


@bp.post(f"{PID}/accept")
@role_required(*EMPLOYER_ROLES)
def accept_project(project_id: int):
    """The invited labor subcontractor accepts the project."""
    attempt(projects.accept, current_principal(), project_id, again=_detail_again(project_id))
    flash(gettext("已接受加入该项目"), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))


@bp.post(f"{PID}/documents")
@role_required(*EMPLOYER_ROLES)
def upload_document(project_id: int):
    """A new version of an archive document (PDF, image, XLSX or CSV, by content)."""
    filename, data = read_upload("file", project_archive.MAX_BYTES) or ("", b"")
    attempt(project_archive.upload, current_principal(), project_id,
            request.form.get("category"), request.form.get("period"), filename, data,
            again=_detail_again(project_id))
    flash(gettext("资料已归档（新版本，旧版本保留）"), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))


@bp.post(f"{PID}/completion")
@role_required(*EMPLOYER_ROLES)
def record_completion(project_id: int):
    """Completion and final settlement: every document kept three years after them."""
    n = attempt(project_archive.record_completion, current_principal(), project_id,
                request.form.get("completed_on"), request.form.get("settled_on"),
                again=_detail_again(project_id))
    flash(gettext("已记录竣工、结算日期，%(n)s份资料的保存期限已延长", n=n), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))


@bp.get(f"{PID}/documents/<int(min=1, max=2147483647):document_id>")
@role_required(*ALL_ROLES)
def download_document(project_id: int, document_id: int):
    doc, data = project_archive.read(current_principal(), project_id, document_id)
    return download(data, doc.content_type, doc.key.rsplit("/", 1)[1])


@bp.get("/county")
@role_required("auditor", "platform_admin")
def county_page():
    """The county's projects, the riskiest first (missing and late archive documents)."""
    return render_template("projects/county.html",
                           rows=project_board.county(current_principal()))
