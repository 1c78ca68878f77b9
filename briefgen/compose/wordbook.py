"""The wordbook: every word a brief prints that no template line holds, by language.

The words live in `wording.toml` beside the templates (the desk's own, else the packaged one),
one table per language; the desk's `language` setting picks the table. It is read and checked
once per process (again only when the file changes), with located errors. Templates see the
table as `words`; the composer words dates, gradings, notes and the annex with it; every fixed
label a writer lays out comes from it through the brief model.
"""

from __future__ import annotations

import functools

import threading
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.compose.wording_patterns import pattern_problems
from briefgen.errors import BuildError, Diagnostic, DiagnosticsError, display_path

FILE_NAME = "wording.toml"
NBSP = "\u00a0"
# What every language table must hold, and what each value must be.
REQUIRED = {
    "months": list, "months_short": list, "date_day": str, "date_month": str, "date_year": str,
    "date_day_in_year": str, "date_month_in_year": str,
    "grading_separator": str, "kinds": dict, "attribution": dict, "labels": dict, "judgments": dict,
    "confidence": dict,
}
DATE_FORMS = ("full", "in_year", "short")


@dataclass(frozen=True)
class Wordbook:
    """One language's table of `wording.toml`; `where` names the file in messages."""

    table: dict
    language: str
    where: str = FILE_NAME
    _labels: dict = field(default_factory=dict, compare=False, repr=False)  # grading cache
    _dates: dict = field(default_factory=dict, compare=False, repr=False)  # date cache
    _typography: list = field(default_factory=list, compare=False, repr=False)  # made once

    def typeset(self, text: str) -> str:
        """What a fact file says, set in the language's quotation marks, apostrophes and range
        dashes (see compose.typography)."""
        if not self._typography:
            from briefgen.compose.typography import Typography

            self._typography.append(Typography(self.table.get("typography") or {}))
        return self._typography[0].apply(text)
    _judged: dict = field(default_factory=dict, compare=False, repr=False)  # by yardstick

    def get(self, *keys: str):
        """A nested value (`get("notes", "full")`); a located error names what is missing."""
        value = self.table
        for key in keys:
            if not isinstance(value, dict) or key not in value:
                raise BuildError(f"{self.where}: error: [{'.'.join(keys[:-1]) or 'en'}] has no "
                                 f"'{keys[-1]}' (hint: see the bundled {FILE_NAME})")
            value = value[key]
        return value

    def date(self, value, form: str = "full") -> str:
        """A PartialDate (or datetime.date) worded at its precision.

        "full": '4 June 2013', 'June 2013', '2013'; "in_year" leaves the year out ('4 June',
        'June', ''), for lines under a year heading; "short": '4 Jun 2013' where the table
        has short patterns.
        """
        worded = self._dates.get((value, form))
        if worded is None:
            worded = self._dates[value, form] = self._date(value, form)
        return worded

    def _date(self, value, form: str) -> str:
        day, month = getattr(value, "day", None), getattr(value, "month", None)
        fields = {"day": day, "year": value.year,
                  "month": self.table["months"][month - 1] if month else "",
                  "month_short": self.table["months_short"][month - 1] if month else ""}
        pattern = "date_day" if day else "date_month" if month else "date_year"
        if form == "in_year":
            return self.table[pattern + "_in_year"].format(**fields) if month else ""
        if form == "short" and month and f"{pattern}_short" in self.table:
            pattern += "_short"
        return self.get(pattern).format(**fields)

    def grading(self, grading: str, kind: str) -> str:
        """'C3 · assessment' with no-break spaces; just 'C2' when the kind is not shown."""
        label = self._labels.get((grading, kind))
        if label is None:
            shown = self.table["kinds"].get(kind, kind)
            label = grading + (self.table["grading_separator"] + shown if shown else "")
            label = self._labels[grading, kind] = label.replace(" ", NBSP)
        return label

    def attribution(self, who: str, kind: str) -> str:
        """'according to X', or as the kind of fact words it ('as X judged')."""
        table = self.table["attribution"]
        return table.get(kind, table["default"]).format(who=who)

    def judged_with(self, yardstick: str) -> Wordbook:
        """These words with the desk's likelihood yardstick as `likelihood` (printed terms),
        `likelihood_bands`, `likelihood_sentences` and `yardstick` (its name), so that every
        judgment, key and annex of a brief speaks one yardstick. A wording file without
        `yardsticks` (older desks) keeps its `likelihood` tables as ICD 203."""
        found = self._judged.get(yardstick)
        if found is None:
            scales = self.table.get("yardsticks", {})
            if yardstick not in scales and yardstick == "icd203" and "likelihood" in self.table:
                scale = {"name": "ICD 203", "terms": self.table["likelihood"],
                         "bands": self.table.get("likelihood_bands", {})}
            else:
                scale = self.get("yardsticks", yardstick)
            table = {**self.table, "likelihood": scale.get("terms", {}),
                     "likelihood_bands": scale.get("bands", {}),
                     "likelihood_sentences": scale.get("sentences", {}),
                     "yardstick": scale.get("name", yardstick)}
            key = self.table.get("key")
            if isinstance(key, dict) and isinstance(key.get("likelihood"), str):
                table["key"] = {**key, "likelihood": key["likelihood"].format(
                    yardstick=table["yardstick"])}
            table["judgment_key"] = self._judgment_key(table)
            found = self._judged[yardstick] = Wordbook(table, self.language, self.where)
        return found

    def _judgment_key(self, table: dict) -> dict:
        """The key under a brief's first judgments, worded: its title, the yardstick's terms
        with their bands, the confidence levels with what they mean ({} without words)."""
        key = self.table.get("judgments", {}).get("key")
        if not isinstance(key, dict):
            return {}
        terms = key["term_separator"].join(
            key["term"].format(term=table["likelihood"].get(t, t), band=band).replace(" ", NBSP)
            for t, band in table["likelihood_bands"].items())
        levels = key["level_separator"].join(
            key["level"].format(level=table["confidence"].get(c, c), meaning=meaning)
            for c, meaning in self.table.get("confidence_meanings", {}).items())
        return {"title": key["title"],
                "likelihood": key["likelihood"].format(yardstick=table["yardstick"], terms=terms),
                "confidence": key["confidence"].format(levels=levels)}

    def judgment_label(self, likelihood: str, confidence: str) -> str:
        return self.table["judgments"]["label"].format(
            likelihood=self.table["likelihood"].get(likelihood, likelihood),
            confidence=self.table["confidence"].get(confidence, confidence))

    def reliability(self, letter: str) -> str:
        """What a source reliability letter means ('usually reliable'); '' if not worded."""
        return self.table.get("reliability", {}).get(letter, "")

    def credibility(self, digit: int | str) -> str:
        return self.table.get("credibility", {}).get(str(digit), "")

    @property
    def labels(self) -> dict:
        return dict(self.get("labels"))


_LOADED: dict = {}  # (file, its stamp, language, settings file) -> Wordbook
_LOADING = threading.Lock()


def load_wordbook(templates: Path | None, language: str,
                  settings_file: Path | None = None) -> Wordbook:
    """The table for `language` (or its primary tag: 'en-GB' falls back to 'en').

    `settings_file`: the desk's briefgen.toml, which chose the language; a language without
    words is reported there, at its `language` value, where it was most likely mistyped.
    """
    from briefgen.resources import template

    path = template(templates, FILE_NAME)  # the desk's own, else the packaged one
    try:
        st = path.stat()
        key = (path, st.st_mtime_ns, st.st_size, st.st_ino, language, settings_file, templates)
    except OSError:
        key = None
    with _LOADING:
        found = _LOADED.get(key) if key else None
    if found is None:
        found = _read(path, templates, language, settings_file)
        if key:
            with _LOADING:
                if len(_LOADED) > 32:
                    _LOADED.clear()
                _LOADED[key] = found
    return found


def _read(path: Path, templates: Path | None, language: str,
          settings_file: Path | None) -> Wordbook:
    from briefgen.factbase.settings import (TomlPlaces, refused_characters, toml_module,
                                            toml_position)
    from briefgen.resources import shown as packaged

    tomllib = toml_module()
    shown = packaged(path) or display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) else f"not UTF-8 text ({e.reason})"
        raise _fail([Diagnostic(shown, 1, 1, "error", f"cannot be read: {reason}")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line, col, message = toml_position(str(e))
        raise _fail([Diagnostic(shown, line, col, "error",
                                f"not valid TOML: {message}")]) from None
    places = TomlPlaces(text)
    refused = refused_characters(shown, places, data, text, FILE_NAME)
    if refused:
        raise _fail(refused)
    chosen = language if language in data else language.split("-")[0].lower()
    if chosen not in data and settings_file is not None:
        raise _wrong_language(settings_file, language, list(data), path, templates)
    if chosen not in data:
        hint = f"add a [{language}] table like [en]; tables: " + ", ".join(data)
        if packaged(path):  # not a file of the desk: say where the desk's own copy goes
            hint = (f"copy it to {display_path(Path(templates or '.') / FILE_NAME)} and "
                    f"{hint}; or set language in briefgen.toml to one of its tables")
        raise _fail([Diagnostic(shown, 1, 1, "error", f"no words for language '{language}'",
                                hint=hint)])
    mistyped = _mistyped_keys(data[chosen])
    problems = [Diagnostic(shown, *places.key((chosen, *loc)), "error",
                           f"[{'.'.join((chosen, *loc[:-1]))}] {loc[-1]} is not a key of "
                           "wording.toml", hint=f"did you mean '{known}'?")
                for loc, known in mistyped]
    meant = {(*loc[:-1], known) for loc, known in mistyped}
    table = _with_newer_words(data[chosen], chosen, path)
    for key, kind in REQUIRED.items():
        if (key,) in meant:
            continue  # said at the mistyped key
        if not isinstance(table.get(key), kind):
            line, col = places.value((chosen, key)) if key in table else places.key((chosen,))
            what = "is missing" if key not in table else f"must be a {kind.__name__}"
            problems.append(Diagnostic(shown, line, col, "error", f"[{chosen}] {key} {what}",
                                       hint="see the [en] table of the bundled wording.toml"))
    for key in ("months", "months_short"):
        if isinstance(table.get(key), list) and len(table[key]) != 12:
            problems.append(Diagnostic(shown, *places.value((chosen, key)), "error",
                                       f"[{chosen}] {key} must name 12 months"))
    reported = {d.line for d in problems}
    for loc, message, hint in pattern_problems(table):
        line, col = places.value((chosen, *loc))
        if line not in reported:  # a required key of the wrong type is said once
            where = ".".join((chosen, *loc[:-1]))
            problems.append(Diagnostic(shown, line, col, "error",
                                       f"[{where}] {loc[-1]} {message}", hint=hint))
    if problems:
        raise _fail(problems)
    return Wordbook(table, chosen, shown)


NEWER = (("brief",), ("notes", "translation"), ("notes", "translation_by"))


def _mistyped_keys(table: dict, known: dict | None = None, loc: tuple = ()) -> list:
    """(where, the key meant) for each key of a desk's table that is not a key of the packaged
    [en] table but nearly is one the desk's table lacks: a typo that would leave the words
    briefgen prints unchanged. Keys unlike any known one are the desk's own words, for its
    own templates, and pass."""
    from briefgen.suggest import closest

    if known is None:
        known = _packaged_en()
    found = []
    for key, value in table.items():
        if key in known:
            if isinstance(value, dict) and isinstance(known[key], dict):
                found += _mistyped_keys(value, known[key], (*loc, key))
            continue
        close = closest(key, [k for k in known if k not in table])
        if close is not None and _near(key, close):
            found.append(((*loc, key), close))
    return found


def _near(typed: str, known: str) -> bool:
    """Two keys a slip of the keyboard apart: at most two edits, transpositions counted once."""
    from rapidfuzz.distance import OSA

    return OSA.distance(typed, known) <= min(2, max(1, len(known) // 4))


@functools.lru_cache(maxsize=1)
def _packaged_en() -> dict:
    from briefgen.factbase.settings import toml_module
    from briefgen.resources import template

    return toml_module().loads(template(None, FILE_NAME).read_text(encoding="utf-8"))["en"]


def _with_newer_words(table: dict, language: str, path: Path) -> dict:
    """A desk's table with the words briefgen added after the desk copied the file (the
    bundled templates' own words, the translation note) taken from the packaged table of the
    same language, else of [en]: an older copy keeps working."""
    from briefgen.factbase.settings import toml_module
    from briefgen.resources import template

    missing = [keys for keys in NEWER if not _has(table, keys)]
    packaged = template(None, FILE_NAME)
    if not missing or Path(path) == packaged:
        return table
    defaults = toml_module().loads(packaged.read_text(encoding="utf-8"))
    source = defaults.get(language, defaults["en"])
    table = {**table, **{k: dict(v) for k, v in table.items() if isinstance(v, dict)}}
    for keys in missing:
        into = table
        for key in keys[:-1]:
            into = into.setdefault(key, {})
        value = source
        for key in keys:
            value = value[key]
        into[keys[-1]] = value
    return table


def _has(table: dict, keys: tuple) -> bool:
    for key in keys:
        if not isinstance(table, dict) or key not in table:
            return False
        table = table[key]
    return True


def _wrong_language(settings_file: Path, language: str, tables: list[str], path: Path,
                    templates: Path | None) -> DiagnosticsError:
    """`briefgen.toml:L:C: error: desk.language: no words for language 'fr' (hint: ...)`."""
    from briefgen.factbase.settings import FILE_NAME as SETTINGS, TomlPlaces
    from briefgen.resources import shown as packaged

    place = TomlPlaces(Path(settings_file).read_text(encoding="utf-8")).value(("desk", "language"))
    desk_copy = display_path(Path(templates or ".") / FILE_NAME)
    if packaged(path):
        where, more = "", (f"copy the packaged {FILE_NAME} to {desk_copy} and add a "
                           f"[{language}] table like [en]")
    else:
        where, more = f" in {desk_copy}", f"add a [{language}] table like [en] to it"
    hint = f"languages with words: {', '.join(tables)}; or {more}"
    return DiagnosticsError([Diagnostic(display_path(settings_file), *place, "error",
                                        f"no words for language '{language}'{where}",
                                        field="desk.language", hint=hint)], what=SETTINGS)


def _fail(problems: list[Diagnostic]) -> DiagnosticsError:
    return DiagnosticsError(problems, what=FILE_NAME)
