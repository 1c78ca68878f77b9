"""Load a fact base: every YAML file under facts/, validated, cross-checked and quote-verified."""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.errors import BriefgenError, Diagnostic, DiagnosticsError, display_path
from briefgen.models import KINDS, Fact, Source, Theme
from briefgen.quotes import Miss, SourceText, Verified
from briefgen.yamlpos import YamlDoc, load

MAX_STATEMENT_WORDS = 60
SLUG_HINT = "use lowercase letters, digits and single hyphens, e.g. 'nato-watch-2013-06'"


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    col: int


@dataclass
class FactBase:
    """Validated sources, themes and facts in file order, and everything found wrong with them."""

    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    where: dict[tuple[str, str], Location] = field(default_factory=dict)  # (kind, id) -> item
    verified: dict[tuple[str, int], Verified] = field(default_factory=dict)  # (fact id, n)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def raise_for_errors(self, strict: bool = False) -> None:
        """Raise with every diagnostic when there is an error (or, if strict, a warning)."""
        if self.errors or (strict and self.diagnostics):
            raise DiagnosticsError(self.diagnostics)


def load_factbase(facts_dir: Path) -> FactBase:
    """Read and check every `*.yaml` under `facts_dir`; problems are collected, not raised."""
    facts_dir = Path(facts_dir)
    if not facts_dir.is_dir():
        raise BriefgenError(f"fact base folder '{facts_dir}' not found "
                            "(hint: run in the project folder or pass --facts DIR)")
    base = FactBase(root=facts_dir)
    loader = _Loader(base)
    for path in sorted(facts_dir.rglob("*.yml")):
        base.diagnostics.append(Diagnostic(display_path(path), 1, 1, "warning",
                                           "ignored: fact files must end in .yaml",
                                           hint="rename it to .yaml"))
    paths = sorted(facts_dir.rglob("*.yaml"))
    for path, events in zip(paths, parse_files(paths), strict=True):
        loader.merge(path, events)
    loader.cross_check()
    return base


PARALLEL_BYTES = 2_000_000  # below this, starting a second process costs more than it saves


def parse_files(paths: list[Path]):
    """Each file's parse events, in order; a large base is parsed on two cores at once.

    A forked helper parses and validates about half of the bytes and sends back only events
    (diagnostics and validated items, no YAML positions): this process re-reads a helper's file
    only if it must point at a place in it later, to report a problem.
    """
    sizes = [p.stat().st_size if p.is_file() else 0 for p in paths]
    if sum(sizes) < PARALLEL_BYTES or len(paths) < 2 or not _can_fork():
        yield from (_Parser(p).parse() for p in paths)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    mine, theirs, load = [], [], [0, 0]
    for i in sorted(range(len(paths)), key=lambda i: -sizes[i]):  # largest first, to the lighter
        side = 0 if load[0] <= load[1] else 1
        (mine, theirs)[side].append(i)
        load[side] += sizes[i]
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        remote = pool.submit(_parse_remote, [paths[i] for i in sorted(theirs)])
        local = {i: _Parser(paths[i]).parse() for i in mine}
        local.update(zip(sorted(theirs), remote.result(), strict=True))
    yield from (local[i] for i in range(len(paths)))


def _can_fork() -> bool:
    import os
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def _parse_remote(paths: list[Path]) -> list[list]:
    out = []
    for p in paths:
        events = _Parser(p).parse()
        events[0] = ("doc", None)  # positions stay here; the main process re-reads on demand
        out.append(events)
    return out


class _Parser:
    """Parses and validates one fact file into events, replayed in file order by `_Loader`.

    Events: ("doc", YamlDoc) first, then ("diag", Diagnostic), ("invalid", (kind, id)) and
    ("item", kind, model, path, position of the item, position of its id) as found.
    """

    def __init__(self, path: Path):
        self.path, self.file = path, display_path(path)
        self.events: list[tuple] = []

    def report(self, file: str, pos: tuple[int, int], message: str, *, id: str | None = None,
               field: str | None = None, hint: str | None = None, severity: str = "error") -> None:
        self.events.append(("diag", Diagnostic(file, pos[0], pos[1], severity, message, id=id,
                                               field=field, hint=hint)))

    def parse(self) -> list[tuple]:
        file = self.file
        doc = load(self.path)
        self.events.append(("doc", doc))
        for pos, message, hint in doc.problems:
            self.report(file, pos, message, hint=hint)
        if doc.fatal:
            return self.events  # syntax, encoding or size: the data is incomplete
        data = doc.data
        if not isinstance(data, dict) or not data:
            self.report(file, doc.pos(()), "a fact file must be a mapping with one or more of "
                        "the keys sources, themes, facts", hint="start the file with 'facts:'")
            return self.events
        for key, items in data.items():
            if key not in KINDS:
                self.report(file, doc.pos((key,), key=True), f"unknown top-level key '{key}'",
                            hint=_did_you_mean(key, KINDS))
            elif not isinstance(items, list):
                self.report(file, doc.pos((key,)), f"'{key}' must be a list (items start with '- ')")
            else:
                for index, item in enumerate(items):
                    self.read_item(file, doc, key, index, item)
        return self.events

    def read_item(self, file: str, doc: YamlDoc, kind: str, index: int, item: object) -> None:
        from pydantic import ValidationError

        model = KINDS[kind]
        path = (kind, index)
        item_id = item.get("id") if isinstance(item, dict) else None
        item_id = item_id if isinstance(item_id, str) else None
        try:
            obj = model.model_validate(item)
        except ValidationError as e:
            self.events.append(("invalid", (kind, item_id)))
            errors = e.errors(include_url=False)
            # A misspelt key is reported once, as unknown with "did you mean", not also missing.
            typos = {(tuple(x["loc"][:-1]), close) for x in errors if x["type"] == "extra_forbidden"
                     for close in difflib.get_close_matches(str(x["loc"][-1]),
                                                            _fields_at(model, x["loc"][:-1]),
                                                            n=1, cutoff=0.6)}
            for err in errors:
                if err["type"] == "missing" and (tuple(err["loc"][:-1]), err["loc"][-1]) in typos:
                    continue
                if not any(path + tuple(err["loc"])[:n] in doc.aliases
                           for n in range(len(err["loc"]) + 1)):  # an alias is reported once
                    self.pydantic_error(file, doc, path, model, item_id, err)
            return
        self.events.append(("item", kind, obj, path, doc.pos(path), doc.pos(path + ("id",))))

    def pydantic_error(self, file, doc, path, model, item_id, err) -> None:
        loc = tuple(err["loc"])
        field = _dotted(loc)
        kind, value = err["type"], err.get("input")
        hint = None
        if kind == "extra_forbidden":
            message = f"unknown key '{loc[-1]}'"
            hint = _did_you_mean(str(loc[-1]), _fields_at(model, loc[:-1]))
            pos = doc.pos(path + loc, key=True)
            field = _dotted(loc[:-1]) or None
        elif kind == "missing":
            message = f"required key '{loc[-1]}' is missing"
            hint = f"add '{loc[-1]}:' (see facts/schema.json or SPEC's fact base format)"
            pos = doc.pos(path + loc[:-1])
            field = _dotted(loc[:-1]) or None
        elif not loc and kind in ("model_type", "dict_type"):
            message = f"each item must be a mapping of keys, got {_show(value)}"
            hint = f"write it as '- id: ...' followed by the {model.__name__.lower()}'s keys"
            pos = doc.pos(path)
        else:
            pos = doc.pos(path + loc)
            message, hint = _message(kind, err, value, loc)
        self.report(file, pos, message, id=item_id, field=field, hint=hint)


class _Docs(dict):
    """File -> YamlDoc; a file parsed by the helper process is read again when first asked."""

    def __init__(self):
        super().__init__()
        self.paths: dict[str, Path] = {}

    def __missing__(self, file: str) -> _LazyDoc:
        doc = self[file] = _LazyDoc(self.paths[file])
        return doc


class _LazyDoc:
    """The positions of a file parsed elsewhere: read again only if a problem is reported."""

    def __init__(self, path: Path):
        self.path, self.doc = path, None

    def pos(self, path: tuple, key: bool = False) -> tuple[int, int]:
        if self.doc is None:
            self.doc = load(self.path)
        return self.doc.pos(path, key)


class _Loader:
    """Merges parsed files into the base in file order, then checks the base as a whole."""

    def __init__(self, base: FactBase):
        self.base = base
        self.docs = _Docs()
        self.paths: dict[tuple[str, str], tuple[str, tuple]] = {}  # (kind, id) -> (file, path)
        self.id_pos: dict[tuple[str, str], tuple[int, int]] = {}  # (kind, id) -> its id's place
        self.invalid: set[tuple[str, str]] = set()  # items reported invalid: not "undefined"

    def report(self, file: str, pos: tuple[int, int], message: str, *, id: str | None = None,
               field: str | None = None, hint: str | None = None, severity: str = "error") -> None:
        self.base.diagnostics.append(Diagnostic(file, pos[0], pos[1], severity, message,
                                                id=id, field=field, hint=hint))

    def merge(self, path: Path, events: list[tuple]) -> None:
        file = display_path(path)
        self.docs.paths[file] = path
        for event in events:
            tag = event[0]
            if tag == "item":
                self.add_item(file, *event[1:])
            elif tag == "diag":
                self.base.diagnostics.append(event[1])
            elif tag == "invalid":
                self.invalid.add(event[1])
            elif event[1] is not None:  # "doc": None when parsed by the helper
                self.docs[file] = event[1]

    def add_item(self, file: str, kind: str, obj, path: tuple, pos: tuple, id_pos: tuple) -> None:
        key = (kind, obj.id)
        if key in self.paths:
            other_file = self.paths[key][0]
            line, col = self.id_pos[key]
            self.report(file, id_pos, f"duplicate {kind[:-1]} id (also at {other_file}:{line}:"
                        f"{col})", id=obj.id, field="id",
                        hint="ids must be unique across all files: rename one")
            return
        self.paths[key] = (file, path)
        self.id_pos[key] = id_pos
        self.base.where[key] = Location(file, *pos)
        getattr(self.base, kind)[obj.id] = obj

    def cross_check(self) -> None:
        """References, source files, quotes, and the warnings that need the whole base."""
        base = self.base
        cited: set[str] = set()
        themed: set[str] = set()
        texts: dict[str, SourceText | None] = {}
        for sid, source in base.sources.items():
            texts[sid] = self.source_text(sid, source)
        for fid, fact in base.facts.items():
            file, path = self.paths[("facts", fid)]
            doc = self.docs[file]
            for i, theme in enumerate(fact.themes):
                themed.add(theme)
                if theme not in base.themes and ("themes", theme) not in self.invalid:
                    self.report(file, doc.pos(path + ("themes", i)), f"unknown theme '{theme}'",
                                id=fid, field=f"themes[{i}]",
                                hint=_did_you_mean(theme, base.themes, "define it under 'themes:'"))
            for n, citation in enumerate(fact.citations):
                where = path + ("citations", n)
                cited.add(citation.source)
                if citation.source not in base.sources:
                    if ("sources", citation.source) in self.invalid:
                        continue  # the source's own errors are reported where it stands
                    self.report(file, doc.pos(where + ("source",)),
                                f"unknown source '{citation.source}'", id=fid,
                                field=f"citations[{n}].source",
                                hint=_did_you_mean(citation.source, base.sources,
                                                   "define it under 'sources:'"))
                    continue
                self.check_quote(file, doc, where, fid, n, citation, texts[citation.source])
            self.check_fact_warnings(file, doc, path, fid, fact)
        for kind, used, message, hint in (
                ("sources", cited, "source is cited by no fact", "cite it or remove it"),
                ("themes", themed, "theme has no facts", "add facts to it or remove it")):
            for item_id in getattr(base, kind):
                if item_id not in used:
                    file, path = self.paths[(kind, item_id)]
                    self.report(file, self.docs[file].pos(path + ("id",)), message, id=item_id,
                                hint=hint, severity="warning")

    def source_text(self, sid: str, source: Source) -> SourceText | None:
        file, path = self.paths[("sources", sid)]
        pos = self.docs[file].pos(path + ("file",))
        root = self.base.root.resolve()
        target = (root / source.file).resolve()
        if Path(source.file).is_absolute():
            self.report(file, pos, f"file '{source.file}' must be relative to the facts folder",
                        id=sid, field="file", hint="write it as e.g. 'sources/x.txt'")
        elif not target.is_relative_to(root):
            self.report(file, pos, f"file '{source.file}' is outside the facts folder", id=sid,
                        field="file", hint="archive the text under facts/sources/")
        elif target.is_dir():
            self.report(file, pos, f"file '{source.file}' is a folder, not a text file", id=sid,
                        field="file", hint="name the archived .txt file inside it")
        elif not target.is_file():
            self.report(file, pos, f"file '{source.file}' not found", id=sid, field="file",
                        hint="paths are relative to the facts folder, e.g. 'sources/x.txt'")
        else:
            try:
                return SourceText(target.read_bytes())
            except UnicodeDecodeError as e:
                self.report(file, pos, f"file '{source.file}' is not UTF-8 text ({e.reason} at "
                            f"byte {e.start})", id=sid, field="file", hint="save it as UTF-8")
        return None

    def check_quote(self, file, doc, where, fid, n, citation, text: SourceText | None) -> None:
        if text is None:
            return  # the source's own problem is reported once, at the source
        result = text.verify(citation.quote)
        if isinstance(result, Verified):
            self.base.verified[(fid, n)] = result
            return
        hint = "copy the passage verbatim from the archived text"
        if isinstance(result, Miss) and result.closest:
            hint = (f"closest passage ({result.similarity:.0f}% similar): "
                    f"“{_clip(result.closest, 160)}”")
        self.report(file, doc.pos(where + ("quote",)), result.reason, id=fid,
                    field=f"citations[{n}].quote", hint=hint)

    def check_fact_warnings(self, file, doc, path, fid, fact: Fact) -> None:
        for citation in fact.citations:
            source = self.base.sources.get(citation.source)
            if source and fact.date.first_day > source.published.last_day:
                self.report(file, doc.pos(path + ("date",)),
                            f"dated {fact.date} but source '{source.id}' was published "
                            f"{source.published}", id=fid, field="date",
                            hint="a source cannot report what happened after it", severity="warning")
        words = len(fact.statement.split())
        if words > MAX_STATEMENT_WORDS:
            self.report(file, doc.pos(path + ("statement",)),
                        f"statement has {words} words; a brief line has at most "
                        f"{MAX_STATEMENT_WORDS}", id=fid, field="statement",
                        hint="split it into two facts", severity="warning")


HINTS = {
    "date": "write a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2019-12-11",
    "published": "write a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2019-12-11",
    "url": "use the article's http:// or https:// address, or leave url out",
    "kind": "choose event, statement, assessment or allegation",
    "reliability": "source reliability runs from A (reliable) to F (cannot be judged)",
    "credibility": "credibility runs from 1 (confirmed) to 6 (cannot be judged)",
}


def _message(kind: str, err: dict, value, loc: tuple) -> tuple[str, str | None]:
    """A plain-words message and a hint for one Pydantic error."""
    name = next((p for p in reversed(loc) if isinstance(p, str)), "")
    hint = HINTS.get(name)
    if kind == "string_pattern_mismatch" and name == "language":
        return f"'{value}' is not a BCP 47 language tag", "e.g. 'en', 'ar', 'fr-BE'"
    if kind == "string_pattern_mismatch":
        return f"'{value}' is not a slug", SLUG_HINT
    if kind == "literal_error":
        return f"'{value}' is not one of {err['ctx']['expected']}", hint
    if kind == "value_error":
        return str(err["ctx"]["error"]), hint
    if kind in ("less_than_equal", "greater_than_equal"):
        return f"{value!r} is out of range", hint
    if kind == "too_short":
        return "must have at least one entry", "add one, e.g. '- ...' on the next line"
    if kind == "string_too_short":
        return "must not be empty", "write the text or leave the key out if it is optional"
    expected = {"string_type": "text", "int_type": "a whole number", "list_type": "a list",
                "int_parsing": "a whole number", "dict_type": "a mapping"}.get(kind)
    if expected:
        shape = {"text": "write plain text (quote it if it contains ': ')",
                 "a list": "write [a, b] or one '- item' per line",
                 "a mapping": "write 'key: value' lines"}.get(expected)
        return f"must be {expected}, got {_show(value)}", hint or shape or "write a number"
    return err["msg"][0].lower() + err["msg"][1:], hint or "see facts/schema.json"


def _show(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _dotted(loc: tuple) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _fields_at(model, loc: tuple) -> list[str]:
    """Field names of the (nested) model at `loc`, for 'did you mean' hints."""
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        args = typing.get_args(annotation) or (annotation,)
        model = next((a for a in args if hasattr(a, "model_fields")), None)
        if model is None:
            return []
    return list(model.model_fields)


def _did_you_mean(word: str, choices, fallback: str | None = None) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if fallback:
        return fallback
    return "allowed: " + ", ".join(choices) if choices else None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
