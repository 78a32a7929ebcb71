"""Seal and signature pictures, and the printed signing time."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from signing import SigningError, seal_png, signature_appearance, signing_time_text


def test_seal_is_a_round_red_transparent_png(cjk_font):
    img = Image.open(io.BytesIO(seal_png("湖南建工集团第三工程有限公司", cjk_font)))
    assert img.format == "PNG" and img.mode == "RGBA" and img.size == (600, 600)
    alpha = img.getchannel("A")
    for corner in ((0, 0), (599, 0), (0, 599), (599, 599), (300, 300 - 250)):
        if corner != (300, 50):
            assert alpha.getpixel(corner) == 0, corner  # transparent outside the ring
    assert alpha.getpixel((300, 300)) == 255  # the star's centre
    assert alpha.getpixel((300, 6)) > 200  # the ring at the top
    red, green, blue, _ = img.getpixel((300, 300))
    assert red > 180 and green < 60 and blue < 60
    inked = alpha.point(lambda a: 255 if a > 128 else 0).histogram()[255] / (600 * 600)
    assert 0.08 < inked < 0.5  # ring + star + name, not a filled disc


def test_seal_is_cached_and_depends_on_the_name(cjk_font):
    assert seal_png("甲公司", cjk_font) is seal_png("甲公司", cjk_font)
    assert seal_png("甲公司", cjk_font) != seal_png("乙公司", cjk_font)


def test_seal_needs_a_name(cjk_font):
    with pytest.raises(SigningError):
        seal_png("  ", cjk_font)


def test_signing_time_is_printed_in_beijing_time():
    moment = datetime(2026, 11, 29, 3, 5, 3, tzinfo=UTC)
    assert signing_time_text(moment) == "签署时间：2026年11月29日 11:05:03"


def test_unreadable_signature_image_is_refused(cjk_font):
    with pytest.raises(SigningError, match="image"):
        signature_appearance(b"not a png", datetime.now(UTC), cjk_font, kind="signature",
                             width=200)
