"""``GET /api/v1/rules``: the labor-law rules every contract is checked against (public)."""

from flask_babel import force_locale, gettext

from app.api.blueprint import bp
from app.api.rule_schemas import RulesOut
from app.api.spec import operation
from app.domain.rules import RULES


def _both(msgid: str) -> dict:
    """``msgid`` in Chinese and in English (placeholders left as they are)."""
    with force_locale("en"):
        english = gettext(msgid)
    return {"zh": msgid, "en": english}


@bp.get("/rules")
@operation(tags=["rules"], answers={200: (RulesOut, "全部规则")})
def list_rules():
    """劳动合同规则列表

    Each rule has a stable id, a severity (``error`` blocks sending; ``warning`` must be
    acknowledged, ``acknowledged_rules``, before sending), the article it enforces and its
    message template in Chinese and English (``%(name)s`` are named placeholders, filled in
    the findings returned with a contract).
    """
    return {"rules": [{"id": r.id, "severity": r.severity, "article": _both(r.article),
                       "message": _both(r.message), "field": r.field}
                      for r in RULES.values()]}
