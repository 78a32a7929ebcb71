"""Locate a CJK TrueType font usable by reportlab, Pillow and pyHanko.

pyHanko cannot open ``.ttc`` collections, so when only a collection is installed its first
face is split out once (with fontTools) into a cache directory and that ``.ttf`` is returned.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from .errors import FontNotFound

__all__ = ["DEFAULT_FONT_CACHE", "find_cjk_font", "reportlab_font"]

#: Where split-out faces of ``.ttc`` collections are written by default.
DEFAULT_FONT_CACHE = Path("~/.cache/laborsign/fonts")

_SEARCH_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts")
# Preferred families, best first; matched against the lower-cased file name.
_CANDIDATES = ("wqy-microhei", "wqy-zenhei", "uming", "ukai", "notosanscjk", "notoserifcjk")
_INSTALL_HINT = "no CJK font found; install one with: apt-get install fonts-wqy-microhei"

_lock = threading.Lock()
_cache: dict[tuple[str | None, str], str] = {}
_registered: dict[str, str] = {}


def find_cjk_font(configured: str | None = None, *, cache_dir: str | Path | None = None) -> str:
    """Return the path of a single-face CJK ``.ttf`` file.

    The result is cached per process (keyed by the arguments).

    :param configured: a font path from the configuration; used as is when it is a ``.ttf``,
        split when it is a ``.ttc``. ``None`` searches the usual font folders.
    :param cache_dir: where a face split out of a ``.ttc`` is written
        (default ``~/.cache/laborsign/fonts``).
    :raises FontNotFound: the configured file does not exist or no candidate font is installed.
    """
    cache_root = str(Path(cache_dir or DEFAULT_FONT_CACHE).expanduser())
    key = (configured, cache_root)
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = _resolve(configured, Path(cache_root))
            _cache[key] = found
        return found


def _resolve(configured: str | None, cache_dir: Path) -> str:
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise FontNotFound(f"configured CJK font {configured!r} does not exist; "
                               f"{_INSTALL_HINT}")
        candidates = [path]
    else:
        candidates = _search()
        if not candidates:
            raise FontNotFound(_INSTALL_HINT)
    # best family first, a .ttf before a collection of the same family; a collection is
    # split once; CFF-only collections (no TrueType outlines) are skipped
    error: FontNotFound | None = None
    for path in candidates:
        if path.suffix.lower() == ".ttf":
            return str(path)
        try:
            return _split_collection(path, cache_dir)
        except FontNotFound as exc:
            error = exc
    assert error is not None
    raise error


def _search() -> list[Path]:
    found: list[tuple[int, int, Path]] = []
    for root in _SEARCH_DIRS:
        base = Path(root).expanduser()
        if not base.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                lower = name.lower().replace("_", "-")
                if not lower.endswith((".ttf", ".ttc")):
                    continue
                for rank, family in enumerate(_CANDIDATES):
                    if family in lower.replace(" ", ""):
                        is_ttc = int(lower.endswith(".ttc"))
                        found.append((rank, is_ttc, Path(dirpath) / name))
                        break
    found.sort()
    return [path for _rank, _ttc, path in found]


def _split_collection(path: Path, cache_dir: Path) -> str:
    """Write face 0 of the collection at ``path`` into ``cache_dir`` (once) and return it."""
    stat = path.stat()
    target = cache_dir / f"{path.stem}-{stat.st_size}-{int(stat.st_mtime)}-0.ttf"
    if target.is_file() and target.stat().st_size > 0:
        return str(target)
    try:
        from fontTools.ttLib import TTCollection, TTFont
    except ImportError as exc:  # pragma: no cover - fontTools is a dependency
        raise FontNotFound("fontTools is required to split .ttc font collections") from exc
    try:
        with open(path, "rb") as fh:
            if path.suffix.lower() == ".ttc":
                face = TTCollection(fh, lazy=True).fonts[0]
            else:
                face = TTFont(fh, lazy=True)
            if "glyf" not in face:
                raise FontNotFound(f"{path} has no TrueType outlines (CFF fonts cannot be "
                                   f"embedded as TrueType); {_INSTALL_HINT}")
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".tmp{os.getpid()}")
            face.save(str(tmp))
        os.replace(tmp, target)
    except FontNotFound:
        raise
    except Exception as exc:  # fontTools raises many kinds
        raise FontNotFound(f"cannot read font {path}: {exc}; {_INSTALL_HINT}") from exc
    return str(target)


def reportlab_font(font_path: str) -> str:
    """Register a TrueType font with reportlab once per process and return its name.

    reportlab embeds a subset of the glyphs used (never the non-embedded CID fonts).

    :param font_path: a ``.ttf`` (or ``.ttc``, face 0) file.
    :raises FontNotFound: the font cannot be loaded.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _lock:
        name = _registered.get(font_path)
        if name is None:
            name = f"LaborSignCJK{len(_registered)}"
            try:
                pdfmetrics.registerFont(TTFont(name, font_path, subfontIndex=0))
            except Exception as exc:  # reportlab raises TTFError, OSError...
                raise FontNotFound(f"cannot load font {font_path}: {exc}") from exc
            _registered[font_path] = name
        return name
