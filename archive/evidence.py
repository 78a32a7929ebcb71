"""Evidence packages: one ZIP an auditor can take away and check offline.

The package holds the files it is given (signed PDF, manifest, verification report, audit
trail, certificates, CRLs), a ``SHA256SUMS`` file in the format of GNU ``sha256sum`` and a
``README.txt`` (Chinese, then English) that explains how to check everything with standard
tools. The ZIP is deterministic: the same input always gives the same bytes (entries sorted
by name, every timestamp taken from ``created_at``, fixed permissions, UTF-8 names).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime

from archive.errors import ArchiveError

__all__ = ["README_NAME", "SUMS_NAME", "build_evidence_package", "verify_evidence_package"]

SUMS_NAME = "SHA256SUMS"
README_NAME = "README.txt"
_SUMS_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")
_FORBIDDEN = re.compile(r"[\\\n\r\x00]")

_README = """\
劳动合同电子证据包 / Labor contract evidence package
备案号 Filing number: {filing_number}
打包时间 Packaged at: {created_at}

============================== 中文 ==============================
本证据包可在不连接平台的情况下（离线）独立核验。以下命令均在解压后的目录中执行，
所用工具（coreutils、poppler-utils、NSS certutil、OpenSSL）均非本平台编写。

1. 文件完整性：逐一核对每个文件的 SHA-256（应全部显示"成功/OK"）：
     sha256sum -c SHA256SUMS

2. 电子签名（用且仅用包内的平台根证书作为信任根）：
     mkdir nssdb
     certutil -N -d sql:nssdb --empty-password
     certutil -A -n laborsign-root -t "CT,C,C" -i certificates/root.pem -d sql:nssdb
     pdfsig -nssdir sql:nssdb contract.pdf
   每个签名都应显示 "Signature is Valid" 和 "Certificate is Trusted"。

3. 签署人证书链（根证书 → 签发 CA → 签署事件证书）：
     openssl verify -CAfile certificates/root.pem -untrusted certificates/issuing.pem \\
         certificates/signers/<文件名>.pem
   应显示 OK。签署事件证书有效期不超过 24 小时；过期后请加上签署时间核验，例如
   -attime $(date -d '<manifest.json 中 signers[].signed_at>' +%s)。
   时间戳证书 certificates/tsa.pem 可用同样的命令核验。

4. 证书吊销列表（CRL，DER 格式）：查看内容并用签发者证书核验其签名（应显示 verify OK）：
     openssl crl -in crl/issuing-ca.crl -inform DER -text -noout
     openssl crl -in crl/issuing-ca.crl -inform DER -CAfile certificates/issuing.pem -noout
     openssl crl -in crl/root-ca.crl -inform DER -CAfile certificates/root.pem -noout
   签署人证书的序列号不应出现在吊销列表中。

5. 其他文件：
   - manifest.json：备案清单（规范化 JSON），记录备案号、归档文件及其 SHA-256、
     签署人（身份证号已脱敏）、证书序列号与签署时间；其中 contract.pdf 的 sha256
     应与 SHA256SUMS 中 contract.pdf 的值一致。
   - audit-trail.json：备案时归档的审计轨迹，每条记录含前一条的哈希（prev_hash）与
     本条哈希（hash），构成哈希链，任何删改都会使链条断开；其 SHA-256 记录在 manifest.json 中。
   - audit-trail-current.json：打包时的完整审计轨迹：开头与 audit-trail.json 逐条相同，
     之后是备案事件及其后发生的事件（如证书吊销、此前的证据包导出）。
   - verification.json / verification.pdf：平台在打包时生成的签名验证报告。
{renewals_zh}
包含的文件：
{listing}

============================== English ==============================
This package can be checked offline, without contacting the platform. Run the commands in
the folder where the package was unzipped; every tool used (coreutils, poppler-utils, NSS
certutil, OpenSSL) is independent of the platform.

1. Integrity: check the SHA-256 of every file (all lines must say OK):
     sha256sum -c SHA256SUMS

2. Electronic signatures, with the included platform root as the only trusted root:
     mkdir nssdb
     certutil -N -d sql:nssdb --empty-password
     certutil -A -n laborsign-root -t "CT,C,C" -i certificates/root.pem -d sql:nssdb
     pdfsig -nssdir sql:nssdb contract.pdf
   Every signature must show "Signature is Valid" and "Certificate is Trusted".

3. Signer certificate chain (root -> issuing CA -> signing-event certificate):
     openssl verify -CAfile certificates/root.pem -untrusted certificates/issuing.pem \\
         certificates/signers/<file>.pem
   It must print OK. Signing-event certificates are valid for at most 24 hours; once expired,
   verify at the signing time, e.g. -attime $(date -d '<signers[].signed_at>' +%s).
   The time-stamp authority's certificate certificates/tsa.pem checks the same way.

4. Certificate revocation lists (CRLs, DER): show them and check their signature (verify OK):
     openssl crl -in crl/issuing-ca.crl -inform DER -text -noout
     openssl crl -in crl/issuing-ca.crl -inform DER -CAfile certificates/issuing.pem -noout
     openssl crl -in crl/root-ca.crl -inform DER -CAfile certificates/root.pem -noout
   The signer certificates' serial numbers must not be listed.

5. The other files:
   - manifest.json: the filing manifest (canonical JSON): filing number, archived files and
     their SHA-256, signers (ID numbers masked), certificate serials and signing times; the
     sha256 it gives for contract.pdf must equal the one in SHA256SUMS.
   - audit-trail.json: the audit trail archived at filing; every entry carries the previous
     entry's hash (prev_hash) and its own (hash), a hash chain any edit would break; its
     SHA-256 is recorded in manifest.json.
   - audit-trail-current.json: the whole trail when the package was made: it starts with
     exactly the entries of audit-trail.json, then the filing event and anything later
     (certificate revocations, earlier evidence exports).
   - verification.json / verification.pdf: the platform's signature verification report,
     made when the package was built.
{renewals_en}
Files:
{listing}
"""


_RENEWAL = re.compile(r"contract\.r(\d+)\.pdf")
_RENEWALS_ZH = """\
   - {names}：归档时间戳续期（PAdES-LTA）后的版本。每个版本是前一版本（contract.pdf 为
     备案原件）原样保留、在末尾追加一次增量修订（验证数据 DSS 和一个新的文档时间戳）
     而成，签署内容与原件完全相同；编号最大的 {last} 是当前的归档副本，
     verification.json / verification.pdf 是对它的验证报告。用第 2 步的 pdfsig 命令核验它
     （比原件多出的签名是文档时间戳），并核对它的开头与前一版本逐字节相同，例如：
       cmp -n $(stat -c %s contract.pdf) contract.pdf {first}
     manifest.json 记录的是备案原件 contract.pdf 的 SHA-256；续期版本的 SHA-256 见 SHA256SUMS。
"""
_RENEWALS_EN = """\
   - {names}: the versions after archive time-stamp renewals (PAdES-LTA). Each is the
     previous version (contract.pdf: the filed original) unchanged plus one incremental
     revision at its end (validation data, DSS, and a new document time-stamp): the signed
     content is exactly the original's. The highest number, {last}, is the current archive
     copy, and verification.json / verification.pdf report on it. Check it with the pdfsig
     command of step 2 (the signatures beyond the original's are document time-stamps) and
     check that it starts with the previous version byte for byte, e.g.:
       cmp -n $(stat -c %s contract.pdf) contract.pdf {first}
     manifest.json gives the filed original's (contract.pdf) SHA-256; SHA256SUMS gives the
     renewed versions'.
"""


def _renewals_text(names: list[str]) -> tuple[str, str]:
    """The README's paragraphs on ``contract.r<N>.pdf`` (zh, en); empty when there are none."""
    found = sorted((m for m in map(_RENEWAL.fullmatch, names) if m), key=lambda m: int(m[1]))
    if not found:
        return "", ""
    words = {"names": "、".join(m[0] for m in found), "first": found[0][0],
             "last": found[-1][0]}
    return (_RENEWALS_ZH.format(**words),
            _RENEWALS_EN.format(**{**words, "names": ", ".join(m[0] for m in found)}))


def _check_name(name: str) -> None:
    if not name or name.startswith("/") or name.endswith("/") or _FORBIDDEN.search(name):
        raise ValueError(f"invalid evidence file name: {name!r}")
    if any(part in ("", ".", "..") for part in name.split("/")):
        raise ValueError(f"invalid evidence file name: {name!r}")
    if name in (SUMS_NAME, README_NAME):
        raise ValueError(f"{name!r} is written by the package itself")


def _zip_time(created_at: datetime) -> tuple[int, int, int, int, int, int]:
    if created_at.tzinfo is None or created_at.utcoffset() is None:
        raise ValueError(f"created_at must be timezone-aware, got {created_at!r}")
    moment = created_at.astimezone(UTC)
    if moment.year < 1980:
        raise ValueError(f"ZIP cannot hold times before 1980: {created_at!r}")
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute,
            moment.second - moment.second % 2)


def _sums(files: Mapping[str, bytes]) -> bytes:
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                   for name, data in sorted(files.items())).encode("utf-8")


def _readme(filing_number: str, created_at: datetime, names: list[str]) -> bytes:
    listing = "\n".join(f"  {name}" for name in names)
    renewals_zh, renewals_en = _renewals_text(names)
    text = _README.format(filing_number=filing_number, listing=listing,
                          renewals_zh=renewals_zh, renewals_en=renewals_en,
                          created_at=created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
    return text.encode("utf-8")


def build_evidence_package(*, filing_number: str, files: Mapping[str, bytes],
                           created_at: datetime) -> bytes:
    """Build the deterministic evidence ZIP of one filing.

    :param filing_number: the filing (备案) number, named in the README.
    :param files: the package's files by path inside the ZIP (``/`` separated, relative,
        e.g. ``contract.pdf``, ``certificates/root.pem``); ``SHA256SUMS`` and
        ``README.txt`` are added by this function and cannot be given.
    :param created_at: aware packaging time; every entry carries it (in UTC, to the even
        second, as ZIP requires).
    :return: the ZIP bytes; the same arguments always give the same bytes.
    :raises ValueError: ``created_at`` is naive or before 1980, or a file name is empty,
        absolute, has ``.``/``..`` parts, a backslash or a line break, or is reserved.
    """
    stamp = _zip_time(created_at)
    for name in files:
        _check_name(name)
    content = dict(files)
    content[README_NAME] = _readme(filing_number, created_at,
                                   sorted([*files, README_NAME, SUMS_NAME]))
    content[SUMS_NAME] = _sums({k: v for k, v in content.items() if k != SUMS_NAME})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in sorted(content):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below apply
            info.external_attr = 0o644 << 16
            archive.writestr(info, content[name], compresslevel=9)
    return buf.getvalue()


def _parse_sums(text: str) -> dict[str, str]:
    expected: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        match = _SUMS_LINE.fullmatch(line)
        if match is None:
            raise ArchiveError(f"{SUMS_NAME} line {number} is not '<sha256>  <name>': {line!r}")
        expected[match.group(2)] = match.group(1)
    return expected


def verify_evidence_package(data: bytes) -> dict[str, bool]:
    """Check every file of an evidence package against its ``SHA256SUMS``.

    :param data: the ZIP bytes.
    :return: for every file listed in ``SHA256SUMS`` or present in the ZIP (except
        ``SHA256SUMS`` itself): True when it is present and its SHA-256 matches; False
        when it differs, is missing, is not listed or cannot be read (bad CRC).
    :raises ArchiveError: ``data`` is not a ZIP, has no ``SHA256SUMS``, or that file is
        not in ``sha256sum`` format (UTF-8, ``<hex>  <name>`` per line).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"not a ZIP evidence package: {exc}") from None
    with archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if SUMS_NAME not in names:
            raise ArchiveError(f"the evidence package has no {SUMS_NAME}")
        try:
            expected = _parse_sums(archive.read(SUMS_NAME).decode("utf-8"))
        except (UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise ArchiveError(f"{SUMS_NAME} cannot be read: {exc}") from None
        result: dict[str, bool] = {}
        for name in sorted((set(names) | set(expected)) - {SUMS_NAME}):
            present = name in names and name in expected
            result[name] = present and _sha256_of(archive, name) == expected[name]
    return result


def _sha256_of(archive: zipfile.ZipFile, name: str) -> str | None:
    try:
        return hashlib.sha256(archive.read(name)).hexdigest()
    except (zipfile.BadZipFile, OSError, zlib.error):
        return None
