"""The employer's contract list (counts, chart, filters, sorting, paging) and its export.

Filters come by GET (status, kind, dates, project, name, sort, page: nothing personal) or by
POST from the filter form, which alone may carry an ID number: it never goes into a URL.
"""

from babel.lists import format_list
from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext, ngettext

from app.auth.access import current_principal, role_required
from app.employer.blueprint import bp
from app.models import TEMPLATE_KINDS
from app.services.contracts import contract_export, contract_list
from app.services.lifecycle import bulk_actions, expiry
from app.services.templates import template_text
from app.surface import NOTHING, Refusal, attempt, download

EMPLOYER_ROLES = ("employer_admin", "employer_hr")
FORMATS = {"xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    contract_export.to_xlsx),
           "csv": ("text/csv; charset=utf-8", contract_export.to_csv)}


#: Filters a GET may carry (links from the counts, the expiring badge): nothing personal.
GET_FILTERS = ("status", "kind", "created_from", "created_to", "project", "worker", "sort", "page")


def _params() -> dict:
    if request.method == "POST":
        return request.form
    return {k: v for k, v in request.args.items() if k in GET_FILTERS}


def _page(params, page: contract_list.Page | None, refused: Refusal = NOTHING):
    p = current_principal()
    return render_template(
        "employer/contracts.html", page=page, errors=refused.fields, values=params,
        counts=contract_list.counts(p), weeks=contract_list.signed_per_week(p),
        expiring=expiry.expiring_ids(p), kinds={k: template_text.TITLES[k] for k in TEMPLATE_KINDS},
        sorts=contract_list.SORTS, actions=bulk_actions.ACTIONS), refused.status


@bp.route("/contracts", methods=["GET", "POST"])
@role_required(*EMPLOYER_ROLES)
def contracts_list():
    """The list, filtered; a bad filter is named on the form with what was typed kept."""
    params = _params()
    crit = attempt(contract_list.criteria, params,
                   again=lambda refused: _page(params, None, refused))
    return _page(params, contract_list.search(current_principal(), crit))


@bp.post("/contracts/export")
@role_required(*EMPLOYER_ROLES)
def export_contracts():
    """The filtered list as XLSX or CSV (personal data masked); bad filters: 422 page."""
    fmt = request.form.get("format", "xlsx")
    if fmt not in FORMATS:
        fmt = "xlsx"
    crit = attempt(contract_list.criteria, request.form,
                   again=lambda refused: _page(request.form, None, refused))
    mimetype, write = FORMATS[fmt]
    table = contract_export.rows(contract_list.matching(current_principal(), crit))
    return download(write(table), mimetype, f"contracts.{fmt}")


@bp.post("/contracts/bulk")
@role_required(*EMPLOYER_ROLES)
def bulk_action():
    """Send, remind or void the contracts ticked in the list; each one's outcome is shown."""
    form = request.form
    outcome = attempt(bulk_actions.apply, current_principal(), form.get("action"),
                      form.getlist("ids"), reason=form.get("reason"), ip=request.remote_addr,
                      user_agent=request.user_agent.string, again=_bulk_refused)
    if outcome.done:
        flash(ngettext("已处理%(num)s份合同：%(numbers)s", "已处理%(num)s份合同：%(numbers)s",
                       len(outcome.done), numbers=format_list(outcome.done, locale=get_locale())),
              "success")  # HT1、HT2和HT3 / HT1, HT2, and HT3
    for number, reason in outcome.failed:
        flash(gettext("%(number)s 未处理：%(reason)s", number=number, reason=reason), "error")
    return redirect(url_for("employer.contracts_list"))


def _bulk_refused(refused: Refusal):
    """Nothing was done (no or unknown action, nothing or too much ticked): the list again
    with why."""
    flash(gettext("%(message)s：%(reasons)s", message=refused.message,
                  reasons="；".join(refused.fields.values())), "error")
    return redirect(url_for("employer.contracts_list"))
