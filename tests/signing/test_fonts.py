"""Finding the CJK font that is embedded in contracts and stamps."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from signing import FontNotFound, find_cjk_font
from signing.fonts import _SEARCH_DIRS
from tests.needs import need


def test_found_font_is_a_single_face_ttf_with_cjk_glyphs(cjk_font):
    assert cjk_font.endswith(".ttf")
    with TTFont(cjk_font, lazy=True) as font:
        assert "glyf" in font  # TrueType outlines: embeddable by reportlab and pyHanko
        cmap = font.getBestCmap()
    for char in "劳动合同甲方乙方签署时间盖章":
        assert ord(char) in cmap, char


def test_collection_is_split_once_into_the_cache(tmp_path):
    ttc = next((p for p in Path("/usr/share/fonts").rglob("*.ttc")), None)
    need(ttc is not None, "no .ttc collection installed")
    first = find_cjk_font(str(ttc), cache_dir=tmp_path)
    assert Path(first).parent == tmp_path and first.endswith(".ttf")
    mtime = Path(first).stat().st_mtime_ns
    # a new process-level cache key (other dir spelling) reuses the file on disk
    again = find_cjk_font(str(ttc), cache_dir=f"{tmp_path}/.")
    assert Path(again).resolve() == Path(first).resolve()
    assert Path(first).stat().st_mtime_ns == mtime


def test_result_is_cached_per_process(cjk_font, pki_dir):
    assert find_cjk_font(cache_dir=pki_dir / "fonts") is find_cjk_font(cache_dir=pki_dir / "fonts")


def test_configured_ttf_is_used_as_is(cjk_font):
    assert find_cjk_font(cjk_font) == cjk_font


def test_missing_configured_font_names_the_install_command(tmp_path):
    with pytest.raises(FontNotFound, match="apt-get install fonts-wqy-microhei"):
        find_cjk_font(str(tmp_path / "nope.ttf"))


def test_no_font_installed_gives_the_install_hint(monkeypatch, tmp_path):
    import signing.fonts as fonts

    monkeypatch.setattr(fonts, "_SEARCH_DIRS", (str(tmp_path),))
    monkeypatch.setattr(fonts, "_cache", {})
    with pytest.raises(FontNotFound, match="fonts-wqy-microhei"):
        fonts.find_cjk_font(cache_dir=tmp_path / "cache")
    assert _SEARCH_DIRS  # the real search path is untouched
