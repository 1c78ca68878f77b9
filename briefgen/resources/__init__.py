"""Packaged defaults (templates, fonts, desk skeleton) and the desk files that override them.

A desk's `templates/` folder overrides the packaged templates file by file: a template is taken
from the desk folder when it is there, from the package otherwise. Fonts go as a set (a PDF needs
a complete family), so a desk `templates/fonts/` holding any `.ttf` replaces the packaged fonts.
"""

from __future__ import annotations

from pathlib import Path

# A wheel installs the package as plain files, so its resources have a real path (and reportlab
# and python-docx need one). `importlib.resources` would say the same for ~8 ms of imports on
# every command (zipfile and more).
PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
FONTS = PACKAGE / "fonts"
SKELETON = PACKAGE / "init"
# How a packaged file is named in messages and provenance records: the same on every machine.
SHOWN = "briefgen/resources"


def template_dirs(templates: Path | None) -> list[Path]:
    """Where templates are looked up, in order: the desk's folder (if any), then the package."""
    desk = [Path(templates)] if templates is not None and Path(templates).is_dir() else []
    return desk + [TEMPLATES]


def template(templates: Path | None, name: str, checked: bool = True) -> Path | None:
    """The file that provides template `name` for this desk, or None if there is none.

    A desk's file must be a regular file inside its folder (`desk.desk_file`, the rule for
    every file a desk names): DiagnosticsError otherwise (`checked`; a message that only names
    the file passes False).
    """
    import os

    for folder in template_dirs(templates):
        path = folder / name
        if folder != TEMPLATES and os.path.lexists(path):
            if checked:
                problem = desk_file_problem(folder, name)
                if problem:
                    from briefgen.errors import Diagnostic, DiagnosticsError, display_path

                    raise DiagnosticsError([Diagnostic(display_path(path), 1, 1, "error",
                                                       f"{name} {problem[0]}", hint=problem[1])],
                                           what=name)
            return path
        if path.is_file():
            return path
    return None


def desk_file_problem(folder: Path, name: str, what: str = "the templates folder",
                      example: str = "theme.md.j2") -> tuple[str, str] | None:
    """What keeps `name` from being a desk file of `folder` (see `desk.desk_file`), or None."""
    from briefgen.desk import desk_file

    target, found = desk_file(Path(folder).resolve(), name, what, example)
    return found if target is None else None


def shown(path: Path) -> str | None:
    """`briefgen/resources/...` for a packaged file (stable across machines), else None."""
    try:
        return f"{SHOWN}/{path.relative_to(PACKAGE).as_posix()}"
    except ValueError:
        return None


def fonts_dir(templates: Path | None) -> Path:
    """The folder of the fonts embedded in PDFs: the desk's `fonts/` if it has any, else ours.
    A desk's font must be a regular file inside that folder (see `template`)."""
    if templates is not None:
        desk = Path(templates) / "fonts"
        fonts = sorted(desk.glob("*.ttf")) if desk.is_dir() else []
        for font in fonts:
            problem = desk_file_problem(desk, font.name, "the fonts folder",
                                        "NotoSans-Regular.ttf")
            if problem:
                from briefgen.errors import BuildError, display_path

                raise BuildError(f"font {display_path(font)} {problem[0]} (hint: {problem[1]})")
        if fonts:
            return desk
    return FONTS


def docs_dir() -> Path:
    """The user documentation: the project's docs/, installed as briefgen/docs by the wheel, or
    docs/ itself in a checkout."""
    for folder in (PACKAGE.parent / "docs", PACKAGE.parent.parent / "docs"):
        if (folder / "index.md").is_file():
            return folder
    return PACKAGE.parent / "docs"


def reference_docx(templates: Path | None) -> Path | None:
    """The desk's Word reference document (styles), if it has one."""
    return template(templates, "reference.docx")
