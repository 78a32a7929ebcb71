#!/usr/bin/env python
"""Benchmark the contract pipeline: render + employer seal + worker signature (+ filing).

For each PAdES level (B-B, B-T, B-LT, B-LTA) and N contracts it prints median and p95
milliseconds of

* ``platform``  -- :mod:`signing` as the app uses it (event certificates, pre-rendered
  stamps, in-memory keys, reserved signature size) plus filing into an archive store;
* ``minimal``   -- a minimal hand-written pyHanko script doing the same two signatures
  (same fields, certification + locks, same TSA, pyHanko's own DSS/LTA steps) on the same
  PDF, with keys loaded once and pyHanko's default (Latin) stamp;
* ``stock``     -- the naive approach: ``SimpleSigner.load`` from PEM files per signature
  (RSA-2048), Chinese text stamps through pyHanko's font engine, size estimation by
  dry-run signature.

Usage: ``.venv/bin/python bench/sign_pipeline.py [-n 20] [--stock-n 5]``
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import itertools
import json
import logging
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asn1crypto import crl as asn1_crl  # noqa: E402
from asn1crypto import keys as asn1_keys  # noqa: E402
from asn1crypto.x509 import Name  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from pyhanko.stamp import TextStampStyle  # noqa: E402
from pyhanko_certvalidator import ValidationContext  # noqa: E402
from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: E402

from signing import (  # noqa: E402
    ContractSigner,
    ContractTerms,
    InMemoryKeyProvider,
    InProcessTimeStamper,
    PlatformCA,
    find_cjk_font,
    load_or_create_tsa,
    render_contract_pdf,
)
from signing.keys import generate_private_key, public_key_info  # noqa: E402
from signing.x509build import build_certificate, cert_to_pem, random_serial  # noqa: E402

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
PASS = b"bench-passphrase"


def terms(i: int) -> ContractTerms:
    return ContractTerms(
        contract_no=f"HT-2026-{i:06d}", title="劳动合同（固定期限）",
        employer_name="湖南建工集团第三工程有限公司", employer_uscc="91110000600037341L",
        employer_address="湖南省长沙市长沙县星沙街道开元东路1号", employer_legal_rep="李建国",
        worker_name=f"王小明{i % 10}", worker_id_number="360426199101010071",
        worker_phone="13800138000", worker_address="江西省九江市德安县丰林镇丰林村12号",
        term_start=date(2026, 12, 1), term_end=date(2027, 11, 30), probation_months=1,
        probation_wage=Decimal("5200"), post="钢筋工", work_location="长沙县星沙产业园三期项目工地",
        hours_system="标准工时制", monthly_wage=Decimal("6500"), pay_day=15,
        social_insurance="甲方为乙方办理工伤保险，并依法参加养老、医疗、失业等社会保险。",
        labor_protection="甲方为乙方配备安全帽、安全带、防护手套和劳保鞋。")


def signature_png() -> bytes:
    img = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(40, 160), (120, 60), (180, 190), (260, 70), (330, 180),
                              (420, 80), (560, 150)], fill=(20, 20, 70, 255), width=9)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


@dataclasses.dataclass
class Setup:
    tmp: Path
    ca: PlatformCA
    font: str
    stamper: InProcessTimeStamper
    sig_png: bytes
    store: object | None
    minimal: dict  # role -> SimpleSigner (keys loaded once)
    stock_files: dict  # role -> (key path, cert path)

    def crls(self) -> list[bytes]:
        return [self.ca.build_crl(), self.ca.build_root_crl()]


def _credential(ca: PlatformCA, algorithm: str, cn: str):
    """A signer key + certificate from the platform's issuing CA (outside any timing)."""
    key = generate_private_key(algorithm)
    now = datetime.now(UTC) - timedelta(minutes=1)
    cert = build_certificate(
        issuer_key=ca.issuing_key, issuer_name=ca.issuing_cert_asn1.subject,
        issuer_key_id=ca.issuing_cert_asn1.key_identifier,
        subject_name=Name.build({"country_name": "CN", "common_name": cn}),
        subject_spki=public_key_info(InMemoryKeyProvider(key)),
        not_before=now, not_after=now + timedelta(days=2),
        serial=random_serial(), key_usage={"digital_signature", "non_repudiation"},
        extended_key_usage=["email_protection"], crl_url=ca.crl_url)
    return key, cert


def setup(tmp: Path) -> Setup:
    ca = PlatformCA.create(tmp / "ca", PASS, crl_base_url="http://bench.local")
    counter = itertools.count(1)
    tsa = load_or_create_tsa(ca, tmp / "ca", PASS, next_serial=lambda: next(counter))
    registry = SimpleCertificateStore.from_certs([ca.issuing_cert_asn1, ca.root_cert_asn1])
    minimal, stock_files = {}, {}
    for role in ("employer", "worker"):
        key, cert = _credential(ca, "ec-p256", f"minimal {role}")
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        minimal[role] = signers.SimpleSigner(signing_cert=cert, cert_registry=registry,
                                             signing_key=asn1_keys.PrivateKeyInfo.load(der))
        key, cert = _credential(ca, "rsa-2048", f"stock {role}")
        key_path, cert_path = tmp / f"stock-{role}.key.pem", tmp / f"stock-{role}.pem"
        key_path.write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASS)))
        cert_path.write_text(cert_to_pem(cert))
        stock_files[role] = (key_path, cert_path)
    for name, cert in (("issuing", ca.issuing_cert), ("root", ca.root_cert)):
        (tmp / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    try:
        from archive import LocalObjectStore

        store: object | None = LocalObjectStore(tmp / "archive")
    except ImportError:
        store = None
    return Setup(tmp, ca, find_cjk_font(cache_dir=tmp / "fonts"), InProcessTimeStamper(tsa),
                 signature_png(), store, minimal, stock_files)


def file_contract(s: Setup, i: int, level: str, result, sealed) -> None:
    """Archive filing: the PDF plus a manifest (LocalObjectStore when available)."""
    key = f"bench/{level}/{i:06d}"
    if s.store is None:
        folder = s.tmp / "files" / level
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:06d}.pdf").write_bytes(result.pdf)
        (folder / f"{i:06d}.json").write_text(f'{{"sha256": "{result.sha256_after}"}}')
        return
    from archive import build_manifest

    stored = s.store.put(f"{key}/contract.pdf", result.pdf, content_type="application/pdf")
    manifest = build_manifest(
        filing_number=f"BA-{i:08d}", contract_id=i, created_at=result.signed_at,
        documents=[{"key": stored.key, "sha256": result.sha256_after, "size": len(result.pdf),
                    "content_type": "application/pdf"}],
        signers=[{"role": "employer", "serial": sealed.certificate_serial,
                  "signed_at": sealed.signed_at},
                 {"role": "worker", "serial": result.certificate_serial,
                  "signed_at": result.signed_at}])
    s.store.put(f"{key}/manifest.json", manifest, content_type="application/json")


def pyhanko_two_signatures(s: Setup, pdf: bytes, level: str, get_signer: Callable[[str], object],
                           stamp_style=None, bytes_reserved: int | None = None) -> bytes:
    """The same two signatures with plain pyHanko calls (fields exist already)."""
    ts = s.stamper if level != "B-B" else None
    lt = level in ("B-LT", "B-LTA")
    kwargs = {"existing_fields_only": True, "bytes_reserved": bytes_reserved}
    meta = signers.PdfSignatureMetadata(
        field_name="EmployerSeal", certify=True, docmdp_permissions=fields.MDPPerm.FILL_FORMS,
        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    sealed = signers.PdfSigner(meta, get_signer("employer"), timestamper=ts,
                               stamp_style=stamp_style).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf)), **kwargs)
    vc = None
    if lt:
        vc = ValidationContext(trust_roots=[s.ca.root_cert_asn1], allow_fetching=False,
                               crls=[asn1_crl.CertificateList.load(c) for c in s.crls()])
    meta = signers.PdfSignatureMetadata(
        field_name="WorkerSignature", subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256", docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        embed_validation_info=lt, use_pades_lta=level == "B-LTA", validation_context=vc)
    signed = signers.PdfSigner(meta, get_signer("worker"), timestamper=ts,
                               stamp_style=stamp_style).sign_pdf(
        IncrementalPdfFileWriter(sealed), **kwargs)
    return signed.getvalue()


def stock_signer(s: Setup, role: str):
    key_path, cert_path = s.stock_files[role]
    return signers.SimpleSigner.load(str(key_path), str(cert_path), key_passphrase=PASS,
                                     ca_chain_files=(str(s.tmp / "issuing.pem"),
                                                     str(s.tmp / "root.pem")))


def stock_stamp_style(font_path: str) -> TextStampStyle:
    """pyHanko's text stamp; Chinese through its OpenType engine when uharfbuzz is there."""
    try:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
        from pyhanko.pdf_utils.text import TextBoxStyle
    except ImportError:  # pyHanko[opentype] not installed: Latin text only
        return TextStampStyle(stamp_text="Signed by %(signer)s\nTime: %(ts)s")
    return TextStampStyle(stamp_text="签署人：%(signer)s\n签署时间：%(ts)s",
                          text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(font_path)))


def stats(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def run_level(s: Setup, level: str, n: int, stock_n: int) -> dict[str, list[float]]:
    signer = ContractSigner(s.ca, s.font, timestamper=s.stamper, crl_source=s.crls, level=level)
    stock_style = stock_stamp_style(s.font)
    t: dict[str, list[float]] = {k: [] for k in (
        "render", "seal", "worker", "archive", "platform", "sign", "minimal", "stock")}
    warmup = 2
    for i in range(n + warmup):
        gc.collect()
        terms_i = terms(i)
        c0 = time.perf_counter()
        pdf = render_contract_pdf(terms_i, s.font)
        c1 = time.perf_counter()
        sealed = signer.seal_employer(pdf, org_name=terms_i.employer_name,
                                      uscc=terms_i.employer_uscc)
        c2 = time.perf_counter()
        signed = signer.sign_worker(sealed.pdf, name=terms_i.worker_name,
                                    id_hash=f"{i:064x}", signature_png=s.sig_png)
        c3 = time.perf_counter()
        file_contract(s, i, level, signed, sealed)
        c4 = time.perf_counter()
        m0 = time.perf_counter()
        pyhanko_two_signatures(s, pdf, level, s.minimal.__getitem__)
        m1 = time.perf_counter()
        if i < warmup:
            continue
        for key, value in (("render", c1 - c0), ("seal", c2 - c1), ("worker", c3 - c2),
                           ("archive", c4 - c3), ("platform", c4 - c0), ("sign", c3 - c1),
                           ("minimal", m1 - m0)):
            t[key].append(value * 1000)
        if i - warmup < stock_n:
            k0 = time.perf_counter()
            pyhanko_two_signatures(s, pdf, level, lambda role: stock_signer(s, role),
                                   stamp_style=stock_style)
            t["stock"].append((time.perf_counter() - k0) * 1000)
    return t


def key_generation() -> list[str]:
    lines = []
    for algorithm, count in (("ec-p256", 200), ("rsa-2048", 20)):
        start = time.perf_counter()
        for _ in range(count):
            key = InMemoryKeyProvider.generate(algorithm)
        gen = (time.perf_counter() - start) / count * 1000
        start = time.perf_counter()
        for _ in range(count):
            key.sign(b"signed attributes")
        sign = (time.perf_counter() - start) / count * 1000
        lines.append(f"  {algorithm:9s} keygen {gen:8.2f} ms   sign {sign:6.3f} ms  (n={count})")
    return lines


def peak_python_alloc(s: Setup) -> float:
    signer = ContractSigner(s.ca, s.font, timestamper=s.stamper, crl_source=s.crls)
    tracemalloc.start()
    pdf = render_contract_pdf(terms(999), s.font)
    sealed = signer.seal_employer(pdf, org_name="湖南建工集团第三工程有限公司",
                                  uscc="91110000600037341L")
    signer.sign_worker(sealed.pdf, name="王小明", id_hash="ab" * 32, signature_png=s.sig_png)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def bench_verify(s: Setup, n: int) -> list[str]:
    """Offline verification of a filed B-LTA contract: ``signing.verify`` (platform root only,
    embedded DSS) next to a naive pyHanko loop (a fresh ValidationContext per signature)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko_certvalidator import ValidationContext

    from signing import verify

    signer = ContractSigner(s.ca, s.font, timestamper=s.stamper, crl_source=s.crls)
    sealed = signer.seal_employer(render_contract_pdf(terms(7), s.font),
                                  org_name="湖南建工集团第三工程有限公司", uscc="91110000600037341L")
    pdf = signer.sign_worker(sealed.pdf, name="王小明", id_hash="cd" * 32,
                             signature_png=s.sig_png).pdf
    root = s.ca.root_cert

    def naive() -> bool:
        reader = PdfFileReader(io.BytesIO(pdf))
        ok = True
        for emb in reader.embedded_regular_signatures:
            vc = ValidationContext(trust_roots=[s.ca.root_cert_asn1], crls=s.crls(),
                                   allow_fetching=False)
            ok &= validate_pdf_signature(emb, signer_validation_context=vc).bottom_line
        for emb in reader.embedded_timestamp_signatures:
            vc = ValidationContext(trust_roots=[s.ca.root_cert_asn1], allow_fetching=False)
            ok &= validate_pdf_timestamp(emb, validation_context=vc).valid
        return ok

    rows = []
    for name, fn in (("signing.verify", lambda: verify(pdf, trust_roots=[root]).ok),
                     ("naive pyHanko", naive)):
        assert fn(), f"{name} rejected a good contract"
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        med, p95 = stats(times)
        rows.append(f"  {name:15s} median {med:6.1f} ms   p95 {p95:6.1f} ms   "
                    f"throughput {1000 / med:5.1f} /s  (n={n})")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="contracts per level (default 20)")
    parser.add_argument("--stock-n", type=int, default=5,
                        help="contracts per level for the slow stock baseline (default 5)")
    args = parser.parse_args()
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="signbench-") as folder:
        s = setup(Path(folder))
        try:
            import uharfbuzz  # noqa: F401

            stock_stamp = "Chinese text stamp via pyHanko's OpenType engine"
        except ImportError:
            stock_stamp = "Latin text stamp (uharfbuzz missing: no CJK text stamps possible)"
        print(f"contracts per level: {args.n} (stock: {min(args.stock_n, args.n)}), "
              f"archive: {'archive.LocalObjectStore' if s.store else 'plain files'}, "
              f"stock stamp: {stock_stamp}")
        header = (f"{'level':6s} | {'platform total':>15s} | {'sign only':>15s} | "
                  f"{'minimal pyHanko':>15s} | {'sign/min':>8s} | {'total/min':>9s} | "
                  f"{'stock pyHanko':>15s}")
        rows, parts, figures = [], [], {}
        for level in LEVELS:
            t = run_level(s, level, args.n, args.stock_n)
            med = {k: stats(v) for k, v in t.items() if v}
            figures[level] = {k: {"median_ms": round(v[0], 1), "p95_ms": round(v[1], 1)}
                              for k, v in med.items()}
            figures[level]["total_over_minimal"] = round(med["platform"][0] / med["minimal"][0], 2)

            def cell(key: str, med=med) -> str:
                if key not in med:
                    return f"{'-':>15s}"
                return f"{med[key][0]:6.1f} /{med[key][1]:6.1f}  "

            rows.append(f"{level:6s} | {cell('platform')} | {cell('sign')} | {cell('minimal')} | "
                        f"{med['sign'][0] / med['minimal'][0]:8.2f} | "
                        f"{med['platform'][0] / med['minimal'][0]:9.2f} | {cell('stock')}")
            parts.append(f"{level:6s} | render {med['render'][0]:5.1f} | seal "
                         f"{med['seal'][0]:5.1f} | worker {med['worker'][0]:5.1f} | archive "
                         f"{med['archive'][0]:5.1f}")
        print("\nms per two-party contract, median / p95 (2-core machine)")
        print(header)
        print("-" * len(header))
        print("\n".join(rows))
        print("\nplatform breakdown (median ms)")
        print("\n".join(parts))
        print("\noffline verification of a filed B-LTA contract (2 signatures + doc time-stamp)")
        print("\n".join(bench_verify(s, args.n)))
        print("\nevent key generation and signing")
        print("\n".join(key_generation()))
        peak_alloc = peak_python_alloc(s)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak memory: process max RSS {rss:.0f} MB; Python allocations during one "
              f"B-LTA contract (tracemalloc) {peak_alloc:.1f} MB")
        print(json.dumps({"bench": "sign_pipeline", "n": args.n, "levels": figures,
                          "peak_rss_mb": round(rss), "peak_alloc_mb": round(peak_alloc, 1)}))


if __name__ == "__main__":
    main()
