"""Evidence packages: deterministic ZIP, SHA256SUMS, README, tamper detection."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta, timezone

import pytest

from archive import ArchiveError, build_evidence_package, verify_evidence_package
from tests.needs import need_tool

CREATED = datetime(2026, 5, 1, 16, 30, 7, tzinfo=timezone(timedelta(hours=8)))
FILES = {
    "contract.pdf": b"%PDF-1.7 signed",
    "manifest.json": '{"filing_number":"430121-2026-000001","worker":"张三"}'.encode(),
    "certificates/root.pem": b"-----BEGIN CERTIFICATE-----\n...\n",
    "certificates/signers/worker-0A1B.pem": b"worker cert",
    "crl/issuing-ca.crl": bytes(range(256)),
    "说明/附件.txt": "中文文件名".encode(),
}


def _build(files=FILES, created_at=CREATED) -> bytes:
    return build_evidence_package(filing_number="430121-2026-000001", files=files,
                                  created_at=created_at)


def test_same_input_gives_the_same_bytes() -> None:
    first = _build()
    assert first == _build()
    assert first == _build(files=dict(reversed(list(FILES.items()))))
    assert first != _build(created_at=CREATED + timedelta(seconds=2))


def test_entries_are_sorted_with_fixed_times_and_utf8_names() -> None:
    with zipfile.ZipFile(io.BytesIO(_build())) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted([*FILES, "README.txt", "SHA256SUMS"])
        assert {i.date_time for i in infos} == {(2026, 5, 1, 8, 30, 6)}  # UTC, even seconds
        assert {i.external_attr >> 16 for i in infos} == {0o644}
        chinese = archive.getinfo("说明/附件.txt")
        assert chinese.flag_bits & 0x800  # UTF-8 name flag
        for name, data in FILES.items():
            assert archive.read(name) == data


def test_sha256sums_lists_every_other_file_in_sha256sum_format() -> None:
    with zipfile.ZipFile(io.BytesIO(_build())) as archive:
        lines = archive.read("SHA256SUMS").decode("utf-8").splitlines()
        expected = [f"{hashlib.sha256(archive.read(n)).hexdigest()}  {n}"
                    for n in sorted([*FILES, "README.txt"])]
    assert lines == expected


def test_readme_explains_offline_checks_chinese_first() -> None:
    with zipfile.ZipFile(io.BytesIO(_build())) as archive:
        readme = archive.read("README.txt").decode("utf-8")
    assert "430121-2026-000001" in readme
    assert readme.index("离线") < readme.index("offline")
    for command in ("sha256sum -c SHA256SUMS", "certutil -N", "certutil -A", "pdfsig",
                    "openssl verify -CAfile certificates/root.pem -untrusted certificates/issuing.pem",
                    "openssl crl -in crl/issuing-ca.crl -inform DER -text", "manifest.json",
                    "audit-trail.json", "说明/附件.txt"):
        assert command in readme, command


def test_verify_accepts_an_intact_package() -> None:
    result = verify_evidence_package(_build())
    assert result == {name: True for name in [*FILES, "README.txt"]}


def _rebuild(data: bytes, *, change: dict[str, bytes] | None = None, drop: str = "") -> bytes:
    """A copy of the ZIP with some entries replaced or dropped, the old SHA256SUMS kept."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != drop:
                dst.writestr(info, (change or {}).get(info.filename, src.read(info.filename)))
    return out.getvalue()


def test_verify_detects_a_modified_entry() -> None:
    tampered = _rebuild(_build(), change={"contract.pdf": b"%PDF-1.7 forged"})
    result = verify_evidence_package(tampered)
    assert result["contract.pdf"] is False
    assert all(ok for name, ok in result.items() if name != "contract.pdf")


def test_verify_detects_missing_and_unlisted_files() -> None:
    buf = io.BytesIO(_rebuild(_build(), drop="crl/issuing-ca.crl"))
    with zipfile.ZipFile(buf, "a") as archive:
        archive.writestr("extra.txt", b"slipped in")
    result = verify_evidence_package(buf.getvalue())
    assert result["crl/issuing-ca.crl"] is False and result["extra.txt"] is False
    assert result["contract.pdf"] is True


def test_verify_rejects_a_non_zip_or_missing_sums() -> None:
    with pytest.raises(ArchiveError, match="not a ZIP"):
        verify_evidence_package(b"%PDF-1.7 not a zip")
    with pytest.raises(ArchiveError, match="SHA256SUMS"):
        verify_evidence_package(_rebuild(_build(), drop="SHA256SUMS"))
    broken = _rebuild(_build(), change={"SHA256SUMS": b"not a checksum line\n"})
    with pytest.raises(ArchiveError, match="SHA256SUMS line 1"):
        verify_evidence_package(broken)


@pytest.mark.parametrize("name", ["", "/etc/passwd", "../x", "a/./b", "a\\b", "a\nb", "dir/",
                                  "SHA256SUMS", "README.txt"])
def test_bad_file_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        _build(files={name: b"x"})


def test_created_at_must_be_aware_and_after_1980() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _build(created_at=datetime(2026, 5, 1))
    with pytest.raises(ValueError, match="1980"):
        _build(created_at=datetime(1979, 12, 31, tzinfo=UTC))


def test_gnu_sha256sum_and_unzip_accept_the_package(tmp_path) -> None:
    unzip, sha256sum = need_tool("unzip"), need_tool("sha256sum")
    (tmp_path / "e.zip").write_bytes(_build())
    subprocess.run([unzip, "-q", "e.zip", "-d", "out"], cwd=tmp_path, check=True)
    done = subprocess.run([sha256sum, "-c", "SHA256SUMS"], cwd=tmp_path / "out",
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "out" / "说明" / "附件.txt").read_text("utf-8") == "中文文件名"
