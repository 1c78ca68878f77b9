"""The apparatus of a brief: its notes, source list, grading key and judgment basis, worded.

Composed once here for every writer, so the Word footnotes and the PDF notes say the same
thing, with the words of the desk's wordbook (`wording.toml`). What a source does not state is
left out, never printed as "none"; the readers' edition shows no fact ids or archived file
names, the annotated (review) edition adds them with a SHA-256 prefix of the archived text.
"""

from __future__ import annotations

from pathlib import Path
from string import Formatter

from briefgen.compose.model import Block, Cell, Run
from briefgen.compose.wordbook import NBSP, Wordbook

SHA_PREFIX = 12  # hex digits of the archived text's SHA-256 shown in the annotated edition
_FIELDS = Formatter()


class Apparatus:
    """Notes, annex entries and the grading key of one brief, in one language."""

    def __init__(self, words: Wordbook, annotated: bool = False):
        self.words, self.annotated = words, annotated
        self.get = words.get
        # Worded once per compose and shared: a source's fields and note reference (every later
        # citation of a source repeats its short reference), the runs around a quote. A source
        # is known by id(source); the source is kept with what is cached for it, so that its
        # id stays its own.
        self._fields: dict[int, tuple[object, dict[str, str]]] = {}  # id -> (source, fields)
        self._refs: dict[tuple, tuple[object, Run]] = {}  # id, first, anchor -> (source, run)
        self._frames: dict[str, tuple[Run, Run]] = {}  # quote pattern -> runs around the quote
        self._quotes: dict[str, Run] = {}  # quote -> its run, the same in the note and the annex
        # quotation marks inside a quote print as the inner kind ("“" -> "‘"): no ““...” ”
        self._inner = str.maketrans(words.table.get("inner_quotes") or {})

    # --- notes ---------------------------------------------------------------------------------

    def citation(self, source, quote: str, fact_id: str, first: bool, anchor: str,
                 same_as: int | None = None, translation: str = "", translator: str = ""
                 ) -> list[Run]:
        """One citation of a note: the source (in full the first time a note names it, short
        after), leading to its annex entry `anchor`; then the exact quote in its own language
        and script, and its translation if it has one (the desk's, or `translator`'s); or,
        when an earlier note printed that quote, the number of that note."""
        key = (id(source), first, anchor)
        cached = self._refs.get(key)
        if cached is None:
            text = _items(self.get("notes", "full" if first else "short"),
                          self.get("notes", "separator"), self._source_fields(source))
            ref = Run(text + self.get("notes", "end") if text else "", link="#" + anchor)
            cached = self._refs[key] = (source, ref)
        if same_as is None:
            runs = [cached[1], *self._quoted(self.get("notes", "quote"), quote)]
            if translation:
                pattern = self.get("notes", "translation_by" if translator else "translation")
                before, _, after = pattern.partition("{translation}")
                runs += [Run(before.format(translator=translator)), Run(translation),
                         Run(after.format(translator=translator))]
        else:
            runs = [cached[1], *self._numbers(self.get("notes", "same"), [same_as])]
        if self.annotated:
            runs.append(Run(self.get("notes", "annotated").format(fact=fact_id)))
        return runs

    def note(self, citations: list[list[Run]], lines: tuple[int, ...] = ()) -> tuple[Run, ...]:
        """A line's note: its citations one after the other; a judgment's note first names the
        notes of the lines it rests on (`lines`), whose quotes it does not print again."""
        runs: list[Run] = []
        if lines:
            pattern = self.get("notes", "rests_on" if len(lines) > 1 else "rests_on_one")
            runs += self._numbers(pattern, list(lines))
        for i, part in enumerate(citations):
            if i:
                runs.append(Run(self.get("notes", "between")))
            runs += part
        if runs and runs[-1].text != runs[-1].text.rstrip():  # "Rests on ... 7. " ends it
            runs[-1] = Run(runs[-1].text.rstrip())
        return tuple(r for r in runs if r.text)

    def _numbers(self, pattern: str, numbers: list[int]) -> list[Run]:
        """`pattern` with `{note}`/`{notes}` as the note numbers, each a link to its note:
        "notes 3, 5 and 7"."""
        field = "{notes}" if "{notes}" in pattern else "{note}"
        before, _, after = pattern.partition(field)
        runs = [Run(before)]
        for i, number in enumerate(numbers):
            if i:
                runs.append(Run(self.get("notes", "and") if i == len(numbers) - 1
                                else self.get("notes", "list_separator")))
            runs.append(Run(str(number), link=f"#note_{number}"))
        runs.append(Run(after))
        return runs

    # --- annex ---------------------------------------------------------------------------------

    def label(self, number: int) -> str:
        """The label of the source list's entry `number`: "S3"."""
        return self.get("annex", "label").format(number=number)

    def entry(self, source, quotes: dict[str, list[str]], sha256: str, notes: list[int] = ()
              ) -> tuple[tuple[Run, ...], tuple[tuple[Run, ...], ...]]:
        """An entry of the source list as (heading, lines): what the source states, where it
        leads, and the notes that quote it (the review edition: the quotes themselves, with
        their facts)."""
        fields = self._source_fields(source)
        heading = (Run(_items(self.get("annex", "heading"),
                              self.get("annex", "heading_separator"), fields)),)
        lines: list[tuple[Run, ...]] = []
        details = _items(self.get("annex", "details"), self.get("annex", "details_separator"),
                         {**fields, "archived": self.archived(source)})
        if details:
            lines.append((Run(details),))
        if source.url:
            lines.append((Run(self.get("annex", "url").format(url=source.url), link=source.url),))
        if self.annotated:
            for quote, fact_ids in quotes.items():
                runs = self._quoted(self.get("annex", "quote"), quote)
                cited = self.get("annex", "cited_by").format(facts=", ".join(fact_ids))
                runs.append(Run(" " + cited.replace(" ", NBSP, 1)))
                lines.append(tuple(r for r in runs if r.text))
            lines.append((Run(self.get("annex", "archive").format(
                file=Path(source.file).name, sha256=sha256[:SHA_PREFIX])),))
        elif notes:
            pattern = self.get("annex", "quoted_in" if len(notes) > 1 else "quoted_in_one")
            lines.append(tuple(r for r in self._numbers(pattern, list(notes)) if r.text))
        return heading, tuple(lines)

    def archived(self, source) -> str:
        """When the source's archived copy was made, worded; "" when its fact file does not say
        (the archived text's modification date is not it: a copy or a checkout changes it)."""
        archived = getattr(source, "archived", None)
        return self.words.date(archived) if archived else ""

    def _quoted(self, pattern: str, quote: str) -> list[Run]:
        """The quote pattern as runs, the quote itself in italics."""
        frame = self._frames.get(pattern)
        if frame is None:
            before, _, after = pattern.partition("{quote}")
            frame = self._frames[pattern] = (Run(before), Run(after))
        run = self._quotes.get(quote)
        if run is None:
            shown = self.words.typeset(quote.translate(self._inner))
            run = self._quotes[quote] = Run(shown, italic=True)
        return [frame[0], run, frame[1]]

    def _source_fields(self, source) -> dict[str, str]:
        cached = self._fields.get(id(source))
        if cached is None:
            cached = self._fields[id(source)] = (source, self._worded_fields(source))
        return cached[1]

    def _worded_fields(self, source) -> dict[str, str]:
        letter = source.reliability
        typeset = self.words.typeset
        publisher = typeset(source.publisher)
        short = typeset(getattr(source, "publisher_short", None) or source.publisher)
        original = getattr(source, "publisher_original", None)
        if original:  # "Future Center (مركز المستقبل)": the name and the name in its script
            publisher = self.get("notes", "name_with_original").format(name=publisher,
                                                                       original=original)
        return {"publisher": publisher, "publisher_short": short,
                "title": typeset(source.title),
                "author": typeset(source.author or ""), "date": self.words.date(source.published),
                "date_short": self.words.date(source.published, "short"),
                "reliability": letter, "reliability_meaning": self.words.reliability(letter)}

    def grading_key(self, judgments: bool = False) -> tuple[Block, ...]:
        """The grading key in full: its heading, what a grading says, a table of the Admiralty
        scales (and, with judgments, the likelihood terms with their probability bands), one
        column each, and the kinds of fact."""
        key = self.get("key")
        table = self.words.table
        columns = [(key["reliability"], self.get("reliability").items()),
                   (key["credibility"], self.get("credibility").items())]
        if judgments:
            columns.append((key["likelihood"], (
                (table.get("likelihood", {}).get(term, term), band)
                for term, band in self.get("likelihood_bands").items())))
        before, _, after = key["entry"].partition("{code}")
        cells = [[Cell((_entry_runs(before, after, str(code), meaning),))
                  for code, meaning in entries if meaning] for _, entries in columns]
        depth = max(map(len, cells))
        rows = [tuple(Cell(((Run(title),),), header=True) for title, _ in columns)]
        rows += [tuple(column[i] if i < len(column) else Cell(()) for column in cells)
                 for i in range(depth)]
        shown = table.get("kinds", {})
        kinds = key["kind_separator"].join(
            key["kind_entry"].format(code=shown.get(k, k), meaning=m).replace(" ", NBSP, 1)
            for k, m in table.get("kind_meanings", {}).items() if shown.get(k, k))
        blocks = [Block("heading", (Run(key["title"]),), level=2),
                  Block("paragraph", (Run(key["intro"]),)),
                  Block("table", (), rows=tuple(rows), widths=(1.0,) * len(columns),
                        keep_together=True)]
        if kinds:
            blocks.append(Block("paragraph", (Run(key["kinds"] + ": ", bold=True),
                                              Run(kinds + key.get("kind_end", ".")))))
        return tuple(blocks)

    def judgment_basis(self, judgments: list[tuple]) -> tuple[Block, ...]:
        """What the desk's judgments rest on, as a table: each judgment the brief shows, its
        likelihood and confidence, and the lines it rests on, each followed by the notes that
        quote it (links; the quotes are in those notes, not printed again). `judgments`:
        (statement, likelihood, confidence, [(line, note numbers)]) each, worded."""
        if not judgments:
            return ()
        head = tuple(Cell(((Run(self.get("basis", k)),),), header=True)
                     for k in ("judgment", "likelihood", "confidence", "rests_on"))
        rows, typeset = [head], self.words.typeset  # what fact files say, in the desk's marks
        for statement, likelihood, confidence, lines in judgments:
            basis = tuple(
                (Run(typeset(line)), *(r for r in self._numbers(
                    self.get("basis", "notes" if len(numbers) > 1 else "note"), numbers)
                              if r.text))
                for line, numbers in lines)
            rows.append((Cell(((Run(typeset(statement)),),), header=True),
                         Cell(((Run(likelihood),),)),
                         Cell(((Run(confidence),),)), Cell(basis)))
        return (Block("heading", (Run(self.get("basis", "title")),), level=2),
                Block("table", (), rows=tuple(rows), widths=(0.30, 0.13, 0.13, 0.44)))


def _entry_runs(before: str, after: str, code: str, meaning: str) -> tuple[Run, ...]:
    """A scale's entry in its column of the key: the pattern around `{code}`, the code bold."""
    runs = (Run(before.format(meaning=meaning)), Run(code, bold=True),
            Run(after.format(meaning=meaning)))
    return tuple(r for r in runs if r.text)


def _items(items, separator: str, fields: dict[str, str]) -> str:
    """The items of a pattern joined by `separator`, leaving out those whose fields are all
    empty (what the source does not state)."""
    if isinstance(items, str):
        items = [items]
    out = []
    for item in items:
        names = [name for _, name, _, _ in _FIELDS.parse(item) if name]
        if names and not any(fields.get(n) for n in names):
            continue
        out.append(item.format(**fields))
    return separator.join(out)
