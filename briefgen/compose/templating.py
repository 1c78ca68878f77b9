"""The template side of composing: a sandboxed, bounded Jinja2 environment whose printed values
become placeholders, and whose every mistake is a located diagnostic.

Every value a template prints is swapped for an opaque placeholder (private-use characters
around a number) and kept aside, so fact text never meets the Markdown parser or the template
engine as code; each output line is stamped with the template file and line it came from.
Whatever goes wrong while a template runs (an undefined name, 1/0, a failing filter, a
sandbox violation, a macro that calls itself, too much work) is reported as
`templates/FILE:LINE: error: ...` for the file the error is in, never as a traceback.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass, fields
from pathlib import Path

from briefgen import resources
from briefgen.compose.jinja_parts import (BUDGET_SECONDS, HINT, KINDS, TemplateProblem, Watchdog,
                                          close, compiled, desk_loader, refused_characters,
                                          never_closed, undefined_class, where)
from briefgen.errors import BuildError, Diagnostic, TemplateError, display_path

DATA, CITE, LINE = ("\ue000", "\ue001"), ("\ue002", "\ue003"), ("\ue004", "\ue005")
_LINE = re.compile("\ue004(\\d+)\ue005")
_DATA = re.compile("\ue000(\\d+)\ue001")

MAX_OUTPUT = 50_000_000  # characters of rendered Markdown (more bounds: compose/sandbox.py)

# A stamp names a template and a line, whichever renderer compiled it: one table for the process,
# so that a template compiled once (`jinja_parts.compiled`) is located right in every compose.
_STAMPS: list[tuple[str, int]] = [("", 0)]  # stamp number -> (template name, line)
_STAMP_NUMBERS: dict[tuple[str, int], int] = {}
_STAMPING = threading.Lock()


def take_stamps(table: list[tuple[str, int]]) -> bool:
    """Take over another process's table of stamps (see precompile) if this one is its start."""
    with _STAMPING:
        if table[:len(_STAMPS)] != _STAMPS:
            return False
        for key in table[len(_STAMPS):]:
            _STAMP_NUMBERS[key] = len(_STAMPS)
            _STAMPS.append(key)
        return True


class TemplateRenderer:
    """A sandboxed Jinja2 environment whose printed values become placeholders."""

    def __init__(self, templates: Path | None, facts=None, plain: tuple = ()):
        from jinja2 import pass_context
        from jinja2.ext import Extension

        from briefgen.compose.sandbox import BoundedEnvironment

        renderer = self
        self.stamps = _STAMPS

        class LineStamps(Extension):
            """Stamp the template name and line before every newline of literal template text."""

            def filter_stream(self, stream):
                tokens = list(stream)  # a template is short; the last text needs lookahead
                last = max((i for i, t in enumerate(tokens) if t.type == "data"), default=-1)
                for i, token in enumerate(tokens):
                    if token.type == "data" and ("\n" in token.value or i == last):
                        lines = token.value.split("\n")
                        # a last line with no newline after it is stamped too, at its end
                        end = len(lines) if i == last and lines[-1] else len(lines) - 1
                        stamped = [f"{text}{LINE[0]}{renderer.stamp(stream.name, token.lineno + n)}"
                                   f"{LINE[1]}" for n, text in enumerate(lines[:end])] + lines[end:]
                        token = token.__class__(token.lineno, "data", "\n".join(stamped))
                    yield token

        # The fields of the `plain` dataclasses (the composer's fact, judgment and theme views)
        # hold only display values: a template reads them without the sandbox's checks of each
        # attribute (5,000-line brief: template run 0.12 -> 0.05 s). Anything else, and whatever
        # a template does with those values, is checked as always.
        fields_of = {cls: frozenset(f.name for f in fields(cls) if not f.name.startswith("_"))
                     for cls in plain}

        class Bounded(BoundedEnvironment):
            def getattr(self, obj, attribute):
                if attribute in fields_of.get(obj.__class__, ()):
                    return getattr(obj, attribute)
                return super().getattr(obj, attribute)

            def getitem(self, obj, argument):  # `groupby("year")` and `x["name"]` come here
                if argument.__class__ is str and argument in fields_of.get(obj.__class__, ()):
                    return getattr(obj, argument)
                return super().getitem(obj, argument)

        self.templates = templates
        self.facts = facts  # fact and judgment ids cite() accepts (None: not checked here)
        self.values: list = []
        self.name = ""

        @pass_context  # run for every value, constants too: none is made while compiling
        def finalize(context, value):
            return renderer._placeholder(value)

        self.env = Bounded(
            # the desk's folder first, then the packaged defaults: overrides go file by file
            loader=desk_loader()([str(d) for d in resources.template_dirs(templates)]),
            autoescape=False, trim_blocks=True,
            lstrip_blocks=True, keep_trailing_newline=True, undefined=undefined_class(),
            finalize=finalize, extensions=[refused_characters(), LineStamps],
            bytecode_cache=compiled())
        self.env.globals["cite"] = self._cite

    def stamp(self, name: str | None, line: int) -> int:
        key = (name or self.name, line)
        with _STAMPING:
            if key not in _STAMP_NUMBERS:
                _STAMP_NUMBERS[key] = len(_STAMPS)
                _STAMPS.append(key)
            return _STAMP_NUMBERS[key]

    def _placeholder(self, value) -> str:
        if value.__class__ is not str:
            if isinstance(value, self.env.undefined):
                value._fail_with_undefined_error()  # StrictUndefined would only fail printed
            if not isinstance(value, _CiteRequest):
                self.env.printable(value)  # it will be written out as text
        self.values.append(value)
        mark = CITE if isinstance(value, _CiteRequest) else DATA
        return f"{mark[0]}{len(self.values) - 1}{mark[1]}"

    def _cite(self, *facts) -> _CiteRequest:
        for value in _flatten(facts):
            kind = KINDS.get(type(value).__name__)
            if kind in ("fact", "judgment") or self.facts is None:
                continue
            if isinstance(value, str):
                if value not in self.facts:
                    raise TemplateProblem(f"cite('{value}'): no fact or judgment has this id",
                                          close(value, self.facts) or "cite a fact, e.g. "
                                          "cite(fact) inside {% for fact in theme.facts %}")
                continue
            what = kind or type(value).__name__
            raise TemplateProblem(f"cite() takes facts, judgments or their ids, not a {what}",
                                  "cite each fact: {% for fact in theme.facts %}…"
                                  "{{ cite(fact) }}" if kind == "theme" else None)
        return _CiteRequest(facts)

    def render(self, name: str, context: dict) -> tuple[str, list[int]]:
        """The rendered Markdown (placeholders in) and, per output line, its stamp number.

        The template's top-level `{% set %}` values and macros (its title block, labels, cover)
        are kept in `self.exports`.
        """
        self.name = name
        self.names = set(context) | set(self.env.globals)
        return self.lines(self._run(lambda: self._generate(name, context)))

    def call(self, macro, *args) -> tuple[str, list[int]]:
        """Run one of the template's exported macros (e.g. the cover) with Python values."""
        return self.lines(self._run(lambda: str(macro(*args))))

    def _run(self, work) -> str:
        from jinja2 import TemplateSyntaxError

        try:
            with Watchdog(BUDGET_SECONDS):
                try:
                    return work()
                except (BuildError, TemplateSyntaxError):  # located already
                    raise
                except Exception:  # noqa: BLE001 - Jinja2 rewrites it to point at template lines
                    self.env.handle_exception()
        except BuildError:
            raise
        except Exception as e:  # noqa: BLE001 - whatever template code raised, located below
            error = TemplateError([self.diagnostic(e)])
            error.stopped = True  # the render stopped here (not a problem found in its output)
            raise error from None

    def _generate(self, name: str, context: dict) -> str:
        from jinja2 import TemplateNotFound

        try:
            template = self.env.get_template(name)
        except TemplateNotFound as e:
            if e.name != name:
                raise
            where = "the packaged defaults"
            if self.templates is not None:
                where = f"{display_path(self.templates)} nor in {where}"
            raise BuildError(f"template '{e.name}' not found in {where} "
                             "(hint: pass --templates DIR)") from None
        ctx = template.new_context(context)
        chunks, size = [], 0
        stream = template.root_render_func(ctx)
        for chunk in stream:
            size += len(chunk)
            if size > MAX_OUTPUT:  # stop it where it is, so that the error names that line
                stream.throw(TemplateProblem(f"the brief's text passed {MAX_OUTPUT:,} "
                                             "characters; stopped here"))
            chunks.append(chunk)
        self.exports = {k: v for k, v in ctx.get_exported().items() if not k.startswith("_")}
        return "".join(chunks)

    @staticmethod
    def lines(text: str) -> tuple[str, list[int]]:
        """The text without its line stamps, and per line its stamp number (0: none)."""
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

    def diagnostic(self, error: BaseException) -> Diagnostic:
        """The located diagnostic for an exception raised while loading or running a template."""
        from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
        from jinja2.exceptions import SecurityError

        if isinstance(error, TemplateSyntaxError):
            name, line = error.name or self.name, error.lineno
            message, hint = error.message or str(error), None
            unknown = re.fullmatch(r"No (filter|test) named '(\w+)'\.?", message)
            path = resources.template(self.templates, name)
            opened = path and never_closed(self.env, path.read_text(encoding="utf-8"), message)
            if unknown:
                hint = close(unknown.group(2), getattr(self.env, unknown.group(1) + "s"))
            elif opened:  # Jinja says the end of the file; the block opened lines before
                line, message, hint = opened
            elif _LEXER_ERROR.match(message):  # the tag left open, not where the lexer gave up
                path = resources.template(self.templates, name)
                unclosed = path and line and unclosed_tag(path.read_text(encoding="utf-8"), line)
                if unclosed:
                    line, opener = unclosed
                    closer = {"{{": "}}", "{%": "%}", "{#": "#}"}[opener]
                    message = f"'{opener}' is not closed by '{closer}'"
                    hint = f"end the tag with '{closer}' on the line it starts"
                else:
                    message = re.sub(r" at \d+$", "", message)  # an offset in Jinja's own text
            hint = hint or ("check the {{ }} and {% %} tags around this line; "
                            "see `briefgen docs templates`")
        else:
            name, line = where(error, self.templates, self.name)
            message, hint = (str(error) or type(error).__name__), None
            if isinstance(error, TemplateNotFound):
                message = f"template '{error.name}' not found"
            elif isinstance(error, RecursionError):
                message = "a macro or include calls itself without end"
                hint = "give the recursion a condition that stops it"
            elif isinstance(error, ZeroDivisionError):
                message = "division by zero"
            elif isinstance(error, SecurityError):
                hint = "templates may only read the values they are given"
            elif not isinstance(error, (TemplateProblem, UndefinedError)):
                message = f"{message} ({type(error).__name__})"
        message, _, extra = message.partition(HINT)
        hint = extra or hint
        undefined = re.fullmatch(r"'(\w+)' is undefined", message)
        if undefined and not hint:
            hint = close(undefined.group(1), self.names)
        return Diagnostic(self.display(name), line or 1, 0, "error", message, hint=hint)

    def location(self, stamp: int) -> tuple[str, int]:
        """The template file (as the user should see it) and line of an output line's stamp."""
        name, line = self.stamps[stamp] if 0 < stamp < len(self.stamps) else (self.name, 0)
        return self.display(name), line

    def problem(self, stamp: int, message: str, hint: str | None = None) -> Diagnostic:
        """An error at the template line an output line came from."""
        path, line = self.location(stamp)
        return Diagnostic(path, line, 0, "error", message, hint=hint)

    def where(self, stamp: int) -> str:
        return "{}:{}".format(*self.location(stamp))

    @functools.cache  # noqa: B019 - one renderer per build; paths are few
    def display(self, name: str) -> str:
        """A template as the user should see it: the desk's file, or the packaged one."""
        path = resources.template(self.templates, name, checked=False)
        if path is None:
            return display_path(Path(self.templates or ".") / name)
        return resources.shown(path) or display_path(path)


@dataclass(frozen=True)
class _CiteRequest:
    facts: tuple


def _flatten(values) -> list:
    out = []
    for v in values:
        out.extend(_flatten(v) if isinstance(v, (list, tuple)) else [v])
    return out


_LEXER_ERROR = re.compile(r"unexpected char |unexpected end of template|unexpected '[}%]'")
_TAG_MARK = re.compile(r"\{\{|\{%|\{#|\}\}|%\}|#\}")


def unclosed_tag(source: str, upto: int) -> tuple[int, str] | None:
    """(line, opener) of the first `{{`, `{%` or `{#` not closed before the next tag opens, or
    still open at the end of line `upto`. Jinja's lexer reads on past such a tag (a `}}` further
    on may close it, braces inside count) and fails lines later, at some other character."""
    text = "\n".join(source.split("\n")[:upto])
    open_at, opener = -1, ""
    for m in _TAG_MARK.finditer(text):
        mark = m.group()
        if opener and mark == {"{{": "}}", "{%": "%}", "{#": "#}"}[opener]:
            opener = ""
        elif opener and opener != "{#" and mark in ("{{", "{%"):
            break  # a tag inside a tag: the first one was never closed
        elif not opener and mark[0] == "{":
            open_at, opener = m.start(), mark
    return (text.count("\n", 0, open_at) + 1, opener) if opener else None
