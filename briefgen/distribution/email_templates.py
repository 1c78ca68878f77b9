"""The words of an email, from the desk's templates (email.txt.j2, email.html.j2), sandboxed.

`email.txt.j2` starts with header lines (`Subject:`, `Attachment:` for the file name's stem),
a blank line, then the plain-text body; `email.html.j2` is the HTML body. A desk folder
without them uses the copies shipped with briefgen.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.characters import clip, escape
from briefgen.distribution.headers import problem as header_text_problem
from briefgen.errors import BuildError, display_path
from briefgen.resources import shown, template, template_dirs

TEXT, HTML = "email.txt.j2", "email.html.j2"
HEADERS = ("Subject", "Attachment")


@dataclass(frozen=True)
class EmailText:
    """One message's words: its subject, the attachment's file name, and both bodies."""

    subject: str
    attachment: str  # file name stem, e.g. 'libya-weekly-2019-W50'
    text: str
    html: str


class EmailTemplates:
    """Both email templates of a desk, loaded once per run."""

    def __init__(self, folder: Path):
        from jinja2 import StrictUndefined, select_autoescape

        from briefgen.compose.jinja_parts import compiled, desk_loader, refused_characters
        from briefgen.compose.sandbox import BoundedEnvironment, bounded_filter

        self.folder = Path(folder)
        # the brief templates' sandbox and bounds, loader and character policy
        self.env = BoundedEnvironment(
            loader=desk_loader()([str(d) for d in template_dirs(self.folder)]),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            undefined=StrictUndefined, extensions=[refused_characters()],
            bytecode_cache=compiled("mail"))
        self.env.filters["squash"] = bounded_filter(
            "squash", lambda text: " ".join(str(text).split()))

    def render(self, context: dict) -> EmailText:
        text = self._render(TEXT, context)
        head, sep, body = text.partition("\n\n")
        headers = {}
        for line in head.splitlines():
            name, _, value = line.partition(":")
            headers[name.strip()] = " ".join(value.split())
        missing = [h for h in HEADERS if not headers.get(h)]
        if not sep or missing:
            raise BuildError(f"{self._where(TEXT)}:1: template error: {TEXT} must start with "
                             "the lines 'Subject: ...' and 'Attachment: ...' and a blank line "
                             f"(missing: {', '.join(missing) or 'the blank line'})")
        for name in HEADERS:
            found = header_text_problem(headers[name])
            if found:
                raise BuildError(f"{self._where(TEXT)}:1: error: the {name.lower()} "
                                 f"'{escape(clip(headers[name], 80))}' {found} (hint: the words "
                                 "come from the brief's title and briefgen.toml's [desk] "
                                 "values; write them as plain text)")
        return EmailText(headers["Subject"], headers["Attachment"], body.lstrip("\n"),
                         self._render(HTML, context))

    def _render(self, name: str, context: dict) -> str:
        from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

        from briefgen.compose.jinja_parts import (BUDGET_SECONDS, HINT, TemplateProblem, Watchdog,
                                                  never_closed)

        try:
            with Watchdog(BUDGET_SECONDS):  # as a brief template's render: time and memory
                return self.env.get_template(name).render(context)
        except TemplateNotFound as e:
            raise BuildError(f"template '{e.name}' not found in "
                             f"{display_path(self.folder)}") from None
        except TemplateSyntaxError as e:
            message, _, hint = (e.message or "").partition(HINT)
            path, line = template(self.folder, e.name or name), e.lineno
            opened = path and never_closed(self.env, path.read_text(encoding="utf-8"), message)
            if opened:  # Jinja says the end of the file; the block opened lines before
                line, message, hint = opened
            raise BuildError(f"{self._where(e.name or name)}:{line}: template error: "
                             f"{message}" + (f" (hint: {hint})" if hint else "")) from None
        except TemplateProblem as e:  # a bound of the sandbox, or what template code refused
            message, _, hint = str(e).partition(HINT)
            raise BuildError(f"{self._where(name)}:{_line(e)}: template error: {message}"
                             + (f" (hint: {hint})" if hint else "")) from None
        except TemplateError as e:
            raise BuildError(f"{self._where(name)}:{_line(e)}: template error: {e}") from None
        except (ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as e:
            raise BuildError(f"{self._where(name)}:{_line(e)}: template error: "
                             f"{type(e).__name__}: {e}") from None

    def _where(self, name: str) -> str:
        path = template(self.folder, name) or self.folder / name
        return shown(path) or display_path(path)


def _line(error: Exception) -> int:
    tb, line = error.__traceback__, 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line

