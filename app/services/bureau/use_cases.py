"""The register's use cases: look at it (page or JSON) and export it (XLSX); each is
recorded in the auditors' access log."""

from __future__ import annotations

from dataclasses import dataclass

from app.services.bureau import register_export as files
from app.services.bureau.register import Register, build, criteria
from app.services.bureau.unfiled import Unfiled, unfiled
from app.services.platform import access_log
from app.services.platform.principal import Principal


@dataclass(frozen=True)
class RegisterView:
    """The register and its without-contract findings."""

    register: Register
    unfiled: list[Unfiled]

    def as_json(self) -> dict:
        """The JSON answer of ``/bureau/register.json``."""
        return files.as_json(self.register, self.unfiled)


def _record(p: Principal, how: str, view: RegisterView) -> None:
    """Append the read to the access log (action ``register``; the day, region and form —
    page/JSON or XLSX — as criteria, the number of employers as count) and commit."""
    c = view.register.criteria
    access_log.record_read(p, "register", criteria={"day": c.day.isoformat(),
                                                     "region": c.region, "format": how},
                           count=len(view.register.employers))


def _view(p: Principal, params: dict) -> RegisterView:
    register = build(p, criteria(params))
    return RegisterView(register, unfiled(p, register.criteria, register.months))


def register_view(p: Principal, params: dict) -> RegisterView:
    """The register for the day and region in ``params`` (``day``: ``YYYY-MM-DD``, default
    today in Beijing; ``region``: a region-code prefix within the scope), recorded as a view.

    :raises ValidationFailed: a bad day or region (naming the field).
    :raises Forbidden: not an auditor or platform admin.
    """
    view = _view(p, params)
    _record(p, "view", view)
    return view


def register_file(p: Principal, params: dict) -> tuple[bytes, str, str]:
    """The register as an XLSX workbook: its bytes, content type and file name
    (``employment-register-<day>.xlsx``), recorded as an export.

    :raises ValidationFailed: a bad day or region. :raises Forbidden: not an auditor.
    """
    view = _view(p, params)
    data = files.to_xlsx(view.register, view.unfiled)
    _record(p, "xlsx", view)
    return data, files.XLSX, f"employment-register-{view.register.criteria.day}.xlsx"
