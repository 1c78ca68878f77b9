"""Load a fact base: every YAML file under facts/, validated, cross-checked and quote-verified."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.characters import clip
from briefgen.desk import require_folder
from briefgen.errors import Diagnostic, DiagnosticsError, count, display_path
from briefgen.factbase.files import helper_for, parse_files
from briefgen.factbase.models import Fact, Judgment, Source, Theme
from briefgen.factbase.quotes import Miss, Verified
from briefgen.factbase.texts import Texts, archived_path
from briefgen.factbase.yamlpos import load
from briefgen.suggest import did_you_mean

MAX_STATEMENT_WORDS = 60
# A statement is one line of a brief; past this many characters (some 15,000 words) it is not
# one, and the writers' own bounds (a Word text node, an e-mail template's value) come next.
MAX_STATEMENT_CHARS = 100_000
ATTRIBUTED_KINDS = ("statement", "allegation", "assessment")  # someone's view, not an event


@dataclass(frozen=True)
class Location:
    path: str
    line: int
    col: int


@dataclass
class FactBase:
    """Validated sources, themes, facts and judgments in file order, and all that is wrong."""

    root: Path
    sources: dict[str, Source] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)
    facts: dict[str, Fact] = field(default_factory=dict)
    judgments: dict[str, Judgment] = field(default_factory=dict)
    where: dict[tuple[str, str], Location] = field(default_factory=dict)  # (kind, id) -> item
    verified: dict[tuple[str, int], Verified] = field(default_factory=dict)  # (fact id, n)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    settings: object = None  # the desk's Settings (briefgen.toml beside the fact base)
    readers: int | None = None  # readers checked with it (`briefgen check`), for the summary
    settings_file: Path | None = None  # where the settings came from (for the summary line)
    lines: object = None  # corroboration.Lines: the sources that are one line of reporting
    # analysis.grounds: judgment id -> the facts beneath it, filled as asked (a copy of the
    # base made with dataclasses.replace starts empty)
    grounds_table: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def raise_for_errors(self, strict: bool = False, labels: dict[str, str] | None = None
                         ) -> None:
        """Raise with every diagnostic when there is an error (or, if strict, a warning).

        The summary names the files the diagnostics are in: the fact base, briefgen.toml, or a
        file of `labels` (displayed path -> what it is, e.g. "readers file"), as "fact base and
        ... have".
        """
        if self.errors or (strict and self.diagnostics):
            raise DiagnosticsError(self.diagnostics, what=self._failed(labels or {}))

    def _failed(self, labels: dict[str, str]) -> str:
        from briefgen.factbase.settings import FILE_NAME

        if self.settings_file is not None:
            labels = {display_path(self.settings_file): FILE_NAME, **labels}
        # Every file that has something to say is named, so the counts add up to what it says.
        parts = dict.fromkeys(labels.get(d.path, "fact base") for d in self.diagnostics)
        order = ["fact base", FILE_NAME, *dict.fromkeys(labels.values())]
        return " and ".join(sorted(parts, key=order.index))

    def summary(self, more_warnings: int = 0) -> str:
        """One line for stderr: what was checked and what was found."""
        def n(items, word):
            return f"{len(items)} {word}{'s' * (len(items) != 1)}"
        found = count(self.diagnostics)
        if more_warnings:
            errors = len(self.errors)
            warnings = len(self.warnings) + more_warnings
            found = (f"{errors} error{'s' * (errors != 1)}, "
                     f"{warnings} warning{'s' * (warnings != 1)}")
        judged = f"{n(self.judgments, 'judgment')}, " if self.judgments else ""
        readers = "" if self.readers is None else \
            f", {self.readers} reader{'s' * (self.readers != 1)}"
        return (f"checked {n(self.facts, 'fact')}, {judged}{n(self.sources, 'source')}, "
                f"{n(self.themes, 'theme')}{readers}: {found}")


LIKE = 60  # % of similarity below which the closest passage is no help: not shown


def load_factbase(facts_dir: Path, cache: dict | None = None,
                  settings_file: Path | None = None) -> FactBase:
    """Read and check every `*.yaml` under `facts_dir`; problems are collected, not raised.

    With a `cache` (a dict kept by a long-running process, `briefgen watch`), a file whose
    size, inode and modification time are unchanged since the last call is not parsed again.
    `settings_file`: the desk's briefgen.toml, checked with the facts (default: the one of the
    desk around `facts_dir`).
    """
    from briefgen.factbase.settings import read_settings, settings_path

    facts_dir = require_folder(facts_dir)
    base = FactBase(root=facts_dir)
    loader = _Loader(base, cache)
    for path in sorted(facts_dir.rglob("*.yml")):
        base.diagnostics.append(Diagnostic(display_path(path), 1, 1, "warning",
                                           "ignored: fact files must end in .yaml",
                                           hint="rename it to .yaml"))
    paths = _fact_files(facts_dir, base.diagnostics)
    loader.unread = bool(base.errors)  # a .yaml file that is not read: its items are missing
    # A large base gets a forked helper that parses part of the files, then reads, folds and
    # verifies part of the archived texts (without a cache: `watch` keeps texts folded).
    pool = helper_for(paths) if cache is None else None
    base.settings_file = settings_file or settings_path(facts_dir)
    base.settings, problems = read_settings(base.settings_file)  # checked with the facts
    # judgments are held to the desk's yardstick; to neither alone while the file is wrong
    loader.yardstick = None if problems else base.settings.desk.yardstick
    with pool or contextlib.nullcontext():
        for path, events in zip(paths, _parsed(paths, cache, pool), strict=True):
            loader.merge(path, events)
        loader.cross_check(pool)
    base.diagnostics += problems
    return base


def load_sources(facts_dir: Path) -> tuple[dict[str, Source], int]:
    """The valid sources of the fact base, read the one way fact files are read but without
    the checks of the whole base (for `quote` and `source add`: fast), and how many fact files
    that may hold sources could not be read."""
    import re

    def may_hold_sources(path: Path) -> bool:
        try:
            return re.search(rb"^sources\s*:", path.read_bytes(), re.M) is not None
        except OSError:
            return True  # parsed, to say why it cannot be read

    paths = [p for p in _fact_files(require_folder(facts_dir), []) if may_hold_sources(p)]
    sources: dict[str, Source] = {}
    unread = 0
    for events in parse_files(paths):
        unread += any(event[0] == "unread" for event in events)
        for event in events:
            if event[0] == "item" and event[1] == "sources":
                sources.setdefault(event[2].id, event[2])
    return sources, unread


# Nouns that read well without an article ("according to state media").
_MASS_NOUNS = frozenset("media police intelligence press staff personnel military-intelligence "
                        "leadership".split())
_DETERMINERS = frozenset("the a an this that these those his her its their our my your "
                         "one two several some many".split())


_PHRASE_ENDS = frozenset("of the a an that who which whom via by cited not in at from with "
                         "for on and or to".split())


def bare_noun(who: str) -> str | None:
    """`who` when its head noun is a singular common noun without its article ('Russian
    government', 'army'), else None: after 'according to' it needs 'the'. The head is the last
    word before the phrase goes on ('officials' of 'officials of the GNA')."""
    words = who.replace(",", " ,").split()
    if not words or words[0].casefold() in _DETERMINERS:
        return None
    phrase = [words[0]]
    for word in words[1:]:
        if word == "," or word.casefold() in _PHRASE_ENDS:
            break
        phrase.append(word)
    head = phrase[-1]  # 'sources close (to ...)': a plural before counts as the head
    if not head.isalpha() or not head.islower() or head in _MASS_NOUNS or \
            any(w.islower() and w.endswith("s") for w in phrase):
        return None
    return who


def fact_files(facts_dir: Path) -> list[Path]:
    """Every fact file of the base that can be read, as `check` finds them (for the commands
    that edit them: `source rename`)."""
    return _fact_files(require_folder(facts_dir), [])


def _fact_files(facts_dir: Path, diagnostics: list[Diagnostic]) -> list[Path]:
    """Every `*.yaml` under `facts_dir` that is a regular file inside it; each other one (a
    folder, a FIFO, a broken or looping link, a link out of the folder) is a located error,
    and is never opened."""
    root = facts_dir.resolve()
    paths = []
    for path in sorted(facts_dir.rglob("*.yaml")):
        problem = _not_a_fact_file(path, root)
        if problem:
            diagnostics.append(Diagnostic(display_path(path), 1, 1, "error",
                                          f"not read: {problem[0]}", hint=problem[1]))
        else:
            paths.append(path)
    return paths


def _not_a_fact_file(path: Path, root: Path) -> tuple[str, str] | None:
    """(message, hint) when `path` must not be read as a fact file, else None."""
    import errno
    import os
    import stat

    try:
        mode = path.stat().st_mode
    except OSError as e:
        if e.errno == errno.ELOOP:
            return ("a symbolic link that loops", "point the link at a fact file, or remove it")
        if e.errno == errno.ENOENT and path.is_symlink():
            return (f"a link to '{os.readlink(path)}', which does not exist",
                    "point the link at a fact file, or remove it")
        return f"cannot be read: {e.strerror}", "check the file's permissions"
    if stat.S_ISDIR(mode):
        return ("a folder named like a fact file",
                "rename it: only fact files may end in .yaml")
    if not stat.S_ISREG(mode):
        return ("not a regular file (a pipe, socket or device)",
                "only plain files are read as fact files: remove it")
    if not path.resolve().is_relative_to(root):  # through a link to the file or a folder
        return ("a link to a file outside the facts folder",
                "move or copy the file into the facts folder")  # never read: could be a secret
    return None
def _primary(language: str) -> str:
    """'en' of 'en-GB': the language, without its region or script."""
    return language.split("-")[0].lower()


def _parsed(paths: list[Path], cache: dict | None, pool=None):
    """Each file's parse events, from the cache when the file has not changed since."""
    if cache is None:
        yield from parse_files(paths, pool)
        return
    stamps = {}
    for path in paths:
        try:
            st = path.stat()
            stamps[path] = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            stamps[path] = None  # parsed (and reported) every time
    stale = [p for p in paths if stamps[p] is None or cache.get(p, (None,))[0] != stamps[p]]
    for path, events in zip(stale, parse_files(stale), strict=True):
        cache[path] = (stamps[path], events)
    for path in [p for p in cache if isinstance(p, Path) and p not in stamps]:
        del cache[path]
    for path in paths:
        yield cache[path][1]


class _Docs(dict):
    """File -> YamlDoc; a file parsed by the helper process is read again when first asked."""

    def __init__(self):
        super().__init__()
        self.paths: dict[str, Path] = {}

    def __missing__(self, file: str) -> _LazyDoc:
        doc = self[file] = _LazyDoc(self.paths[file])
        return doc


class _LazyDoc:
    """The positions of a file parsed elsewhere: those the helper sent (`shipped`, packed),
    else the file read again, only if a problem is reported where no shipped one is."""

    def __init__(self, path: Path, shipped: bytes | None = None):
        self.path, self.doc, self.shipped, self.table = path, None, shipped, None

    def pos(self, path: tuple, key: bool = False) -> tuple[int, int]:
        if self.doc is None and not key and self.shipped is not None:
            if self.table is None:
                import pickle
                self.table = pickle.loads(self.shipped)
            found = self.table.get(path)
            if found is not None:
                return found
        if self.doc is None:
            self.doc = load(self.path, refuse_hidden=True)  # as parsed: same positions
        return self.doc.pos(path, key)


class _Loader:
    """Merges parsed files into the base in file order, then checks the base as a whole."""

    def __init__(self, base: FactBase, cache: dict | None = None):
        self.cache = cache  # also archived texts, folded, by file: see load_factbase
        self.base = base
        self.docs = _Docs()
        self.paths: dict[tuple[str, str], tuple[str, tuple]] = {}  # (kind, id) -> (file, path)
        self.id_pos: dict[tuple[str, str], tuple[int, int]] = {}  # (kind, id) -> its id's place
        self.invalid: set[tuple[str, str]] = set()  # items reported invalid: not "undefined"
        self.unread = False  # a file (or a top-level key) could not be read: items are missing
        # sources and themes named by items left out (invalid or duplicate): not unused
        self.referred: tuple[set[str], set[str]] = (set(), set())
        self.yardstick: str | None = "icd203"  # the desk's likelihood terms (None: either)

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
            elif tag == "unread":
                self.unread = True
            elif tag == "refers":
                self.referred[0].update(event[1][0])
                self.referred[1].update(event[1][1])
            elif isinstance(event[1], bytes):  # "doc" parsed by the helper: some positions
                self.docs[file] = _LazyDoc(path, event[1])
            elif event[1] is not None:
                self.docs[file] = event[1]

    def add_item(self, file: str, kind: str, obj, path: tuple, pos: tuple, id_pos: tuple) -> None:
        key = (kind, obj.id)
        if key in self.paths:
            other_file = self.paths[key][0]
            line, col = self.id_pos[key]
            self.report(file, id_pos, f"duplicate {kind[:-1]} id (also at {other_file}:{line}:"
                        f"{col})", id=obj.id, field="id",
                        hint="ids must be unique across all files: rename one")
            if kind == "facts":
                self.referred[0].update(c.source for c in obj.citations)
                self.referred[1].update(obj.themes)
            return
        self.paths[key] = (file, path)
        self.id_pos[key] = id_pos
        self.base.where[key] = Location(file, *pos)
        getattr(self.base, kind)[obj.id] = obj

    def cross_check(self, pool=None) -> None:
        """References, source files, quotes, and the warnings that need the whole base."""
        base = self.base
        cited, themed = set(self.referred[0]), set(self.referred[1])
        texts = self.source_texts(pool)
        for fid, fact in base.facts.items():
            file, path = self.paths[("facts", fid)]
            doc = self.docs[file]
            for i, theme in enumerate(fact.themes):
                themed.add(theme)
                if theme not in base.themes and ("themes", theme) not in self.invalid:
                    self.report(file, doc.pos(path + ("themes", i)), f"unknown theme '{theme}'",
                                id=fid, field=f"themes[{i}]",
                                hint=did_you_mean(theme, base.themes, "define it under 'themes:'"))
            for n, citation in enumerate(fact.citations):
                where = path + ("citations", n)
                cited.add(citation.source)
                if citation.source not in base.sources:
                    if ("sources", citation.source) in self.invalid:
                        continue  # the source's own errors are reported where it stands
                    self.report(file, doc.pos(where + ("source",)),
                                f"unknown source '{citation.source}'", id=fid,
                                field=f"citations[{n}].source",
                                hint=did_you_mean(citation.source, base.sources,
                                                   "define it under 'sources:'"))
                    continue
                self.check_quote(file, doc, where, fid, n, citation, texts)
            self.check_fact_warnings(file, doc, path, fid, fact)
        from briefgen.factbase import corroboration
        from briefgen.factbase.analysis import check_judgments, check_sources
        check_sources(self)
        check_judgments(self, themed)
        base.lines = corroboration.lines_of_reporting(
            {sid: texts.signatures[sid] for sid in base.sources if sid in texts.signatures})
        corroboration.check(self, texts, base.lines)
        if self.unread:  # the facts citing a source or filling a theme may be the unread ones
            return
        for kind, used, message, hint in (
                ("sources", cited, "source is cited by no fact", "cite it or remove it"),
                ("themes", themed, "theme has no facts", "add facts to it or remove it")):
            for item_id in getattr(base, kind):
                if item_id not in used:
                    file, path = self.paths[(kind, item_id)]
                    self.report(file, self.docs[file].pos(path + ("id",)), message, id=item_id,
                                hint=hint, severity="warning")

    def source_texts(self, pool=None) -> Texts:
        """Each source's archived text, read and folded (on a large base partly by the helper);
        what is wrong with a source's file is reported at its `file:`, in source order."""
        targets, sizes, problems = {}, {}, {}
        root = self.base.root.resolve()
        for sid, source in self.base.sources.items():
            target, found = archived_path(root, source.file)
            if target is None:
                problems[sid] = found
            else:
                targets[sid], sizes[sid] = target, found
        quotes = [(c.source, c.quote) for fact in self.base.facts.values()
                  for c in fact.citations if c.source in targets]
        texts = Texts(targets, self.cache, pool, quotes, sizes)
        for sid, source in self.base.sources.items():
            problem = problems.get(sid) or texts.problems.get(sid)
            if problem:
                file, path = self.paths[("sources", sid)]
                self.report(file, self.docs[file].pos(path + ("file",)),
                            f"file '{source.file}' {problem[0]}", id=sid, field="file",
                            hint=problem[1])
        return texts

    def check_quote(self, file, doc, where, fid, n, citation, texts: Texts) -> None:
        sid = citation.source
        if not texts.readable(sid):
            return  # the source's own problem is reported once, at the source
        result = texts.outcomes.get((sid, citation.quote))
        if result is None:  # not found, or not verified yet (cached bases): see why, here
            result = texts.text(sid).verify(citation.quote)
        if isinstance(result, Verified):
            self.base.verified[(fid, n)] = result
            return
        hint = "copy the passage verbatim from the archived text"
        text = texts.text(sid)
        elsewhere = None if result.reason.startswith("quote has") else next(
            (other for other in self.base.sources if texts.readable(other)
             and texts.text(other) is not text and texts.text(other).contains(citation.quote)),
            None)
        if elsewhere:
            hint = f"found in source '{elsewhere}'; did you cite the wrong source?"
        elif isinstance(result, Miss) and result.closest and result.similarity < LIKE:
            hint = (f"no passage of the source is like it (the closest is "
                    f"{result.similarity:.0f}% similar): is the quote from another source, or "
                    "written from memory? copy the passage verbatim from the archived text")
        elif isinstance(result, Miss) and result.closest:
            where_ = f"{result.changes}; " if result.changes else ""
            hint = (f"{where_}closest passage ({result.similarity:.0f}% similar): "
                    f"“{result.marked or clip(result.closest, 160)}”")
        self.report(file, doc.pos(where + ("quote",)), result.reason, id=fid,
                    field=f"citations[{n}].quote", hint=hint)

    def statement_too_long(self, file, doc, path, item_id: str, statement: str) -> bool:
        """An error at a fact's or judgment's statement longer than MAX_STATEMENT_CHARS."""
        if len(statement) <= MAX_STATEMENT_CHARS:
            return False
        self.report(file, doc.pos(path + ("statement",)),
                    f"statement has {len(statement):,} characters; a statement may have at "
                    f"most {MAX_STATEMENT_CHARS:,}", id=item_id, field="statement",
                    hint=f"a brief line has at most {MAX_STATEMENT_WORDS} words: split it into "
                         "facts, and quote the long text from its source")
        return True

    def check_fact_warnings(self, file, doc, path, fid, fact: Fact) -> None:
        desk = _primary(getattr(getattr(self.base.settings, "desk", None), "language", "en"))
        for n, citation in enumerate(fact.citations):
            source = self.base.sources.get(citation.source)
            if source and not citation.translation and _primary(source.language) != desk \
                    and not fact.retracted:
                self.report(file, doc.pos(path + ("citations", n, "quote")),
                            f"quote in '{source.language}' has no translation into '{desk}'",
                            id=fid, field=f"citations[{n}].quote", severity="warning",
                            hint="add 'translation:' under the quote: the desk's translation, "
                                 "printed after the original (and 'translator:' if someone "
                                 "else made it)")
            if source and fact.date.first_day > source.published.last_day:
                self.report(file, doc.pos(path + ("date",)),
                            f"dated {fact.date} but source '{source.id}' was published "
                            f"{source.published}", id=fid, field="date",
                            hint="a source cannot report what happened after it",
                            severity="warning")
        words = len(fact.statement.split())
        if not self.statement_too_long(file, doc, path, fid, fact.statement) and \
                words > MAX_STATEMENT_WORDS:
            self.report(file, doc.pos(path + ("statement",)),
                        f"statement has {words} words; a brief line has at most "
                        f"{MAX_STATEMENT_WORDS}", id=fid, field="statement",
                        hint="split it into two facts", severity="warning")
        bare = bare_noun(fact.attributed_to or "") if desk == "en" else None  # English grammar
        if bare:
            self.report(file, doc.pos(path + ("attributed_to",)),
                        f"attributed_to '{fact.attributed_to}' lacks its article: a line reads "
                        f"'according to {fact.attributed_to}'", id=fid, field="attributed_to",
                        hint=f"write it as a reader would say it, e.g. 'the {bare}'",
                        severity="warning")
        if fact.kind in ATTRIBUTED_KINDS and not fact.attributed_to:
            # A reader must be able to tell a party's claim or a source's analysis from an event.
            self.report(file, doc.pos(path + ("kind",)),
                        f"{fact.kind} fact has no attributed_to", id=fid, field="kind",
                        hint=f"add 'attributed_to:' naming whose {fact.kind} it is: "
                             "a person, a body or a publication",
                        severity="warning")
