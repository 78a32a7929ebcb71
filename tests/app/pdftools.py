"""Independent verifiers: poppler's pdfsig (NSS trust store) and qpdf."""

from __future__ import annotations

import subprocess
from pathlib import Path


def pdfsig_report(pdf: bytes, root_pem: bytes, tmp: Path) -> str:
    """pdfsig's output for ``pdf`` with ``root_pem`` as the only trusted root."""
    nss, pdf_path, root_path = tmp / "nss", tmp / "signed.pdf", tmp / "root.pem"
    nss.mkdir(exist_ok=True)
    pdf_path.write_bytes(pdf)
    root_path.write_bytes(root_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True,
                   capture_output=True)
    subprocess.run(["certutil", "-A", "-n", "platform-root", "-t", "CT,C,C", "-i", str(root_path),
                    "-d", f"sql:{nss}"], check=True, capture_output=True)
    done = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(pdf_path)],
                          capture_output=True, text=True)
    return done.stdout + done.stderr


def qpdf_check(pdf: bytes, tmp: Path) -> subprocess.CompletedProcess:
    """``qpdf --check`` on ``pdf``."""
    path = tmp / "check.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)


def pdf_text(pdf: bytes, tmp: Path) -> str:
    """The PDF's text as ``pdftotext`` reads it, with all whitespace removed."""
    path = tmp / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return "".join(out.split())


def tiny_pdf(page_extra: bytes = b"") -> bytes:
    """A small but real one-page PDF (catalog, page tree, page, exact xref) that PDF readers
    open; ``page_extra`` goes into the page dictionary (e.g. ``b"/Rotate 90"``) to vary it."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]" + page_extra + b">>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
