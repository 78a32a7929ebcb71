"""Text into ReportLab paragraph markup.

ReportLab's :class:`~reportlab.platypus.Paragraph` parses its text as XML-like markup
(``<b>``, ``<br/>``, ``<img src=...>``, ``&amp;``): stored text put in unescaped is
interpreted, so an address holding ``<img src="/etc/...">`` embeds a server file and one
holding ``<br>`` breaks the whole document. Every value a paragraph prints goes through
:func:`text` (or :func:`lines`); ``tests/test_paragraph_markup.py`` holds the code to it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

__all__ = ["lines", "text"]


def text(value: str) -> str:
    """``value`` as paragraph markup that prints it literally (``&``, ``<``, ``>`` escaped).

    :param value: the text to print.
    :raises TypeError: ``value`` is not a ``str`` (nothing is coerced).
    """
    if not isinstance(value, str):
        raise TypeError(f"paragraph text must be str, not {type(value).__name__}")
    return escape(value)


def lines(value: str) -> str:
    """Like :func:`text`, with each line break kept as a break (``<br/>``).

    :param value: the text to print, lines separated by ``\\n``.
    :raises TypeError: ``value`` is not a ``str``.
    """
    return text(value).replace("\r\n", "\n").replace("\n", "<br/>")
