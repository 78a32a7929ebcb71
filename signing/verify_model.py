"""Result objects of :func:`signing.verify.verify` and their plain-language summaries.

Everything here is plain data: a :class:`Report` holds one :class:`SignatureCheck` per
signature and one :class:`TimestampCheck` per document time-stamp, and ``to_dict()`` turns
the whole tree into JSON-safe values (datetimes as ISO 8601 strings in UTC).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["ChainEntry", "Report", "SignatureCheck", "TimestampCheck", "summarise"]


@dataclass(frozen=True)
class ChainEntry:
    """One certificate of a signer's chain (leaf first)."""

    common_name: str
    serial: str  # lower-case hex


class _ProblemLog:
    """Problems found by a check, in Chinese and English (``problems`` / ``problems_en``),
    and what still holds (``holds`` / ``holds_en``): a changed document does not make a
    trusted certificate or a valid time-stamp token untrusted, and the report says so."""

    problems: list[str]
    problems_en: list[str]
    holds: list[str]
    holds_en: list[str]

    def add_problem(self, zh: str, en: str) -> None:
        """Record one problem in Chinese and English.

        :param zh: the problem in plain Chinese.
        :param en: the same in English.
        """
        self.problems.append(zh)
        self.problems_en.append(en)

    def add_hold(self, zh: str, en: str) -> None:
        """Record one thing that was checked and still holds, in Chinese and English.

        :param zh: what holds, in plain Chinese.
        :param en: the same in English.
        """
        self.holds.append(zh)
        self.holds_en.append(en)


@dataclass
class SignatureCheck(_ProblemLog):
    """What was found out about one approval or certification signature.

    ``intact``: the signed bytes hash to the signed digest; ``valid``: the signature value is
    cryptographically correct; ``trusted``: pyHanko found a valid path to one of the given
    roots at ``validated_at`` (now, or with ``long_term`` the time-stamp-proven signing time)
    — the certificate's trust, judged even when the content was changed (``intact`` False);
    ``trust_checked``: False when the certificate could not be judged (the content was
    changed and the certificate is valid no longer, so no signing-time check was possible);
    ``revoked``: the certificate is on a CRL (DSS or the caller's), whenever it was revoked;
    ``coverage`` / ``modification_level``: pyHanko's SignatureCoverageLevel / ModificationLevel
    names; ``modifications_permitted``: later changes are allowed by the DocMDP/FieldMDP
    policy; ``certification`` / ``docmdp``: a certification signature and its MDPPerm name;
    ``ok``: no problems; ``problems`` (Chinese) / ``problems_en``: what is wrong, plainly;
    ``holds`` / ``holds_en``: what was checked and still holds.
    """

    field: str
    signer_cn: str | None = None
    organization: str | None = None
    serial: str | None = None
    issuer: str | None = None
    chain: list[ChainEntry] = dataclasses.field(default_factory=list)
    signing_time: datetime | None = None
    timestamp_time: datetime | None = None
    timestamp_trusted: bool | None = None
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    revoked: bool = False
    revocation_reason: str | None = None
    revocation_time: datetime | None = None
    coverage: str | None = None
    modification_level: str | None = None
    modifications_permitted: bool | None = None
    certification: bool = False
    docmdp: str | None = None
    validated_at: datetime | None = None
    long_term: bool = False
    trust_checked: bool = True
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    problems_en: list[str] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    holds_en: list[str] = field(default_factory=list)


@dataclass
class TimestampCheck(_ProblemLog):
    """What was found out about one document time-stamp (PAdES B-LTA archive stamp).

    ``intact``: the document revision it covers is unchanged; ``valid`` / ``trusted``: the
    time-stamp token itself is correct and its authority chains to a given root (judged even
    when the covered content was changed).
    """

    field: str
    time: datetime | None = None
    tsa: str | None = None
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    coverage: str | None = None
    validated_at: datetime | None = None
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    problems_en: list[str] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    holds_en: list[str] = field(default_factory=list)


@dataclass
class Report:
    """The verification report of one PDF.

    ``ok``: at least one signature and every signature and document time-stamp passed;
    ``summary_zh`` / ``summary_en``: the bottom line in plain words; ``sha256``: hex digest of
    the verified bytes; ``checked_at``: the validation time (UTC unless given otherwise).
    """

    ok: bool
    signatures: list[SignatureCheck]
    timestamps: list[TimestampCheck]
    summary_zh: str
    summary_en: str
    sha256: str
    checked_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-serialisable dicts, lists, strings, numbers and bools."""
        return _jsonable(dataclasses.asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "?"


def summarise(signatures: list[SignatureCheck], timestamps: list[TimestampCheck]
              ) -> tuple[bool, str, str]:
    """Return ``(ok, summary_zh, summary_en)``: the bottom line of a report in plain words.

    :param signatures: the signature checks, in signing order.
    :param timestamps: the document time-stamp checks, in order.
    """
    if not signatures:
        return (False, "文档中没有任何电子签名，无法证明由谁签署。",
                "The document contains no signatures; nothing proves who signed it.")
    bad_sigs = [s for s in signatures if not s.ok]
    bad_ts = [t for t in timestamps if not t.ok]
    if not bad_sigs and not bad_ts:
        count = len(signatures)
        zh = f"全部 {count} 个签名有效且可信，文档签署后未被篡改。"
        en = (f"All {count} signature{'s' if count > 1 else ''} are valid and trusted; "
              "the document has not been altered since signing.")
        if timestamps:
            zh += f"文档时间戳有效（{_fmt(timestamps[-1].time)}），可长期验证。"
            en += f" The document time-stamp ({_fmt(timestamps[-1].time)}) is valid (LTA)."
        return True, zh, en
    zh_parts = ["验证未通过。"]
    en_parts = ["Verification failed."]
    if any(not s.intact for s in signatures) or any(not t.intact for t in timestamps):
        zh_parts.append("签署后文档内容被改动：这份文件与签署时的内容不一致。")
        en_parts.append("The content was changed after signing: this file is not what was "
                        "signed.")
    for sig in bad_sigs:
        zh_parts.append(f"签名 {sig.field}：{'；'.join(sig.problems) or '未通过'}。")
        en_parts.append(f"Signature {sig.field}: {'; '.join(sig.problems_en) or 'failed'}.")
    for ts in bad_ts:
        zh_parts.append(f"文档时间戳 {ts.field}：{'；'.join(ts.problems) or '未通过'}。")
        en_parts.append(f"Document time-stamp {ts.field}: "
                        f"{'; '.join(ts.problems_en) or 'failed'}.")
    holding = [(f"签名 {c.field}", f"signature {c.field}", c) for c in bad_sigs if c.holds]
    holding += [(f"文档时间戳 {c.field}", f"document time-stamp {c.field}", c)
                for c in bad_ts if c.holds]
    if holding:
        zh_parts.append("仍然成立：" + "；".join(f"{zh}：{'，'.join(c.holds)}"
                                              for zh, _en, c in holding) + "。")
        en_parts.append("Still holds: " + "; ".join(f"{en}: {', '.join(c.holds_en)}"
                                                  for _zh, en, c in holding) + ".")
    return False, "".join(zh_parts), " ".join(en_parts)
