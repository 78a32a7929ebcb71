"""Contract templates as data: typed fields per kind and clause texts with placeholders.

Pure (no database): :mod:`.fields` validates typed values against a version's field specs,
:mod:`.clauses` fills the clause texts, :mod:`.standard` holds the five standard templates.
"""

from app.domain.templates.clauses import condition, fill, placeholders, unknown_placeholders
from app.domain.templates.fields import FIELD_TYPES, field_names, validate_fields
from app.domain.templates.standard import STANDARD_V1

KINDS = tuple(t["kind"] for t in STANDARD_V1)
#: The label of every standard field (a gettext msgid), and of the template choice itself.
TEMPLATE_FIELD_LABELS = {f["name"]: f["label"] for t in STANDARD_V1 for f in t["fields"]} | {
    "template": "合同模板"}



def required_missing(body: dict) -> dict:
    """Required fields of the standard template ``body["template"]`` names (a kind; default
    fixed_term) that ``body`` leaves empty, as ``{name: Msg}``; nothing for unknown choices
    (an employer's copy is checked by the service against its own version)."""
    from app.domain.templates.fields import REQUIRED
    from app.domain.typed import Msg

    kind = body.get("template") or "fixed_term"
    spec = next((t for t in STANDARD_V1 if t["kind"] == kind), None)
    if spec is None:
        return {}
    return {f["name"]: Msg(REQUIRED, label=Msg(f["label"])) for f in spec["fields"]
            if f["required"] and f.get("default") is None and f["type"] != "yes_no"
            and body.get(f["name"]) in (None, "")}


__all__ = ["FIELD_TYPES", "KINDS", "STANDARD_V1", "TEMPLATE_FIELD_LABELS", "condition",
           "field_names", "fill", "placeholders", "required_missing", "unknown_placeholders",
           "validate_fields"]
