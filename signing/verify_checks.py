"""Turn pyHanko validation statuses into :class:`SignatureCheck` / :class:`TimestampCheck`.

All judgments and plain-language problem texts of the verifier live here; the pyHanko calls
live in :mod:`signing.verify`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed, AdESSubIndic
from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    SignatureCoverageLevel,
)

from .verify_certs import (
    REASONS_ZH,
    CrlIndex,
    build_chain,
    chain_entries,
    common_name,
    organization,
)
from .verify_model import SignatureCheck, TimestampCheck
from .verify_words import words

if TYPE_CHECKING:
    from pyhanko.sign.validation.ades import AdESLTAValidationResult

__all__ = ["failed_signature", "failed_timestamp", "signature_check", "timestamp_check"]

_I = AdESIndeterminate
#: current-time results that a signing-time (B-LTA) check could cure (as in verify.py)
TIME_RELATED = frozenset({
    _I.REVOKED_NO_POE, _I.REVOKED_CA_NO_POE, _I.OUT_OF_BOUNDS_NO_POE,
    _I.OUT_OF_BOUNDS_NOT_REVOKED, _I.EXPIRED, _I.TRY_LATER, _I.NO_POE,
    _I.REVOCATION_OUT_OF_BOUNDS_NO_POE, _I.CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
})
_GOOD_COVERAGE = (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
_TRUST_TEXT: dict[AdESSubIndic, tuple[str, str]] = {
    _I.NO_CERTIFICATE_CHAIN_FOUND: ("证书不是由受信任的根证书签发的（无法建立信任链）",
                                    "the certificate does not chain to a trusted root"),
    _I.OUT_OF_BOUNDS_NO_POE: ("签名证书已过期，且没有可信的时间戳证明签署时证书有效",
                              "the certificate has expired and no trusted time-stamp proves "
                              "it was valid at signing"),
    _I.OUT_OF_BOUNDS_NOT_REVOKED: ("签名证书已过期，且没有可信的时间戳证明签署时证书有效",
                                   "the certificate has expired and no trusted time-stamp "
                                   "proves it was valid at signing"),
    _I.EXPIRED: ("签名证书已过期", "the certificate has expired"),
    _I.NOT_YET_VALID: ("签名证书在签署时尚未生效", "the certificate was not yet valid"),
    AdESFailure.NOT_YET_VALID: ("签名证书在签署时尚未生效", "the certificate was not yet valid"),
    _I.TRY_LATER: ("缺少有效的证书吊销列表（CRL），无法确认证书未被吊销",
                   "no current revocation information (CRL); revocation status unknown"),
    _I.REVOCATION_OUT_OF_BOUNDS_NO_POE: ("证书吊销信息已过期，且没有时间戳证明",
                                         "revocation information is out of date"),
    _I.NO_POE: ("没有可信的时间证明（时间戳）证明签名在证书有效期内完成",
                "no trusted proof of existence (time-stamp) within the certificate validity"),
    _I.CHAIN_CONSTRAINTS_FAILURE: ("证书链不满足约束（用途或策略不符）",
                                   "the certificate chain violates its constraints"),
    _I.SIG_CONSTRAINTS_FAILURE: ("签名证书的用途不允许用于电子签名",
                                 "the certificate's key usage does not allow signing"),
    _I.CRYPTO_CONSTRAINTS_FAILURE: ("使用了已不安全的密码算法", "a weak algorithm is used"),
    _I.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: ("使用了已不安全的密码算法",
                                           "a weak algorithm is used"),
}


class _JobLike(Protocol):
    moment: datetime
    roots: tuple[asn1_x509.Certificate, ...]
    dss_certs: list[asn1_x509.Certificate]
    crl_index: CrlIndex


def _fmt(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z") if moment else "?"


def _trust_text(indic: AdESSubIndic | None) -> tuple[str, str]:
    if indic in _TRUST_TEXT:
        return _TRUST_TEXT[indic]
    name = getattr(indic, "name", "unknown")
    return f"证书不可信（{name}）", f"the certificate is not trusted ({name})"


def signature_check(es: EmbeddedPdfSignature, status: PdfSignatureStatus,
                    lta: AdESLTAValidationResult | None, job: _JobLike) -> SignatureCheck:
    """Build the check of one signature from its current-time status (and LTA result).

    :param es: the embedded signature.
    :param status: pyHanko's status from validation at the current time.
    :param lta: the B-LTA (past) validation result, when the current-time one failed only
        because time has passed; ``None`` otherwise.
    :param job: the verification job (roots, DSS certificates, CRL index, time).
    """
    cert = status.signing_cert
    check = SignatureCheck(field=str(es.field_name), signer_cn=common_name(cert.subject),
                           organization=organization(cert), serial=format(cert.serial_number, "x"),
                           issuer=common_name(cert.issuer), intact=status.intact,
                           valid=status.valid, signing_time=status.signer_reported_dt,
                           validated_at=job.moment)
    indic, path = status.trust_problem_indic, status.validation_path
    # the certificate's own trust: pyHanko's ``trusted`` also requires ``intact``, which would
    # call a good certificate untrusted only because the content was changed
    trusted = bool(status.valid and indic is None and path is not None)
    if not status.intact and indic in TIME_RELATED:
        check.trust_checked = False  # no signing-time (B-LTA) check of changed content
    ts_status: Any = status.timestamp_validity
    ts_passed = False  # the signature time-stamp passed AdES validation with proof of existence
    if lta is not None:
        check.long_term = True
        api = lta.api_status
        if lta.ades_subindic == AdESPassed.OK and api is not None and api.validation_path:
            trusted, indic, path = True, None, api.validation_path
            check.validated_at = lta.best_signature_time
        else:
            trusted, indic = False, lta.ades_subindic
        ts_lta = lta.signature_timestamp_status
        if ts_lta is not None and ts_lta.ades_subindic == AdESPassed.OK and ts_lta.api_status:
            ts_status, ts_passed = ts_lta.api_status, True
    check.trusted = trusted
    chain = (list(path.iter_certs(include_root=True))[::-1] if path is not None else
             build_chain(cert, [*es.other_embedded_certs, *job.dss_certs, *job.roots]))
    check.chain = chain_entries(chain)
    if ts_status is not None:
        check.timestamp_time = ts_status.timestamp
        # a token whose TSA certificate has expired since is trusted when the AdES (past)
        # validation passed: a later document time-stamp proves it existed in time
        check.timestamp_trusted = bool(ts_status.intact and ts_status.valid
                                       and (ts_status.trusted or ts_passed))
    level = status.modification_level
    check.coverage = status.coverage.name if status.coverage else None
    check.modification_level = level.name if level is not None else None
    check.modifications_permitted = status.docmdp_ok
    docmdp = es.docmdp_level
    check.certification, check.docmdp = _is_certification(es), docmdp.name if docmdp else None
    _revocation(check, status, cert, chain[1] if len(chain) > 1 else None, job)
    _problems(check, status, indic)
    if ts_passed:  # trusted by the past validation: a revoked TSA still shows
        _tsa_revocation(check, es, ts_status, job)
    _signature_holds(check)
    check.ok = not check.problems
    return check


def _is_certification(es: Any) -> bool:
    """True for the document's certification signature (the one in /Perms /DocMDP); approval
    signatures that lock the document through a field lock carry a DocMDP level too."""
    try:
        certifying = es.reader.root["/Perms"].raw_get("/DocMDP")
        mine = es.sig_field.raw_get("/V")
    except (KeyError, AttributeError):
        return False
    return getattr(certifying, "idnum", None) == getattr(mine, "idnum", object())


def _revocation(check: SignatureCheck, status: PdfSignatureStatus,
                cert: asn1_x509.Certificate, issuer: asn1_x509.Certificate | None,
                job: _JobLike) -> None:
    details = status.revocation_details
    if details is not None:
        check.revoked = True
        check.revocation_time = details.revocation_date
        check.revocation_reason = str(details.revocation_reason.native)
        if details.ca_revoked:
            check.add_problem("签发证书的 CA 证书已被吊销", "a CA certificate in the chain is revoked")
        return
    found = job.crl_index.lookup(cert, issuer)
    if found is not None:
        check.revoked, check.revocation_time = True, found.time
        check.revocation_reason = found.reason


def _tsa_revocation(check: SignatureCheck, es: EmbeddedPdfSignature, ts_status: Any,
                    job: _JobLike) -> None:
    """Report the signature time-stamp's TSA certificate when a CRL lists it (a certificate
    on a CRL is reported in every case, as the signer's is)."""
    tsa = getattr(ts_status, "signing_cert", None)
    if tsa is None:
        return
    path = getattr(ts_status, "validation_path", None)
    chain = (list(path.iter_certs(include_root=True))[::-1] if path is not None else
             build_chain(tsa, [*es.other_embedded_certs, *job.dss_certs, *job.roots]))
    found = job.crl_index.lookup(tsa, chain[1] if len(chain) > 1 else None)
    if found is None:
        return
    reason = found.reason or "unspecified"
    check.add_problem(
        f"签名时间戳的时间戳机构证书已于 {_fmt(found.time)} 被吊销"
        f"（原因：{REASONS_ZH.get(reason, reason)}）",
        f"the signature time-stamp's TSA certificate was revoked on {_fmt(found.time)} "
        f"({reason})")


def _problems(check: SignatureCheck, status: PdfSignatureStatus,
              indic: AdESSubIndic | None) -> None:
    if not check.intact:
        check.add_problem("签名后文档内容被篡改（哈希值不匹配）",
                          "the signed content was altered (hash mismatch)")
    elif not check.valid:
        check.add_problem("签名值无效（签名数据被破坏或伪造）", "the signature value is invalid")
    if status.coverage not in _GOOD_COVERAGE:
        check.add_problem("签名没有覆盖完整的文档版本", "the signature does not cover a whole revision")
    if status.docmdp_ok is False:
        level = check.modification_level or "OTHER"
        check.add_problem(f"签名之后文档被修改：不允许的修改（{words('level', level)}）",
                          f"the document was changed after signing: changes not permitted "
                          f"({words('level', level, english=True)})")
    if check.revoked and check.revocation_time is not None:
        reason = check.revocation_reason or "unspecified"
        zh = (f"签名证书已于 {_fmt(check.revocation_time)} 被吊销"
              f"（原因：{REASONS_ZH.get(reason, reason)}）")
        en = f"the certificate was revoked on {_fmt(check.revocation_time)} ({reason})"
        if check.timestamp_time and check.revocation_time > check.timestamp_time:
            zh += "，吊销发生在签名时间戳之后（签署时证书有效）"
            en += ", after the signature time-stamp (it was valid at signing)"
        elif check.timestamp_time:
            zh += "，吊销早于签名时间戳（签署时证书已失效）"
            en += ", before the signature time-stamp (it was invalid at signing)"
        check.add_problem(zh, en)
    elif not check.trusted and check.valid and check.trust_checked:
        check.add_problem(*_trust_text(indic))
    if check.timestamp_trusted is False:
        check.add_problem("签名时间戳无效或不可信", "the signature time-stamp is invalid or untrusted")
    if not status.seed_value_ok:
        check.add_problem("签名不符合签名域的约束（seed value）",
                          "the signature violates the field's seed-value constraints")


def _signature_holds(check: SignatureCheck) -> None:
    """What was checked and still holds, whatever else failed."""
    if check.valid and check.signer_cn:
        check.add_hold(f"签名值有效（确由“{check.signer_cn}”的签名证书签署）",
                       f"the signature value is valid (made with the certificate of "
                       f"{check.signer_cn})")
    if check.trusted:
        check.add_hold("证书链可信（由受信任的根证书签发）",
                       "the certificate chain is trusted (issued under a trusted root)")
        if not check.revoked:
            check.add_hold("证书未被吊销", "the certificate is not revoked")
    if check.timestamp_trusted and check.timestamp_time is not None:
        check.add_hold(f"签名时间戳有效（签名在 {_fmt(check.timestamp_time)} 已经存在）",
                       f"the signature time-stamp is valid (the signature existed at "
                       f"{_fmt(check.timestamp_time)})")


def timestamp_check(es: EmbeddedPdfSignature, status: DocumentTimestampStatus,
                    validated_at: datetime) -> TimestampCheck:
    """Build the check of one document time-stamp.

    :param es: the embedded document time-stamp.
    :param status: pyHanko's status.
    :param validated_at: the time it was validated at (now, or a later stamp's time).
    """
    # the token's own trust (pyHanko's ``trusted`` also requires the covered bytes intact)
    trusted = bool(status.valid and status.trust_problem_indic is None
                   and status.validation_path is not None)
    check = TimestampCheck(field=str(es.field_name), time=status.timestamp,
                           tsa=common_name(status.signing_cert.subject), intact=status.intact,
                           valid=status.valid, trusted=trusted,
                           coverage=status.coverage.name if status.coverage else None,
                           validated_at=validated_at)
    if not status.intact:
        check.add_problem("时间戳之后文档内容被篡改（哈希值不匹配）",
                          "the time-stamped content was altered (hash mismatch)")
    if not status.valid:
        check.add_problem("时间戳签名无效", "the time-stamp signature is invalid")
    elif not trusted:
        zh, en = _trust_text(status.trust_problem_indic)
        check.add_problem(f"时间戳机构{zh}", f"time-stamping authority: {en}")
    if status.docmdp_ok is False:
        check.add_problem("时间戳之后文档被修改：不允许的修改",
                          "the document was changed after the time-stamp: not permitted")
    if check.valid and check.trusted:
        check.add_hold(f"时间戳本身有效（时间戳机构“{check.tsa}”可信，{_fmt(check.time)} 的时间记录无误）",
                       f"the time-stamp token itself is valid (its authority {check.tsa} is "
                       f"trusted; the time {_fmt(check.time)} stands)")
    check.ok = not check.problems
    return check


def failed_signature(name: str, exc: BaseException) -> SignatureCheck:
    """The check of a signature pyHanko could not process at all."""
    check = SignatureCheck(field=name)
    check.add_problem(f"无法验证此签名：签名数据损坏或格式不受支持（{type(exc).__name__}）",
                      f"the signature cannot be validated: damaged or unsupported "
                      f"({type(exc).__name__})")
    return check


def failed_timestamp(name: str, exc: BaseException) -> TimestampCheck:
    """The check of a document time-stamp pyHanko could not process at all."""
    check = TimestampCheck(field=name)
    check.add_problem(f"无法验证此时间戳：数据损坏或格式不受支持（{type(exc).__name__}）",
                      f"the time-stamp cannot be validated: damaged or unsupported "
                      f"({type(exc).__name__})")
    return check
