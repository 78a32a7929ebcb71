"""Self-contained signed-PDF fixtures for the verification tests.

Built with plain pyHanko + cryptography (no code from :mod:`signing` other than the module under
test), so these tests do not depend on the signing side of the library. Everything is cached
per process with :func:`functools.cache`, i.e. built once per test session.

The PKI: a root CA, an issuing CA below it, one-day event certificates for the employer and the
worker (ECDSA P-256, keyUsage digitalSignature+nonRepudiation, EKU emailProtection, a CRL
distribution point), a TSA certificate (EKU timeStamping, critical; RSA because pyHanko's
DummyTimeStamper signs with RSA only) and CRLs. The contract: a one-page reportlab PDF with two
pre-created signature fields, certified by the employer (DocMDP: form filling), approved by the
worker, then made PAdES B-LTA (DSS with the CRLs and a document time-stamp).
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.validation import add_validation_info
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

__all__ = [
    "EMPLOYER_FIELD",
    "WAGE_TEXT",
    "WORKER_FIELD",
    "Party",
    "Pki",
    "crl_revoking",
    "other_root",
    "pki",
    "signed_contract",
    "stamped_after_signing",
    "unsigned_pdf",
]

EMPLOYER_FIELD = "EmployerSignature"
WORKER_FIELD = "WorkerSignature"
#: Text in the (uncompressed) page content; the tamper test flips a digit of it.
WAGE_TEXT = b"Monthly wage: 5000 CNY"
CRL_URL = "http://127.0.0.1:9/crl/issuing.crl"


@dataclass(frozen=True)
class Party:
    """A certificate with its private key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

    @property
    def asn1_cert(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        der = self.key.private_bytes(serialization.Encoding.DER,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        return asn1_keys.PrivateKeyInfo.load(der)


@dataclass(frozen=True)
class Pki:
    """The throwaway PKI of the test session."""

    root: Party
    issuing: Party
    employer: Party
    worker: Party
    tsa: Party
    issuing_crl: bytes  # DER, revokes nothing
    root_crl: bytes  # DER, revokes nothing


def _name(cn: str, org: str = "Test Platform") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _issue(subject: x509.Name, issuer: Party | None, *, ca: bool, days: int,
           eku: x509.ObjectIdentifier | None = None, eku_critical: bool = False,
           crl_dp: bool = False, use_rsa: bool = False) -> Party:
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if use_rsa:  # pyHanko's DummyTimeStamper signs with RSA only
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
    issuer_name = issuer.cert.subject if issuer else subject
    signing_key = issuer.key if issuer else key
    now = _now() - timedelta(hours=1)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now).not_valid_after(now + timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False)
    signer = eku == ExtendedKeyUsageOID.EMAIL_PROTECTION
    builder = builder.add_extension(x509.KeyUsage(
        digital_signature=not ca, content_commitment=signer, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False), critical=True)
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=eku_critical)
    if crl_dp:
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(CRL_URL)], relative_name=None,
            reasons=None, crl_issuer=None)]), critical=False)
    cert = builder.sign(signing_key, hashes.SHA256())
    return Party(cert, key)


def _crl(issuer: Party, revoked: tuple[tuple[int, datetime, x509.ReasonFlags], ...] = ()
         ) -> bytes:
    now = _now()
    builder = (x509.CertificateRevocationListBuilder().issuer_name(issuer.cert.subject)
               .last_update(now - timedelta(minutes=1)).next_update(now + timedelta(days=7))
               .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer.key.public_key()), critical=False))
    for serial, when, reason in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
            .add_extension(x509.CRLReason(reason), critical=False).build())
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@functools.cache
def pki() -> Pki:
    """The session PKI (root → issuing CA → employer / worker / TSA)."""
    root = _issue(_name("Test Root CA"), None, ca=True, days=3650)
    issuing = _issue(_name("Test Issuing CA"), root, ca=True, days=3650)
    employer = _issue(_name("张三建筑有限公司", "张三建筑有限公司"), issuing, ca=False, days=1,
                      eku=ExtendedKeyUsageOID.EMAIL_PROTECTION, crl_dp=True)
    worker = _issue(_name("李四"), issuing, ca=False, days=1,
                    eku=ExtendedKeyUsageOID.EMAIL_PROTECTION, crl_dp=True)
    tsa = _issue(_name("Test TSA"), issuing, ca=False, days=3650,
                 eku=ExtendedKeyUsageOID.TIME_STAMPING, eku_critical=True, use_rsa=True)
    return Pki(root, issuing, employer, worker, tsa, _crl(issuing), _crl(root))


@functools.cache
def other_root() -> x509.Certificate:
    """An unrelated self-signed root (trusting only it must make every signature untrusted)."""
    return _issue(_name("Unrelated Root CA", "Elsewhere"), None, ca=True, days=3650).cert


def crl_revoking(serial: int, *, reason: x509.ReasonFlags = x509.ReasonFlags.key_compromise,
                 when: datetime | None = None) -> bytes:
    """A fresh CRL of the issuing CA listing ``serial`` as revoked (DER)."""
    return _crl(pki().issuing, ((serial, when or _now(), reason),))


@functools.cache
def unsigned_pdf() -> bytes:
    """A one-page contract PDF with uncompressed content and no signature fields."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=0)
    c.setFont("Helvetica", 14)
    c.drawString(72, 780, "Labor contract (test fixture)")
    c.drawString(72, 750, WAGE_TEXT.decode())
    c.showPage()
    c.save()
    return buf.getvalue()


def _signer(party: Party) -> signers.SimpleSigner:
    p = pki()
    store = SimpleCertificateStore.from_certs([p.issuing.asn1_cert, p.root.asn1_cert])
    return signers.SimpleSigner(signing_cert=party.asn1_cert, signing_key=party.asn1_key,
                                cert_registry=store)


def _timestamper(at: datetime | None = None) -> DummyTimeStamper:
    p = pki()
    return DummyTimeStamper(tsa_cert=p.tsa.asn1_cert, tsa_key=p.tsa.asn1_key, fixed_dt=at,
                            certs_to_embed=SimpleCertificateStore.from_certs(
                                [p.issuing.asn1_cert, p.root.asn1_cert]))


def _dss_vc() -> ValidationContext:
    """Validation context holding CRLs issued *after* the signatures, as a live CA would."""
    p = pki()
    return ValidationContext(trust_roots=[p.root.asn1_cert],
                             crls=[_crl(p.issuing), _crl(p.root)],
                             other_certs=[p.issuing.asn1_cert], allow_fetching=False)


def _sign(pdf: bytes, party: Party, meta: signers.PdfSignatureMetadata, at: datetime) -> bytes:
    signer = signers.PdfSigner(meta, _signer(party), timestamper=_timestamper(at))
    return signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf))).getvalue()


@functools.cache
def signed_contract() -> bytes:
    """Employer certification (DocMDP FILL_FORMS) + worker approval + DSS + document TS.

    The signature time-stamps are dated a few minutes back and the DSS CRLs are issued after
    them, so long-term (past) validation works once the one-day event certificates expire.
    """
    w = IncrementalPdfFileWriter(io.BytesIO(unsigned_pdf()))
    for name, x in ((EMPLOYER_FIELD, 72), (WORKER_FIELD, 320)):
        fields.append_signature_field(w, SigFieldSpec(name, on_page=0,
                                                      box=(x, 100, x + 200, 160)))
    out = io.BytesIO()
    w.write(out)
    signed_at = _now() - timedelta(minutes=10)
    pdf = _sign(out.getvalue(), pki().employer, signers.PdfSignatureMetadata(
        field_name=EMPLOYER_FIELD, certify=True, docmdp_permissions=MDPPerm.FILL_FORMS,
        subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256", reason="用人单位签章"),
        signed_at)
    pdf = _sign(pdf, pki().worker, signers.PdfSignatureMetadata(
        field_name=WORKER_FIELD, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason="劳动者签名"), signed_at + timedelta(minutes=1))
    vc = _dss_vc()
    for ix in range(2):  # re-read each time: every DSS update is a new revision
        embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[ix]
        pdf = add_validation_info(embedded, vc, output=io.BytesIO()).getvalue()
    out = signers.PdfTimeStamper(_timestamper()).timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), "sha256", validation_context=vc)
    return out.getvalue()


@functools.cache
def stamped_after_signing() -> bytes:
    """The signed contract with text drawn on page 1 in a later incremental update."""
    w = IncrementalPdfFileWriter(io.BytesIO(signed_contract()))
    font = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Font"),
        generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
        generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
    })
    resources = generic.DictionaryObject({
        generic.NameObject("/Font"): generic.DictionaryObject(
            {generic.NameObject("/FX"): w.add_object(font)}),
    })
    stream = generic.StreamObject(stream_data=b"BT /FX 14 Tf 72 720 Td (Wage now 1 CNY) Tj ET")
    w.add_stream_to_page(0, w.add_object(stream), resources=resources)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _bench(runs: int = 20) -> None:
    """Print the median time of verifying :func:`signed_contract` offline (not a test)."""
    import logging
    import statistics
    import time

    from signing.verify import verify

    logging.disable(logging.WARNING)  # pyHanko logs expected validation failures verbosely
    pdf, roots = signed_contract(), [pki().root.cert]
    for label, kwargs in (("now", {}),
                          ("3 years later (LTA)", {"now": _now() + timedelta(days=3 * 365)})):
        verify(pdf, trust_roots=roots, **kwargs)  # warm-up: root parsing, imports
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            report = verify(pdf, trust_roots=roots, **kwargs)
            times.append((time.perf_counter() - start) * 1000)
        print(f"verify {label}: ok={report.ok} median {statistics.median(times):.1f} ms, "
              f"min {min(times):.1f} ms, max {max(times):.1f} ms over {runs} runs")


if __name__ == "__main__":
    _bench()
