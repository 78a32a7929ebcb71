"""Signing library of the labor-contract platform (no Flask).

Render a contract PDF, run the platform CA (root + issuing CA, event certificates, CRLs),
time-stamp with the built-in RFC 3161 TSA, and sign PAdES B-B ... B-LTA with the employer's
seal and the worker's drawn signature.

Typical use::

    font = find_cjk_font()
    pdf = render_contract_pdf(terms, font)
    signer = ContractSigner(ca, font, timestamper=InProcessTimeStamper(tsa),
                            crl_source=lambda: [ca.build_crl(revoked), ca.build_root_crl()])
    sealed = signer.seal_employer(pdf, org_name=..., uscc=...)
    signed = signer.sign_worker(sealed.pdf, name=..., id_hash=..., signature_png=...)
"""

from . import _quiet  # noqa: F401 - first: before pyHanko is imported
from ._speedups import install as _install_speedups
from .appearance import seal_png, signature_appearance, signing_time_text
from .ca import EventCredential, PlatformCA, is_valid_uscc
from .contract_text import Clause
from .errors import (
    CertificateError,
    FontNotFound,
    InvalidDocument,
    KeyProviderError,
    SigningError,
    TimestampError,
)
from .fonts import find_cjk_font
from .keys import (
    EncryptedPemKeyProvider,
    InMemoryKeyProvider,
    KeyProvider,
    Pkcs11KeyProvider,
)
from .render import (
    EMPLOYER_BOX,
    EMPLOYER_FIELD,
    SIGNATURE_PAGE,
    WORKER_BOX,
    WORKER_FIELD,
    ContractTerms,
    render_contract_pdf,
)
from .report_pdf import render_report_pdf
from .signer import ContractSigner, KeyProviderSigner, SignResult
from .tsa import DEFAULT_POLICY_OID, InProcessTimeStamper, TimeStampAuthority, load_or_create_tsa
from .verify import ChainEntry, Report, SignatureCheck, TimestampCheck, verify

__all__ = [
    "DEFAULT_POLICY_OID",
    "EMPLOYER_BOX",
    "EMPLOYER_FIELD",
    "SIGNATURE_PAGE",
    "WORKER_BOX",
    "WORKER_FIELD",
    "CertificateError",
    "ChainEntry",
    "Clause",
    "ContractSigner",
    "ContractTerms",
    "EncryptedPemKeyProvider",
    "EventCredential",
    "FontNotFound",
    "InMemoryKeyProvider",
    "InProcessTimeStamper",
    "InvalidDocument",
    "KeyProvider",
    "KeyProviderError",
    "KeyProviderSigner",
    "Pkcs11KeyProvider",
    "PlatformCA",
    "Report",
    "SignatureCheck",
    "SignResult",
    "SigningError",
    "TimeStampAuthority",
    "TimestampCheck",
    "TimestampError",
    "find_cjk_font",
    "is_valid_uscc",
    "load_or_create_tsa",
    "render_contract_pdf",
    "render_report_pdf",
    "seal_png",
    "signature_appearance",
    "signing_time_text",
    "verify",
]

_install_speedups()

# archive time-stamp renewal (issue 22)
from ._ltv_fix import install as _install_ltv_fix  # noqa: E402
from .renewal import TimestampInfo, latest_timestamp, renew_archival_timestamp  # noqa: E402

__all__ += ["TimestampInfo", "latest_timestamp", "renew_archival_timestamp"]
_install_ltv_fix()
from .renewal import STRONG_ALGORITHMS, strong_algorithm  # noqa: E402

__all__ += ["STRONG_ALGORITHMS", "strong_algorithm"]
