"""The template side of composing: a sandboxed Jinja2 environment whose printed values become
placeholders.

Every value a template prints is swapped for an opaque placeholder (private-use characters
around a number) and kept aside, so fact text never meets the Markdown parser or the template
engine as code; each output line is stamped with the template line it came from.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from briefgen import resources
from briefgen.errors import BuildError, display_path

DATA, CITE, LINE = ("\ue000", "\ue001"), ("\ue002", "\ue003"), ("\ue004", "\ue005")
_LINE = re.compile("\ue004(\\d+)\ue005")
_DATA = re.compile("\ue000(\\d+)\ue001")


class Renderer:
    """A sandboxed Jinja2 environment whose printed values become placeholders."""

    def __init__(self, templates: Path | None):
        from jinja2 import FileSystemLoader, StrictUndefined
        from jinja2.ext import Extension
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        class LineStamps(Extension):
            """Stamp the template line number before every newline of literal template text."""

            def filter_stream(self, stream):
                for token in stream:
                    if token.type == "data" and "\n" in token.value:
                        lines = token.value.split("\n")
                        stamped = [f"{text}{LINE[0]}{token.lineno + i}{LINE[1]}"
                                   for i, text in enumerate(lines[:-1])] + lines[-1:]
                        token = token.__class__(token.lineno, "data", "\n".join(stamped))
                    yield token

        self.templates = templates
        self.values: list = []
        self.env = ImmutableSandboxedEnvironment(
            # the desk's folder first, then the packaged defaults: overrides go file by file
            loader=FileSystemLoader([str(d) for d in resources.template_dirs(templates)]),
            autoescape=False, trim_blocks=True,
            lstrip_blocks=True, keep_trailing_newline=True, undefined=StrictUndefined,
            finalize=self._placeholder, extensions=[LineStamps])
        self.env.globals["cite"] = lambda *facts: _CiteRequest(facts)

    def _placeholder(self, value) -> str:
        self.values.append(value)
        mark = CITE if isinstance(value, _CiteRequest) else DATA
        return f"{mark[0]}{len(self.values) - 1}{mark[1]}"

    def render(self, name: str, context: dict) -> tuple[str, list[int]]:
        """The rendered Markdown (placeholders in) and, per output line, its template line.

        The template's top-level `{% set %}` values and macros (its title block, labels, cover)
        are kept in `self.exports`.
        """
        self.name = name
        module = self._run(lambda: self.env.get_template(name).make_module(context), name)
        self.exports = {k: v for k, v in vars(module).items() if not k.startswith("_")}
        return self.lines(str(module))

    def call(self, macro, *args) -> tuple[str, list[int]]:
        """Run one of the template's exported macros (e.g. the cover) with Python values."""
        return self.lines(self._run(lambda: str(macro(*args)), self.name))

    def _run(self, work, name: str):
        from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError

        try:
            try:
                return work()
            except (TemplateNotFound, TemplateSyntaxError):
                raise
            except Exception:  # noqa: BLE001 - rewritten by Jinja2 to point at template lines
                self.env.handle_exception()
        except TemplateNotFound as e:
            where = "the packaged defaults"
            if self.templates is not None:
                where = f"{display_path(self.templates)} nor in {where}"
            raise BuildError(f"template '{e.name}' not found in {where} "
                             "(hint: pass --templates DIR)") from None
        except TemplateSyntaxError as e:
            where = self.where(e.lineno, e.name)
            raise BuildError(f"{where}: template error: {e.message}") from None
        except TemplateError as e:
            where = self.where(_template_line(e), name)
            raise BuildError(f"{where}: template error: {e}") from None

    @staticmethod
    def lines(text: str) -> tuple[str, list[int]]:
        lines, origins = [], []
        for line in text.split("\n"):
            stamps = _LINE.findall(line)
            origins.append(int(stamps[-1]) if stamps else 0)
            lines.append(_LINE.sub("", line))
        return "\n".join(lines), origins

    def text(self, value) -> str:
        """A value the template set (`{% set x %}...{% endset %}` or an expression), as text."""
        text = _LINE.sub("", str(value))
        # a block set that printed another block set holds placeholders inside a placeholder
        return _DATA.sub(lambda m: " ".join(self.text(self.values[int(m.group(1))]).split()),
                         text)

    def where(self, line: int | None, name: str | None = None) -> str:
        return f"{self.display(name or self.name)}:{line or 0}"

    @functools.cache  # noqa: B019 - one renderer per build; paths are few
    def display(self, name: str) -> str:
        path = resources.template(self.templates, name)
        if path is None:
            return display_path(Path(self.templates or ".") / name)
        return resources.shown(path) or display_path(path)


@dataclass(frozen=True)
class _CiteRequest:
    facts: tuple


def _template_line(error: Exception) -> int:
    """The template line of a runtime error, from the traceback frames Jinja2 rewrites."""
    tb, line = error.__traceback__, 0
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
