"""Fixtures and helpers for the signing-library tests."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import crl as asn1_crl
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko_certvalidator import ValidationContext

SOFTHSM_LIB = "/usr/lib/softhsm/libsofthsm2.so"


def run(*cmd: str | Path, check: bool = True, **kwargs) -> subprocess.CompletedProcess[str]:
    """Run an external verifier, returning its text output."""
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=check,
                          timeout=60, **kwargs)


from tests.needs import need, need_tool  # noqa: E402


def reader(pdf: bytes) -> PdfFileReader:
    import io

    return PdfFileReader(io.BytesIO(pdf))


def validation_context(platform_ca, *, crls: list[bytes] | None = None) -> ValidationContext:
    """Platform root as the only trust anchor, CRLs required, no network."""
    crls = crls if crls is not None else [platform_ca.build_crl(), platform_ca.build_root_crl()]
    return ValidationContext(
        trust_roots=[platform_ca.root_cert_asn1],
        other_certs=[platform_ca.issuing_cert_asn1],
        crls=[asn1_crl.CertificateList.load(c) for c in crls],
        allow_fetching=False,
        revocation_mode="hard-fail",
    )


@dataclass(frozen=True)
class SignedContract:
    unsigned: bytes
    sealed: object  # SignResult
    signed: object  # SignResult


@pytest.fixture(scope="session")
def unsigned_pdf(sample_terms, cjk_font) -> bytes:
    from signing import render_contract_pdf

    return render_contract_pdf(sample_terms, cjk_font)


@pytest.fixture(scope="session")
def signed_contract(contract_signer, sample_terms, unsigned_pdf, signature_png) -> SignedContract:
    """The sample contract sealed by the employer and signed by the worker (B-LTA)."""
    sealed = contract_signer.seal_employer(unsigned_pdf, org_name=sample_terms.employer_name,
                                           uscc=sample_terms.employer_uscc)
    signed = contract_signer.sign_worker(sealed.pdf, name=sample_terms.worker_name,
                                         id_hash="9f" * 32, signature_png=signature_png)
    return SignedContract(unsigned=unsigned_pdf, sealed=sealed, signed=signed)


@pytest.fixture(scope="session")
def pem_files(platform_ca, tmp_path_factory) -> dict[str, Path]:
    """root.pem and chain.pem (issuing CA) for the external verifiers."""
    from cryptography.hazmat.primitives.serialization import Encoding

    folder = tmp_path_factory.mktemp("pem")
    root = folder / "root.pem"
    root.write_bytes(platform_ca.root_cert.public_bytes(Encoding.PEM))
    chain = folder / "chain.pem"
    chain.write_bytes(platform_ca.issuing_cert.public_bytes(Encoding.PEM))
    return {"root": root, "chain": chain}


@pytest.fixture(scope="session")
def nss_db(pem_files, tmp_path_factory) -> str:
    """An NSS database trusting only the platform root, for pdfsig."""
    need_tool("certutil")
    folder = tmp_path_factory.mktemp("nss")
    run("certutil", "-N", "-d", f"sql:{folder}", "--empty-password")
    run("certutil", "-A", "-n", "root", "-t", "CT,C,C", "-i", pem_files["root"],
        "-d", f"sql:{folder}")
    return f"sql:{folder}"


@dataclass(frozen=True)
class SoftHsm:
    lib: str
    token: str
    pin: str


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory) -> SoftHsm:
    """A fresh SoftHSM2 token (skipped without softhsm2 unless CI=true)."""
    need_tool("softhsm2-util")
    need(Path(SOFTHSM_LIB).exists(), f"{SOFTHSM_LIB} not installed")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    # read by the library when it is first loaded in this process
    os.environ["SOFTHSM2_CONF"] = str(conf)
    run("softhsm2-util", "--init-token", "--free", "--label", "laborsign-test",
        "--pin", "123456", "--so-pin", "12345678")
    return SoftHsm(lib=SOFTHSM_LIB, token="laborsign-test", pin="123456")
