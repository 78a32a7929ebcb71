"""The block hex-string reader gives exactly what pyHanko's own reader gives."""

from __future__ import annotations

import io
import os

import pytest
from pyhanko.pdf_utils.misc import PdfStreamError

from signing import _speedups

CASES = [
    b"<48656c6c6f>rest", b"<4 8\n65\r6c\t6c\x006f\x0c>", b"<abc>", b"<>", b"<ABCDEF>x",
    b"<" + os.urandom(20000).hex().encode() + b">tail", b"<" + b"0a " * 9000 + b">",
    b"<48 % a comment\n65>", b"<feff004100420043>",
]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_same_object_and_position_as_pyhanko(data):
    ours, theirs = io.BytesIO(data), io.BytesIO(data)
    got = _speedups.read_hex_string_from_stream(ours)
    want = _speedups._original(theirs)
    assert type(got) is type(want) and got == want
    assert ours.tell() == theirs.tell() and ours.read() == theirs.read()


@pytest.mark.parametrize("data", [b"<48zz>", b"<4865", b"<48-65>"])
def test_same_errors_as_pyhanko(data):
    with pytest.raises(PdfStreamError):
        _speedups._original(io.BytesIO(data))
    with pytest.raises(PdfStreamError):
        _speedups.read_hex_string_from_stream(io.BytesIO(data))


def test_installed_in_pyhankos_parser():
    from pyhanko.pdf_utils import generic

    assert generic.read_hex_string_from_stream is _speedups.read_hex_string_from_stream


def test_certificate_match_agrees_with_pyhanko(signed_contract):
    """Serial-first matching finds the same signer certificate as pyHanko's own match, for
    every signature of a signed contract against every certificate it carries."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signing._speedups import _original_match, match_issuer_serial

    signatures = PdfFileReader(io.BytesIO(signed_contract.signed.pdf)).embedded_signatures
    assert len(signatures) >= 2
    for sig in signatures:
        sid = sig.signer_info["sid"].chosen
        certs = [c.chosen for c in sig.signed_data["certificates"]]
        ours = [match_issuer_serial(sid, c) for c in certs]
        assert ours == [_original_match(sid, c) for c in certs]
        assert ours.count(True) == 1 and len(certs) > 1


def test_certificate_match_installed():
    from pyhanko.sign import general

    assert general.match_issuer_serial is _speedups.match_issuer_serial
