"""The desk: the folder a command works in, and where its facts, templates, outputs, readers
and settings are. Found once per command, by one rule (docs/commands.md, "The desk folder").

A desk is the folder around its fact base: `briefgen.toml`, `templates/`, `out/` and
`readers.yaml` sit beside `facts/`. With `--facts DIR` the desk is the folder holding DIR;
without it, the nearest folder, from the current one upward, that holds a `briefgen.toml` or a
`facts/` folder (else the current folder). Each of templates, out and readers may be given
elsewhere on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefgenError, UsageError, display_path

FACTS, TEMPLATES, OUT, READERS = "facts", "templates", "out", "readers.yaml"
SETTINGS_FILE = "briefgen.toml"
FORMATS = ("docx", "pdf", "html")  # the formats a brief is written in, by file suffix
NO_DESK_HINT = "run in a desk folder, pass --facts DIR, or make a desk with briefgen init"


@dataclass(frozen=True)
class Desk:
    """Where one desk's files are. Paths stay relative when the user's were (relative to the
    current folder), so that what a command prints reads as the user wrote it."""

    root: Path
    facts: Path
    templates: Path
    out: Path
    readers: Path

    @classmethod
    def find(cls, facts: Path | None = None, templates: Path | None = None,
             out: Path | None = None, readers: Path | None = None) -> Desk:
        """The desk of `facts` (or of the current folder), with any folder given instead."""
        if facts is None:
            root = _relative(_nearest_desk(Path.cwd()))
            facts = root / FACTS
        else:
            facts = Path(facts)
            root = root_of(facts)
            if not facts.is_absolute():
                root = _relative(root)
        if templates is not None:
            _check_templates(Path(templates))
        return cls(root=root, facts=facts,
                   templates=Path(templates) if templates is not None else root / TEMPLATES,
                   out=Path(out) if out is not None else root / OUT,
                   readers=Path(readers) if readers is not None else root / READERS)

    @property
    def settings_file(self) -> Path:
        return self.root / SETTINGS_FILE

    def is_desk(self) -> bool:
        """Whether the folder is a desk (it holds briefgen.toml or facts/), not just where
        briefgen was run."""
        return self.settings_file.is_file() or (self.root / FACTS).is_dir()

    def require_facts(self) -> Path:
        """The fact base folder; a clear error when there is none."""
        return require_folder(self.facts)

    def check_out(self) -> Path:
        """The output folder, refused before any work if it cannot be one."""
        check_out(self.out)
        return self.out


def desk_file(root: Path, name: str, folder: str, example: str, hints: dict | None = None
              ) -> tuple[Path, int] | tuple[None, tuple[str, str]]:
    """The one rule for a file a desk names (an archived text, the logo, a template): `name`,
    relative to the folder `root` (resolved), must be a regular file inside it. Returns its
    path and size, or None and what is wrong (the words after the file's name, and a hint).

    Nothing is opened before the rule holds: a link or `..` out of the folder could be anything
    on the machine (and whether it exists is never said), a pipe could block forever. `folder`
    names `root` in messages ("the facts folder"); `hints` replaces the hint of a problem
    ("name", "outside", "folder", "special").
    """
    hints = hints or {}
    try:
        target = (root / name).resolve()
    except (OSError, RuntimeError, ValueError):  # a NUL in the name; a link loop (3.11-3.12)
        target = None
    if target is None or target.is_symlink():  # resolve() stops at a loop from 3.13 on
        problem = "cannot be a file name (it holds U+0000)" if "\x00" in name \
            else "is a symbolic link that loops"
        return None, (problem, hints.get("name", f"name the file, e.g. '{example}'"))
    if Path(name).is_absolute():
        return None, (f"must be relative to {folder}", f"write it as e.g. '{example}'")
    if not target.is_relative_to(root):
        return None, (f"is outside {folder}", hints.get("outside", f"put the file in {folder}"))
    if target.is_dir():
        return None, ("is a folder, not a file", hints.get("folder", "name a file inside it"))
    if not target.exists():
        return None, ("not found", f"paths are relative to {folder}, e.g. '{example}'")
    if not target.is_file():
        return None, ("is not a regular file (a pipe, socket or device)",
                      hints.get("special", "save it as a plain file"))
    return target, target.stat().st_size


def root_of(facts: Path) -> Path:
    """The desk folder of a fact base folder: the folder that holds it (absolute)."""
    return Path(facts).resolve().parent


def require_folder(facts: Path) -> Path:
    """`facts` if it is a folder, else the error every command gives for a missing fact base."""
    if not Path(facts).is_dir():
        raise BriefgenError(f"fact base folder '{display_path(facts)}' not found "
                            f"(hint: {NO_DESK_HINT})")
    return Path(facts)


def _relative(folder: Path) -> Path:
    """`folder` (absolute) as a path relative to the current folder ('.', '..', 'desk')."""
    import os

    try:
        return Path(os.path.relpath(folder))
    except ValueError:  # another drive (Windows)
        return folder


def _nearest_desk(start: Path) -> Path:
    """The nearest folder from `start` upward that holds briefgen.toml or facts/; else `start`."""
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file() or (folder / FACTS).is_dir():
            return folder
    return start


def _check_templates(templates: Path) -> None:
    """A folder given with --templates must exist: a mistyped path would otherwise build with
    the packaged templates, and the brief would silently lose the desk's look and wording."""
    if not templates.is_dir():
        what = "is not a folder" if templates.exists() else "does not exist"
        raise UsageError(f"--templates '{templates}' {what} (hint: pass the desk's templates "
                         "folder, or leave --templates out to use templates/ beside the fact "
                         "base, else the packaged templates)")


def check_out(out: Path) -> None:
    """Refuse, before any work, an output folder that cannot be one (a usage error)."""
    import os

    out = Path(out)
    if out.is_symlink() and not out.exists():
        raise UsageError(f"--out '{out}' is a link to '{os.readlink(out)}', which does not "
                         "exist (hint: create that folder, or pass another --out)")
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                what = f"'{out}'" if folder == out else f"'{out}': '{folder}'"
                raise UsageError(f"--out {what} is a file, not a folder "
                                 "(hint: pass a folder, e.g. --out out)")
            return
