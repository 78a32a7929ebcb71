"""Public ``/verify``: anyone uploads a signed PDF and gets the report as HTML, JSON or PDF.

CSRF: the two POST views are exempt from Flask-WTF's global CSRF check on purpose. Verifying
is public and read-only: it needs no login, changes nothing a forged cross-site request could
abuse (the only state is the client's own rate-limit counter) and answers only to the client
that sent the file, so a token would protect nothing while locking out API clients and curl.
The HTML form still carries the token, harmlessly.
"""

from flask import Response, jsonify, render_template

from app.errors import AppError, wants_json
from app.extensions import csrf, db
from app.services.filing import verification
from app.services.platform.ratelimit import RateLimited
from app.surface import download
from app.verify import service
from app.verify.blueprint import bp


@bp.context_processor
def _helpers() -> dict:
    return {"reason_zh": service.reason_zh, "field": service.FIELD,
            "max_mb": f"{service.max_bytes() / (1024 * 1024):g}"}


@bp.app_context_processor
def _report_words() -> dict:
    """``report_words(kind, name)`` for every template that shows a verification report
    (here and the auditor's contract page)."""
    return {"report_words": service.report_words}


@bp.after_request
def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.errorhandler(AppError)
def _error(exc: AppError):
    """Upload problems: JSON for API clients, else the form again with the message."""
    db.session.rollback()
    if wants_json():
        resp = jsonify(exc.to_dict())
    else:
        resp = Response(render_template("verify/index.html", error=exc))
    resp.status_code = exc.status
    if isinstance(exc, RateLimited):
        resp.headers["Retry-After"] = str(exc.retry_after)
    return resp


@bp.get("/verify")
def index():
    """The upload form; opened from a print copy's QR code, it first says whether the filing
    number and SHA-256 printed on the copy are on record."""
    return render_template("verify/index.html", claim=service.print_copy_claim())


@bp.post("/verify")
@csrf.exempt
def verify():
    service.enforce_rate_limit()
    report = service.verify_upload(service.read_upload())
    if wants_json():
        return jsonify(report.to_dict())
    return render_template("verify/result.html", report=report)


@bp.post("/verify/report.pdf")
@csrf.exempt
def report_pdf():
    service.enforce_rate_limit()
    report = service.verify_upload(service.read_upload())
    return download(verification.report_pdf(report), "application/pdf",
                    f"verification-report-{report.sha256[:12]}.pdf")
