"""The built-in RFC 3161 time-stamping authority and a pyHanko time-stamper that calls it.

:class:`TimeStampAuthority` turns a DER ``TimeStampReq`` into a DER ``TimeStampResp``; the
app serves it at ``/tsa`` (``application/timestamp-query`` in, ``application/timestamp-reply``
out). :class:`InProcessTimeStamper` lets the signer use it without HTTP; an external TSA is
used through pyHanko's ``HTTPTimeStamper`` instead.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.timestamps.api import TimeStamper

from .errors import TimestampError
from .keys import EncryptedPemKeyProvider, KeyProvider, public_key_info, signature_algorithm

if TYPE_CHECKING:
    from .ca import PlatformCA

__all__ = [
    "DEFAULT_POLICY_OID",
    "InProcessTimeStamper",
    "TimeStampAuthority",
    "load_or_create_tsa",
]

#: TSA policy OID of the built-in TSA: a UUID-derived OID (ITU-T X.667, arc 2.25), unique
#: without registration. Replace it with an assigned OID when one is available.
DEFAULT_POLICY_OID = "2.25.276313729586418511474774837371687207696"

_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}
_SIGNED_DATA_OID = core.ObjectIdentifier("1.2.840.113549.1.7.2").dump()
_GRANTED = tsp.PKIStatusInfo({"status": "granted"}).dump()


def _der(tag: int, content: bytes) -> bytes:
    """One DER TLV: ``tag`` (a single identifier octet), definite length, ``content``."""
    size = len(content)
    if size < 0x80:
        return bytes((tag, size)) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes((tag, 0x80 | len(length))) + length + content


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _as_asn1(cert: x509.Certificate | asn1_x509.Certificate) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _TimeStampResp(core.Sequence):
    """``TimeStampResp`` with the token optional (asn1crypto's requires it, RFC 3161 not)."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


class _Rejection(Exception):
    def __init__(self, fail_info: str, text: str) -> None:
        super().__init__(text)
        self.fail_info = fail_info
        self.text = text


class TimeStampAuthority:
    """An RFC 3161 TSA signing with a key that stays loaded (or on its token).

    :param cert: the TSA certificate (EKU timeStamping, critical), cryptography or asn1crypto.
    :param key_provider: the TSA key.
    :param policy_oid: the TSA policy OID put into every token.
    :param next_serial: returns a new unique serial number per token (e.g. a DB sequence).
    :param accuracy_ms: declared accuracy of the clock in milliseconds.
    :param clock: time source returning an aware UTC datetime.
    :param extra_certs: certificates sent along when the request asks for certificates
        (typically the issuing CA), so verifiers can build the chain.
    :raises TimestampError: the certificate does not match the key.
    """

    def __init__(self, cert: x509.Certificate | asn1_x509.Certificate, key_provider: KeyProvider,
                 *, policy_oid: str, next_serial: Callable[[], int], accuracy_ms: int = 1000,
                 clock: Callable[[], datetime] = _utcnow,
                 extra_certs: Sequence[x509.Certificate | asn1_x509.Certificate] = ()) -> None:
        self.cert = _as_asn1(cert)
        if self.cert.public_key.dump() != public_key_info(key_provider).dump():
            raise TimestampError("the TSA certificate does not match the TSA key")
        self._key = key_provider
        self.policy_oid = policy_oid
        self._next_serial = next_serial
        self._clock = clock
        seconds, millis = divmod(max(accuracy_ms, 1), 1000)
        accuracy: dict[str, int] = {}
        if seconds:
            accuracy["seconds"] = seconds
        if millis:
            accuracy["millis"] = millis
        self._accuracy = tsp.Accuracy(accuracy)
        # Static parts are kept as DER and re-loaded per token: asn1crypto deep-copies and
        # re-serializes constructed values each time they are nested (~4 ms per token).
        self._tsa_name_der = asn1_x509.GeneralName(
            name="directory_name", value=self.cert.subject).dump()
        self._sid_der = cms.SignerIdentifier({"issuer_and_serial_number": {
            "issuer": self.cert.issuer, "serial_number": self.cert.serial_number}}).dump()
        self._ess_der = simple_cms_attribute(
            "signing_certificate_v2", as_signing_certificate_v2(self.cert, "sha256")).dump()
        self._certs_der = [self.cert.dump(), *(_as_asn1(c).dump() for c in extra_certs)]

    # -- public -------------------------------------------------------------------------
    def respond(self, request_der: bytes) -> bytes:
        """Answer a DER ``TimeStampReq`` with a DER ``TimeStampResp``.

        Malformed requests get a rejection with failInfo ``badDataFormat``, unsupported hash
        algorithms ``badAlg``, a foreign policy ``unacceptedPolicy``, extensions
        ``unacceptedExtension``. Never raises for bad input.

        :param request_der: the request body.
        """
        try:
            req, md_algorithm = self._parse(request_der)
            token = self._token(req, md_algorithm)
        except _Rejection as rej:
            return self._rejection(rej.fail_info, rej.text)
        except Exception:  # the key provider or clock failed: say so, do not crash the caller
            return self._rejection("system_failure", "time-stamping failed")
        return _der(0x30, _GRANTED + token)

    # -- internals ----------------------------------------------------------------------
    def _parse(self, request_der: bytes) -> tuple[tsp.TimeStampReq, str]:
        try:
            req = tsp.TimeStampReq.load(request_der, strict=True)
            req.native  # force a full parse  # noqa: B018
            imprint = req["message_imprint"]
            md_algorithm = imprint["hash_algorithm"]["algorithm"].native
            digest = imprint["hashed_message"].native
        except (ValueError, TypeError, KeyError) as exc:
            raise _Rejection("bad_data_format", f"malformed request: {exc}") from None
        if req["version"].native != "v1":
            raise _Rejection("bad_request", "unsupported request version")
        if md_algorithm not in _DIGEST_SIZES:
            raise _Rejection("bad_alg", f"unsupported hash algorithm {md_algorithm}")
        if len(digest) != _DIGEST_SIZES[md_algorithm]:
            raise _Rejection("bad_data_format", "digest length does not match its algorithm")
        policy = req["req_policy"].native
        if policy is not None and policy != self.policy_oid:
            raise _Rejection("unaccepted_policy", f"policy {policy} is not supported")
        if req["extensions"].native:
            raise _Rejection("unaccepted_extensions", "request extensions are not supported")
        return req, md_algorithm

    def _token(self, req: tsp.TimeStampReq, md_algorithm: str) -> bytes:
        """The DER ``ContentInfo`` (SignedData over a TSTInfo) answering ``req``."""
        now = self._clock().astimezone(UTC)
        info: dict = {
            "version": "v1",
            "policy": self.policy_oid,
            "message_imprint": req["message_imprint"],
            "serial_number": self._next_serial(),
            "gen_time": now,
            "accuracy": self._accuracy,
            "tsa": asn1_x509.GeneralName.load(self._tsa_name_der),
        }
        if req["nonce"].native is not None:
            info["nonce"] = req["nonce"]
        tst_der = tsp.TSTInfo(info).dump()
        sign_md = md_algorithm  # sign with the requester's (already checked) hash
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(now)})),
            cms.CMSAttribute.load(self._ess_der),
            simple_cms_attribute("message_digest", hashlib.new(sign_md, tst_der).digest()),
        ])
        signature = self._key.sign(signed_attrs.dump(), sign_md)
        digest_alg = algos.DigestAlgorithm({"algorithm": sign_md})
        signer_info = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier.load(self._sid_der),
            "digest_algorithm": digest_alg,
            "signed_attrs": signed_attrs,
            "signature_algorithm": signature_algorithm(self._key, sign_md),
            "signature": signature,
        }).dump()
        eci = cms.EncapsulatedContentInfo({"content_type": "tst_info",
                                           "content": cms.ParsableOctetString(tst_der)}).dump()
        # SignedData and ContentInfo are put together from DER pieces: asn1crypto's dump() of
        # a SignedData holding certificates re-serialises them recursively, which for some
        # certificates costs 0.5-2 s of CPU per token (measured; depends on the generated CA).
        certs = _der(0xA0, b"".join(sorted(self._certs_der))) if req["cert_req"].native else b""
        signed_data = _der(0x30, _der(0x02, b"\x03") + _der(0x31, digest_alg.dump()) + eci
                           + certs + _der(0x31, signer_info))
        return _der(0x30, _SIGNED_DATA_OID + _der(0xA0, signed_data))

    @staticmethod
    def _rejection(fail_info: str, text: str) -> bytes:
        status = tsp.PKIStatusInfo({
            "status": "rejection",
            "status_string": [text],
            "fail_info": tsp.PKIFailureInfo({fail_info}),
        })
        return _TimeStampResp({"status": status}).dump()


class InProcessTimeStamper(TimeStamper):
    """A pyHanko ``TimeStamper`` that asks a :class:`TimeStampAuthority` directly, no HTTP.

    :param tsa: the in-process authority.
    """

    def __init__(self, tsa: TimeStampAuthority) -> None:
        super().__init__(include_nonce=True)
        self.tsa = tsa

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Pass the request to the TSA and parse its answer.

        :param req: the request built by pyHanko.
        :raises TimestampError: the TSA rejected the request.
        """
        der = self.tsa.respond(req.dump())
        status = _TimeStampResp.load(der)["status"]
        if status["status"].native not in ("granted", "granted_with_mods"):
            raise TimestampError(f"TSA rejected the request: {status.native}")
        return tsp.TimeStampResp.load(der)


def load_or_create_tsa(ca: PlatformCA, directory: Path, passphrase: bytes, *,
                       next_serial: Callable[[], int], policy_oid: str = DEFAULT_POLICY_OID,
                       accuracy_ms: int = 1000) -> TimeStampAuthority:
    """The built-in TSA from ``directory`` (``tsa.pem``, encrypted ``tsa.key.pem``), created
    and certified by ``ca`` on first use.

    :param ca: the platform CA (issues the TSA certificate; its issuing CA is sent along).
    :param directory: where the TSA key and certificate live (usually the CA folder).
    :param passphrase: encrypts the TSA key.
    :param next_serial: unique token serial numbers (e.g. a database sequence).
    :param policy_oid: TSA policy OID.
    :param accuracy_ms: declared clock accuracy.
    :raises signing.errors.KeyProviderError: the key cannot be read or written.
    :raises TimestampError: the stored certificate does not match the key.
    """
    directory = Path(directory)
    key_path, cert_path = directory / "tsa.key.pem", directory / "tsa.pem"
    if key_path.exists() and cert_path.exists():
        key = EncryptedPemKeyProvider(key_path, passphrase)
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    else:
        key = EncryptedPemKeyProvider.create(key_path, passphrase)
        cert = ca.issue_tsa_certificate(key)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return TimeStampAuthority(cert, key, policy_oid=policy_oid, next_serial=next_serial,
                              accuracy_ms=accuracy_ms, extra_certs=[ca.issuing_cert])
