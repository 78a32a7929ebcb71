"""Every text a ReportLab paragraph prints is escaped (ReportLab reads it as markup: stored
text holding ``<img src=...>`` would embed a server file, ``<br>`` would break the PDF).

The rule, checked on the source with ``ast`` (app/, signing/, archive/): the text argument
of every ``Paragraph(...)`` / ``XPreformatted(...)`` call is *safe*, where safe is

* a string literal (the program's own markup);
* a call of ``markup.text(...)`` / ``markup.lines(...)`` (:mod:`signing.markup`) or
  ``escape(...)`` (``xml.sax.saxutils``) — whatever goes inside is escaped;
* ``<safe>.replace(<literal>, <literal>)`` (e.g. line breaks turned into ``<br/>``);
* an f-string or ``+`` of safe parts only.

Anything else — a variable, an attribute, ``str(v)``, ``gettext(...)`` with a stored name in
it — fails, with the file and line named.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("app", "signing", "archive")
PARAGRAPHS = {"Paragraph", "XPreformatted"}
ESCAPERS = {("markup", "text"), ("markup", "lines"), (None, "escape")}


def _name(func: ast.expr) -> tuple[str | None, str | None]:
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    return None, None


def is_safe(node: ast.expr) -> bool:
    """Whether ``node`` (a paragraph's text argument) is a literal or escaped text."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return all(is_safe(part.value) if isinstance(part, ast.FormattedValue)
                   else isinstance(part, ast.Constant) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return is_safe(node.left) and is_safe(node.right)
    if isinstance(node, ast.Call):
        owner, attr = _name(node.func)
        if (owner, attr) in ESCAPERS or (attr == "escape" and isinstance(node.func, ast.Name)):
            return True
        if (attr == "replace" and isinstance(node.func, ast.Attribute)
                and is_safe(node.func.value)
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                        for a in node.args)):
            return True
    return False


def unsafe_calls(source: str, filename: str = "<src>") -> list[str]:
    """``file:line`` of every paragraph call in ``source`` whose text is not safe, and the
    number of paragraph calls seen."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or _name(node.func)[1] not in PARAGRAPHS:
            continue
        text = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg == "text"), None)
        if text is None or not is_safe(text):
            found.append(f"{filename}:{node.lineno}: {ast.unparse(node)[:100]}")
    return found


def _count(source: str) -> int:
    return sum(1 for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
               and _name(n.func)[1] in PARAGRAPHS)


def _sources():
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, path.read_text(encoding="utf-8")


def test_every_paragraph_text_is_a_literal_or_escaped():
    problems, seen = [], 0
    for path, source in _sources():
        problems += unsafe_calls(source, str(path.relative_to(ROOT)))
        seen += _count(source)
    assert seen >= 8, "the scan found too few Paragraph calls: is it still looking?"
    assert problems == [], "unescaped paragraph text:\n" + "\n".join(problems)


def test_the_rule_catches_what_it_must_and_lets_through_what_it_may():
    bad = [
        "Paragraph(str(v), cell)",
        "Paragraph(heading, title)",
        "Paragraph(f'{label}：', st['cell'])",
        "Paragraph(f'{clause_label(n)}　{clause.heading}', st['heading'])",
        "Paragraph(gettext('%(e)s 名册', e=employer), style)",
        "Paragraph(text=value, style=s)",
        "Paragraph(markup.text(a) + b, s)",
        "Paragraph(markup.text(a).replace(x, '<br/>'), s)",
        "XPreformatted(value, s)",
        "platypus.Paragraph(value, s)",
    ]
    good = [
        "Paragraph('（以下无正文）', s)",
        "Paragraph(markup.text(v), cell)",
        "Paragraph(markup.lines(v), cell)",
        "Paragraph(escape(text).replace('\\n', '<br/>'), s)",
        "Paragraph(f'<b>{markup.text(name)}</b>：{escape(value)}', s)",
        "Paragraph('<b>' + markup.text(a) + '</b>', s)",
        "Paragraph(text=markup.text(v), style=s)",
    ]
    for code in bad:
        assert unsafe_calls(code), code
    for code in good:
        assert unsafe_calls(code) == [], code
