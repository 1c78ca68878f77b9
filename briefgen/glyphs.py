"""Text the PDF cannot draw, found by `check` in the briefs it composes (what the PDF writer
would refuse) and located in the desk file that holds it: a fact file's value, a template line,
wording.toml or briefgen.toml."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from briefgen.errors import Diagnostic, display_path


def glyph_problems(desk, base, briefs) -> list[Diagnostic]:
    """An error for each text of a fact file (but retracted facts, never printed) and each
    line of the desk's templates, wording.toml and briefgen.toml that `briefs` print, holding a
    character that no font of the desk's PDF has."""
    from briefgen.resources import fonts_dir, shown
    from briefgen.writers.pdf.coverage import covered, uncovered
    from briefgen.writers.pdf.writer import characters

    fonts = fonts_dir(desk.templates)
    codes = covered(fonts)
    pattern = uncovered(codes)
    where = (shown(fonts) or display_path(fonts)).rstrip("/") + "/"
    hint = "remove it, or add a font that has it to " + (
        where if shown(fonts) is None else
        f"{display_path(Path(desk.templates) / 'fonts')}/, as `briefgen docs templates` says")

    def problem(path: str, line: int, col: int, text: str, **item) -> Diagnostic:
        chars = list(dict.fromkeys(pattern.findall(text)))
        located.update(chars)
        name = unicodedata.name(chars[0], "")
        what = f"character U+{ord(chars[0]):04X} '{chars[0]}'" + (f" ({name})" if name else "")
        if len(chars) > 1:
            what += f" and {len(chars) - 1} other{'s' * (len(chars) > 2)} of this text are"
        else:
            what += " is"
        return Diagnostic(path, line, col, "error",
                          f"{what} not covered by any bundled font in {where}", hint=hint, **item)

    found: list[Diagnostic] = []
    located: set[str] = set()
    for file in dict.fromkeys(loc.path for loc in base.where.values()):
        for pos, value, item in _printed_values(Path(file), pattern):
            found.append(problem(file, *pos, value, **item))
    missing: set[str] = set()  # what the briefs draw and no font has: from the desk's files?
    for brief in briefs:
        missing.update(ch for ch in characters(brief) if ord(ch) not in codes)
    missing -= located
    if not missing:
        return found
    drawn = re.compile("[" + "".join(re.escape(ch) for ch in sorted(missing)) + "]")
    for file in _desk_files(desk):
        text = _read(file) or ""
        for m in drawn.finditer(text):
            if m.group() in located:
                continue
            start = text.rfind("\n", 0, m.start()) + 1
            end = text.find("\n", m.start()) % (len(text) + 1)
            line = text.count("\n", 0, m.start()) + 1
            col = 0 if file.suffix == ".j2" else m.start() - start + 1
            found.append(problem(display_path(file), line, col, text[m.start():end]))
    for ch in sorted(missing - located):  # printed from somewhere else: said where it shows
        found.append(problem(display_path(desk.templates), 0, 0, ch))
    return found


def _printed_values(file: Path, pattern: re.Pattern):
    """((line, col), value, item) of each text value of a fact file that holds a character of
    `pattern`, but in retracted facts (never printed); the file is parsed only if it has one."""
    from briefgen.characters import texts_in
    from briefgen.factbase.files import dotted
    from briefgen.factbase.yamlpos import load

    text = _read(file)
    if text is None or not pattern.search(text):
        return
    doc = load(file)
    if not isinstance(doc.data, dict):
        return
    for kind, items in doc.data.items():
        for n, item in enumerate(items if isinstance(items, list) else ()):
            if not isinstance(item, dict) or item.get("retracted") is True:
                continue
            for loc, value in texts_in(item):
                if pattern.search(value):
                    yield doc.pos((kind, n, *loc)), value, \
                        {"id": str(item.get("id")), "field": dotted(loc)}


def _desk_files(desk) -> list[Path]:
    """The desk's own files a brief's words come from, besides its fact files."""
    from briefgen.resources import TEMPLATES, template_dirs

    folders = [d for d in template_dirs(desk.templates) if d != TEMPLATES]
    files = [p for d in folders for p in sorted(d.glob("*.j2"))]
    files += [p for d in folders for p in [d / "wording.toml"] if p.is_file()]
    return files + ([desk.settings_file] if Path(desk.settings_file).is_file() else [])


def _read(file: Path) -> str | None:
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None  # reported by the check that reads it
