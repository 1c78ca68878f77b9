"""The Jinja2 parts a TemplateRenderer is built from: its compiled-template store, undefined
values that say what a fact or theme does have, where in a template an error happened, and a
watchdog on the time and memory a render takes; `TemplateProblem` is what template code raises
to become a diagnostic."""

from __future__ import annotations

import re

import functools
import os
import threading
import time
from dataclasses import fields, is_dataclass
from pathlib import Path

from briefgen import resources

# What a template calls the objects it is given, for messages ("fact has no field ...").
KINDS = {"FactView": "fact", "ThemeView": "theme", "JudgmentView": "judgment"}
HINT = "\0"  # separates a message from its hint inside an exception text
BUDGET_SECONDS = 30.0  # wall time of one render
MAX_MEMORY = 1 << 30  # bytes one render may add to the process
BOUND_HINT = "a brief needs far less; loop over facts and themes, not over numbers"


class TemplateProblem(Exception):
    """Raised inside template code: becomes a diagnostic at the template line it stopped on."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message + (HINT + hint if hint else ""))


def close(word: str, choices) -> str | None:
    """"did you mean 'x'?" for the closest of `choices`, else None."""
    from briefgen.suggest import closest

    found = closest(word, sorted(choices))
    return f"did you mean '{found}'?" if found else None


def compiled(kind: str = "brief"):
    """Templates compiled once per process, in memory (never on disk): `build` of every theme,
    `check` and `watch` compile each template file once (~0.015 s of a 500-line compose), again
    only when it changes. The code is the same for every renderer of a `kind` ("brief", or
    "mail" for the e-mail templates): all are set up alike, the stamps are the process's, and
    printed values become placeholders only when it runs."""
    return _compiled(kind)


@functools.cache
def _compiled(kind: str):
    from jinja2 import BytecodeCache

    class Compiled(BytecodeCache):
        def __init__(self):
            self.code: dict = {}  # template name and file -> (source checksum, code)

        def load_bytecode(self, bucket):
            checksum, code = self.code.get(bucket.key, (None, None))
            if checksum == bucket.checksum:
                bucket.code = code

        def dump_bytecode(self, bucket):
            self.code[bucket.key] = (bucket.checksum, bucket.code)

    return Compiled()


@functools.lru_cache(maxsize=1)
def undefined_class():
    from jinja2 import StrictUndefined
    from jinja2.utils import missing

    class Undefined(StrictUndefined):
        """StrictUndefined whose message says what the object is and what it does have."""

        __slots__ = ()

        @property
        def _undefined_message(self) -> str:
            obj, name = self._undefined_obj, self._undefined_name
            if self._undefined_hint or obj is missing:
                return super()._undefined_message
            kind = KINDS.get(type(obj).__name__)
            if kind is None:
                return super()._undefined_message
            names = [f.name for f in fields(obj)] if is_dataclass(obj) else []
            hint = close(str(name), names) or ("its fields: " + ", ".join(names))
            return f"{kind} has no field '{name}'{HINT}{hint}"

    return Undefined


@functools.lru_cache(maxsize=1)
def refused_characters():
    """The extension that refuses, at its line, a character briefgen.characters refuses in a
    template's text or in a string it prints: a brief or a mail shows them as they are."""
    from jinja2 import TemplateSyntaxError
    from jinja2.ext import Extension

    from briefgen.characters import find_refused, refusal

    class RefusedCharacters(Extension):
        def filter_stream(self, stream):
            for token in stream:
                if token.type in ("data", "string") and isinstance(token.value, str):
                    m = next(find_refused(token.value), None)
                    if m is not None:
                        message, hint = refusal(m.group(), where="templates")
                        line = token.lineno + token.value.count("\n", 0, m.start())
                        raise TemplateSyntaxError(message + HINT + hint, line, stream.name,
                                                  stream.filename)
                yield token

    return RefusedCharacters


@functools.lru_cache(maxsize=1)
def desk_loader():
    """The loader class of every template environment: the desk's templates folder, then the
    packaged one; a desk's template must be a regular file inside its folder (the rule for
    every file a desk names), checked before it is opened: a link out of the folder could be
    any file on the machine, a pipe could block forever."""
    from jinja2 import FileSystemLoader
    from jinja2.loaders import split_template_path

    class DeskLoader(FileSystemLoader):
        def get_source(self, environment, template):
            parts = split_template_path(template)  # refuses '..' itself
            for folder in self.searchpath:
                if os.path.lexists(os.path.join(folder, *parts)):
                    if Path(folder) != resources.TEMPLATES:
                        problem = resources.desk_file_problem(Path(folder), "/".join(parts))
                        if problem:
                            raise TemplateProblem(f"template '{template}' {problem[0]}",
                                                  problem[1])
                    break
            return super().get_source(environment, template)

    return DeskLoader


def where(error: BaseException, templates: Path | None, fallback: str) -> tuple[str, int]:
    """The template file and line where a runtime error happened: the innermost frame Jinja2
    rewrote to point into a template (so an error in an included file names that file)."""
    tb, name, line = error.__traceback__, fallback, 0
    roots = [str(d) for d in resources.template_dirs(templates)]
    while tb is not None:
        frame = tb.tb_frame
        if "__jinja_exception__" in frame.f_globals:
            filename = frame.f_code.co_filename
            name = filename
            for root in roots:
                try:
                    name = str(Path(filename).relative_to(root))
                    break
                except ValueError:
                    continue
            line = tb.tb_lineno
        tb = tb.tb_next
    return name, line


class Watchdog:
    """Stop the template that runs in this thread once it has run `seconds`, or has added
    MAX_MEMORY to the process: TemplateProblem is raised in the rendering thread, where it is
    (a thread of its own looks every 50 ms; the exception arrives between two Python steps)."""

    TICK = 0.05

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.thread = threading.get_ident()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.fired = False

    def __enter__(self):
        self.started, self.memory = time.monotonic(), _resident()
        threading.Thread(target=self._watch, daemon=True, name="template watchdog").start()
        return self

    def __exit__(self, *exc):
        with self.lock:
            self.stop.set()
            if self.fired:  # raised, or about to be: never outside this render
                _raise_in(self.thread, None)

    def _watch(self):
        while not self.stop.wait(self.TICK):
            if time.monotonic() - self.started > self.seconds:
                return self._stop(f"the template ran for more than {self.seconds:g} s; "
                                  "stopped here", "a loop inside a loop over many items? a "
                                  "brief needs far less")
            if _resident() - self.memory > MAX_MEMORY:
                return self._stop(f"the template took more than {MAX_MEMORY >> 20:,} MB of "
                                  "memory; stopped here", BOUND_HINT)
        return None

    def _stop(self, message: str, hint: str) -> None:
        # raised by class: the exception is made in the rendering thread, without arguments
        stopped = type("Stopped", (TemplateProblem,), {
            "__init__": lambda self: TemplateProblem.__init__(self, message, hint)})
        with self.lock:
            if not self.stop.is_set():
                self.fired = True
                _raise_in(self.thread, stopped)


def _raise_in(thread: int, exception) -> None:
    """Raise `exception` (a class; None: withdraw it) in `thread` between two Python steps."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread),
                                               ctypes.py_object(exception)
                                               if exception is not None else None)


def _resident() -> int:
    """The process's resident memory in bytes (its peak where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # no sysconf (Windows): /proc is not there
    _PAGE = 4096


_BLOCKS = {"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "trans", "set"}


_UNCLOSED = re.compile(r"Unexpected end of template.*innermost block that needs to be "
                       r"closed is '(\w+)'", re.S)


def never_closed(env, source: str, message: str) -> tuple[int, str, str] | None:
    """(line, message, hint) for Jinja's "Unexpected end of template ... the innermost block
    that needs to be closed is 'if'": said where that block opened. None for other errors."""
    found = _UNCLOSED.search(message)
    line = found and unclosed_block(env, source, found.group(1))
    if not line:
        return None
    name = found.group(1)
    return (line, f"'{{% {name} %}}' is never closed",
            f"add '{{% end{name} %}}' where its block ends; Jinja reached the end of the file "
            "looking for it")


def unclosed_block(env, source: str, name: str) -> int | None:
    """The line of the `{% name %}` that opened the block Jinja found unclosed at the end of
    the template: its message names the end of the file, which is never where it was left
    open. None if the source does not lex."""
    from jinja2 import TemplateSyntaxError

    stack: list[tuple[str, int]] = []
    tag: list = []  # the tokens of the tag being read: [(line, type, value), ...]
    try:
        for line, kind, value in env.lex(source):
            if kind == "block_begin":
                tag = []
            elif kind == "block_end" and tag:
                first = tag[0][2] if tag[0][1] == "name" else ""
                if first.startswith("end") and stack and stack[-1][0] == first[3:]:
                    stack.pop()
                elif first in _BLOCKS and not (first == "set" and any(  # `{% set x = 1 %}`
                        t[1:] == ("operator", "=") for t in tag)):  # opens no block
                    stack.append((first, tag[0][0]))
                tag = []
            elif kind not in ("whitespace",):
                tag.append((line, kind, value))
    except TemplateSyntaxError:
        return None
    lines = [line for opened, line in stack if opened == name]
    return lines[-1] if lines else None
