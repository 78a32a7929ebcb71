"""Words for the values of a verification report that people read: pyHanko's modification
levels, signature coverage and DocMDP permissions, in Chinese and English.

Reports keep the raw names (``FORM_FILLING``, ``ENTIRE_REVISION``, ``FILL_FORMS``) in their
data and JSON; everything shown to a person goes through :func:`words`.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["COVERAGE", "DOCMDP", "LEVELS", "Kind", "words"]

Kind = Literal["level", "coverage", "docmdp"]

#: pyHanko ModificationLevel -> (zh, en): what changed after a signature
LEVELS: dict[str, tuple[str, str]] = {
    "NONE": ("无修改", "no changes"),
    "LTA_UPDATES": ("仅追加了长期验证数据（证书、吊销列表、时间戳），属正常",
                    "only long-term validation data was added (certificates, revocation "
                    "lists, time-stamps), as expected"),
    "FORM_FILLING": ("仅填写表单和添加签名（允许范围内）",
                     "only form filling and further signatures (as permitted)"),
    "ANNOTATIONS": ("添加了注释", "annotations were added"),
    "OTHER": ("其他修改（例如改动了页面内容）", "other changes (such as changed page content)"),
}
#: pyHanko SignatureCoverageLevel -> (zh, en): how much of the file a signature covers
COVERAGE: dict[str, tuple[str, str]] = {
    "ENTIRE_FILE": ("整个文件", "the entire file"),
    "ENTIRE_REVISION": ("签署时的完整版本（其后有增量更新）",
                        "the whole revision signed (later incremental updates follow)"),
    "CONTIGUOUS_BLOCK_FROM_START": ("仅文件开头的一部分", "only a block at the start of the file"),
    "UNCLEAR": ("不明确", "unclear"),
}
#: pyHanko MDPPerm -> (zh, en): what the certification signature allows afterwards
DOCMDP: dict[str, tuple[str, str]] = {
    "NO_CHANGES": ("签署后不允许任何修改", "no changes allowed after signing"),
    "FILL_FORMS": ("签署后只允许填写表单和签名", "only form filling and signing allowed after signing"),
    "ANNOTATE": ("签署后允许填表、签名和注释",
                 "form filling, signing and annotations allowed after signing"),
}
_TABLES: dict[str, dict[str, tuple[str, str]]] = {"level": LEVELS, "coverage": COVERAGE,
                                                  "docmdp": DOCMDP}
_UNKNOWN = ("未知（%s）", "unknown (%s)")


def words(kind: Kind, name: str | None, *, english: bool = False) -> str:
    """The words for a report value, in Chinese (or English).

    :param kind: ``level`` (modification level), ``coverage`` or ``docmdp``.
    :param name: the raw name from the report; ``None`` gives ``—``.
    :param english: English instead of Chinese.
    :raises KeyError: ``kind`` is not one of the three.
    """
    if not name:
        return "—"
    pair = _TABLES[kind].get(name)
    if pair is None:
        return _UNKNOWN[english] % name
    return pair[english]
