"""Two speed-ups for pyHanko (same results, same errors).

**Hex strings.**
pyHanko reads ``<...>`` hex strings one byte at a time through its tokenizer. A signed contract
carries each signature's container as a hex string of 16-40 KB, and every reading of the PDF
(integrity check, incremental update, DSS) parses them again: about 30 ms of a sign request
went there. :func:`read_hex_string_from_stream` reads the string in blocks and decodes it with
``binascii``; a string holding a comment (``%``, legal but never written by us) is left to
pyHanko's own reader, so behaviour is unchanged.

**Finding the signer's certificate.** pyHanko matches a CMS signer identifier against every
certificate in the bag by issuer name first — for each certificate that is not the signer's,
asn1crypto then normalises both names with LDAP stringprep (RFC 5280 comparison), about 15
normalisations per worker signature. :func:`match_issuer_serial` compares the serial numbers
first, so a different certificate is rejected without comparing names; a matching serial
goes on to pyHanko's own check. :func:`install` swaps both in once.
"""

from __future__ import annotations

import binascii
import os
import re
from typing import BinaryIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError
from pyhanko.sign import general

_WHITESPACE = re.compile(rb"[ \n\r\t\f\x00]+")
_HEX = re.compile(rb"[0-9a-fA-F]*")
_BLOCK = 16384
_original = generic.read_hex_string_from_stream
_original_match = general.match_issuer_serial


def read_hex_string_from_stream(stream: BinaryIO):
    """Read ``<hex>`` at the stream's position into a PDF string object (pyHanko's contract).

    :raises PdfStreamError: a character that is not a hex digit, or the stream ends first.
    """
    start = stream.tell()
    stream.read(1)  # "<"
    chunks: list[bytes] = []
    while True:
        block = stream.read(_BLOCK)
        if not block:
            raise PdfStreamError("Stream ended prematurely")
        end = block.find(b">")
        if b"%" in (block if end < 0 else block[:end]):
            stream.seek(start)
            return _original(stream)
        if end >= 0:
            chunks.append(block[:end])
            stream.seek(end + 1 - len(block), os.SEEK_CUR)
            break
        chunks.append(block)
    digits = _WHITESPACE.sub(b"", b"".join(chunks))
    if not _HEX.fullmatch(digits):
        bad = next(c for c in digits if c not in b"0123456789abcdefABCDEF")
        raise PdfStreamError("Unexpected token in hex string: " + repr(bytes([bad])))
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def match_issuer_serial(expected_issuer_serial, cert) -> bool:
    """pyHanko's :func:`~pyhanko.sign.general.match_issuer_serial`, serial numbers first."""
    if expected_issuer_serial["serial_number"].native != cert.serial_number:
        return False
    return _original_match(expected_issuer_serial, cert)


def install() -> None:
    """Use the block reader in pyHanko's object parser and the serial-first certificate
    match (idempotent)."""
    generic.read_hex_string_from_stream = read_hex_string_from_stream
    general.match_issuer_serial = match_issuer_serial
