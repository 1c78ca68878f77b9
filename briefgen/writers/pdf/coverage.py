"""Which characters the PDF's fonts draw, read from the fonts' character maps without loading
them into reportlab: what `check` holds a desk's text to, and how `fonts` groups the files."""

from __future__ import annotations

from pathlib import Path

STYLES = ("Regular", "Bold", "Italic", "BoldItalic")
SPACE_LIKE = "\t\n\r"  # laid out, never drawn
_COVERED: dict[tuple, frozenset[int]] = {}


def font_files(fonts_dir: Path) -> dict[str, dict[str, Path]]:
    """The `*.ttf` of `fonts_dir` by family and style (`Family-Style.ttf`; a file without a
    known style is the family's Regular)."""
    fonts_dir = Path(fonts_dir)
    by_family: dict[str, dict[str, Path]] = {}
    for path in sorted(fonts_dir.glob("*.ttf")) if fonts_dir.is_dir() else []:
        family, _, style = path.stem.partition("-")
        by_family.setdefault(family, {})[style if style in STYLES else "Regular"] = path
    return by_family


def covered(fonts_dir: Path) -> frozenset[int]:
    """The code points some family of `fonts_dir` has in every one of its styles (what the PDF
    writer draws without a missing glyph), once per process and set of files."""
    families = font_files(fonts_dir)
    paths = [p for styles in families.values() for p in styles.values()]
    key = tuple((str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)
    found = _COVERED.get(key)
    if found is None:
        import uharfbuzz

        codes: set[int] = {ord(ch) for ch in SPACE_LIKE}
        for styles in families.values():
            family: set[int] | None = None
            for path in styles.values():
                try:
                    cmap = set(uharfbuzz.Face(uharfbuzz.Blob(path.read_bytes())).unicodes)
                except OSError:
                    cmap = set()  # the writer says what is wrong with the file
                family = cmap if family is None else family & cmap
            codes |= family or set()
        found = _COVERED[key] = frozenset(codes)
    return found


_UNCOVERED: dict[frozenset, object] = {}


def uncovered(codes: frozenset[int]):
    """A regular expression that finds a character outside `codes` (and not one the desk's
    files refuse anyway, see briefgen.characters, which are reported as such)."""
    import re

    found = _UNCOVERED.get(codes)
    if found is None:
        from briefgen.characters import REFUSED

        ranges, start, end = [], None, -2
        for code in sorted(codes):
            if start is not None and code == end + 1:
                end = code
                continue
            if start is not None:
                ranges.append((start, end))
            start = end = code
        if start is not None:
            ranges.append((start, end))
        fine = "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)
        found = _UNCOVERED[codes] = re.compile(f"[^{fine}{REFUSED.pattern[1:-1]}]")
    return found
