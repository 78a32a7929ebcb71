"""REST API v1 (JSON) under ``/api/v1``, in two parts with their own authentication.

- :data:`employer_bp`: the employer's routes (``/contracts…``); every request must carry
  ``Authorization: Bearer lsk_…``, resolved once, before any route, into ``g.principal``.
- :data:`signing_bp`: the worker's routes (``/sign/<token>…``), authenticated by the SMS link's
  token and the identity-verified signing session instead.
- ``GET /api/v1/openapi.json`` and ``GET /api/v1/rules`` on the parent :data:`bp` are public.
"""

from app.api import (  # noqa: F401 - registers the routes
    batches,
    bureau,
    bureau_archive,
    common,
    contracts,
    feeds,
    lifecycle,
    openapi,
    projects,
    rules,
    sign,
    templates,
    webhooks,
)
from app.api.blueprint import bp, employer_bp, signing_bp
from app.extensions import csrf

employer_bp.before_request(common.authenticate_api_key)
for _part in (employer_bp, signing_bp, bureau.bp, feeds.bp):  # bureau / feed systems' keys
    csrf.exempt(_part)  # bearer keys and signing sessions, never cookies
    bp.register_blueprint(_part)

__all__ = ["bp", "employer_bp", "signing_bp"]
