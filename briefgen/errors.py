"""Expected failures: located diagnostics and the one exception family the CLI reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.characters import escape


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in user input, located at `path:line:col` (1-based)."""

    path: str
    line: int
    col: int
    severity: str  # "error" | "warning"
    message: str
    id: str | None = None
    field: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        """One line: every part may hold what a file said, so control characters are escaped."""
        # Templates are located to the line (Jinja2 knows no column): no column is printed.
        where = f"{self.path}:{self.line}" + (f":{self.col}" if self.col else "")
        subject = ""
        if self.id:
            subject += f"[{self.id}] "
        if self.field:
            subject += f"{self.field}: "
        text = f"{where}: {self.severity}: {subject}{self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return escape(text)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class BriefgenError(Exception):
    """Base of every expected failure: the CLI prints it and exits 1, without a traceback."""

    exit_code = 1

    def lines(self) -> list[str]:
        return [escape(f"error: {self}")]


class UsageError(BriefgenError):
    """The command line itself is wrong (exit code 2)."""

    exit_code = 2


class ProblemsError(BriefgenError):
    """Several problems of one run that no file locates (mail settings, missing glyphs): one
    `error:` line each, all of them reported at once."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def lines(self) -> list[str]:
        return [escape(f"error: {p}") for p in self.problems]


class DiagnosticsError(BriefgenError):
    """Input failed validation; carries every diagnostic found in the run, not only the first."""

    def __init__(self, diagnostics: list[Diagnostic], what: str = "fact base"):
        self.diagnostics = sorted(diagnostics)
        self.what = what
        verb = "have" if " and " in what else "has"  # "fact base and readers file have ..."
        super().__init__(f"{what} {verb} {count(self.diagnostics)}")

    def lines(self) -> list[str]:
        return [str(d) for d in self.diagnostics] + [escape(f"error: {self}")]


def count(diagnostics: list[Diagnostic]) -> str:
    """'2 errors, 1 warning' for a summary line."""
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    return (f"{errors} error{'s' * (errors != 1)}, "
            f"{warnings} warning{'s' * (warnings != 1)}")


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory when possible."""
    p = Path(path)
    try:  # the folder resolved, not the file: a link is shown by its own name (and may loop)
        return str((p.parent.resolve() / p.name).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(p)


class BuildError(BriefgenError):
    """A brief cannot be built as asked (uncited line, missing glyph, bad template...)."""


class TemplateError(DiagnosticsError, BuildError):
    """A template cannot be rendered: located diagnostics, `templates/x.md.j2:LINE: error: ...`."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(diagnostics, what="template")
