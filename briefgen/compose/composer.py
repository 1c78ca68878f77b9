"""Compose a brief: fill a Jinja2 template with facts, parse its Markdown, build the brief model.

Fact text never passes through the Markdown parser or the template engine as code: every value a
template prints is swapped for an opaque placeholder (private-use characters around a number,
see `templating`), the Markdown is parsed, and the placeholders are put back as literal runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from briefgen.characters import clip
from briefgen.compose.apparatus import Apparatus
from briefgen.compose.front import finish, title_block
from briefgen.compose.inline import InlineParser, add, one_line, runs_of
from briefgen.compose.model import Block, Brief, Citation, Cite, QuoteUse, Run, SourceEntry
from briefgen.compose.notes import NoteWording, Provenance
from briefgen.compose import precompile
from briefgen.compose.templating import TemplateRenderer
from briefgen.compose.views import (FactView, JudgmentView, ThemeView,  # noqa: F401 - re-exported
                                    fact_view, judgment_view)
from briefgen.compose.wordbook import Wordbook, load_wordbook
from briefgen.errors import TemplateError
from briefgen.factbase.analysis import grounds
from briefgen.factbase.base import FactBase
from briefgen.factbase.models import Fact, Judgment, PartialDate

_TOKEN = re.compile("\ue000(\\d+)\ue001|\ue002(\\d+)\ue003")  # DATA / CITE placeholders


@dataclass
class Spec:
    """What to compose: which template, which themes with their facts, and the desk settings.

    The title block (title, subtitle, subject, keywords) is worded by the template, which sets
    them with `{% set %}`; compose fills them in here, and `context["period"]` when it sets one.
    """

    name: str
    template: str
    created: datetime  # the date of issue (SOURCE_DATE_EPOCH, or the day of the build)
    themes: list[tuple[str, list[Fact]]]  # (theme id, facts in display order)
    context: dict = field(default_factory=dict)  # extra template variables (key points, week)
    title: str = ""
    subtitle: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    settings: object = None  # the desk's Settings (briefgen.toml); None = the defaults
    annotated: bool = False  # the desk's review edition (fact ids, archived files, hashes)
    judgments: dict = field(default_factory=dict)  # theme id -> judgments, in display order
    see_also: dict = field(default_factory=dict)  # theme id -> [(fact, theme id it is under)]


def compose(base: FactBase, templates: Path | None, spec: Spec,
            words: Wordbook | None = None) -> Brief:
    """Render `spec` through its template into a Brief; uncited lines fail the build.

    `words`: the desk's wordbook, if the caller has it (else it is loaded for the desk's
    language)."""
    from briefgen.factbase.settings import Settings

    settings = spec.settings or getattr(base, "settings", None) or Settings()
    words = (words or load_wordbook(templates, settings.desk.language, settings.path)
             ).judged_with(settings.desk.yardstick)
    views: dict = {}

    def view(item):
        if isinstance(item, PartialDate):  # e.g. the information cut-off, at its precision
            return words.date(item)
        if isinstance(item, date):  # a day of the title block, in parts for the template
            return {"day": item.day, "month": words.table["months"][item.month - 1],
                    "year": item.year, "text": words.date(item), "iso": item.isoformat()}
        if item.id not in views:
            views[item.id] = (judgment_view(item, words, spec.context)
                              if isinstance(item, Judgment)
                              else fact_view(base, item, words))
        return views[item.id]

    themes = [ThemeView(t.id, t.title, t.summary, tuple(view(f) for f in facts),
                        tuple(view(j) for j in spec.judgments.get(t.id, ())),
                        tuple({"fact": view(f), "under": base.themes[under].title}
                              for f, under in spec.see_also.get(t.id, ())))
              for t, facts in ((base.themes[tid], facts) for tid, facts in spec.themes)]
    context = {**{k: _views(v, view) for k, v in spec.context.items()},
               "themes": themes, "desk": settings.desk.model_dump(), "words": words.table,
               "issued": words.date(spec.created.date()), "annotated": spec.annotated}
    precompile.adopt()  # the templates a worker compiled meanwhile, if any
    renderer = TemplateRenderer(templates, {**base.facts, **base.judgments},
                                plain=(FactView, JudgmentView, ThemeView))
    text, origins = renderer.render(spec.template, context)
    title_block(spec, renderer)
    # notes, annex entries and the grading key are worded once, the same for every writer
    builder = _Builder(base, renderer, spec, origins, words, Apparatus(words, spec.annotated))
    brief = builder.build(text)
    return finish(brief, spec, settings, words, renderer, builder.loose_blocks, themes)


def _views(value, view):
    if isinstance(value, (Fact, Judgment, date, PartialDate)):
        return view(value)
    if isinstance(value, (list, tuple)):
        return [_views(v, view) for v in value]
    return value


class _Builder:
    """Turns the parsed Markdown into blocks, numbering citations and collecting the annex."""

    def __init__(self, base: FactBase, renderer: TemplateRenderer, spec: Spec,
                 origins: list[int], words: Wordbook, notes: Apparatus):
        self.base, self.renderer, self.spec, self.origins = base, renderer, spec, origins
        self.words = words  # dates, gradings and labels (wordbook)
        self.notes = notes  # notes, annex entries, the grading key (the apparatus)
        self.sha256: dict[str, str] = {}  # source id -> SHA-256 of its archived text
        self.judging = False  # the line being built cites a judgment: a "judgment" block
        self.line: list[Citation] = []  # the citations of the line being built
        self.entries: dict[str, SourceEntry] = {}  # source id -> annex entry, in order
        self.uses: dict[str, dict[str, list[str]]] = {}  # source id -> quote -> fact ids
        self.notes_made = 0
        self.printed: dict[tuple[str, str], int] = {}  # (source, quote) -> note printing it
        self.quoted: dict[str, list[int]] = {}  # source id -> the notes that cite it
        # (text, bold, italic) -> its Run: equal runs (a grading label, a day) are one object,
        # pickled once for the writers
        self.runs: dict[tuple[str, bool, bool], Run] = {}

    def build(self, text: str) -> Brief:
        return self._body(*self.blocks(text, self.origins))

    def blocks(self, text: str, origins: list[int], loose: bool = False
               ) -> tuple[list[Block], list[str]]:
        """The Markdown's blocks, and a message for each bullet or paragraph left uncited (for
        a `loose` part, printed outside the body: for each line that cites)."""
        from markdown_it import MarkdownIt

        if not hasattr(self, "inline"):
            rules = ["heading", "list", "blockquote", "emphasis", "escape"]
            self.inline = InlineParser(MarkdownIt("zero").enable(rules))
            # the inline content of each block is parsed by `inline`, once per shape of line
            self.md = MarkdownIt("zero").enable(rules).disable("inline")
        blocks, uncited, kind_stack = [], [], []
        tokens = self.md.parse(text)
        for i, token in enumerate(tokens):
            if token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
                kind_stack.append("note" if token.type == "blockquote_open" else "bullet")
            elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
                kind_stack.pop()
            elif token.type == "inline":
                opener = tokens[i - 1]
                stamp = origins[opener.map[0]] if opener.map else 0
                origin = self.renderer.where(stamp)
                if opener.type == "heading_open":
                    kind, level = "heading", int(opener.tag[1])
                else:
                    kind, level = (kind_stack[-1] if kind_stack else "paragraph"), 0
                block = self.block(kind, level, self.inline(token.content), origin)
                if not block.inlines:
                    continue
                if loose and block.cites:
                    uncited.append(self.renderer.problem(
                        stamp, f"the cover cannot cite facts: “{clip(block.text.strip(), 70)}”",
                        "cite facts in the body of the brief; the cover says who issues it, "
                        "when, and how long it takes to read"))
                elif not loose and kind in ("bullet", "paragraph") and not block.cites:
                    uncited.append(self.renderer.problem(
                        stamp, f"this {kind} has no citation: “{clip(block.text, 70)}”",
                        "every bullet and paragraph needs {{ cite(fact) }}; notes (> ...) and "
                        "headings are exempt"))
                blocks.append(block)
        return blocks, uncited

    def loose_blocks(self, text: str, origins: list[int]) -> tuple[Block, ...]:
        """Blocks of a part printed outside the body (the cover): no citations, none allowed
        (its notes would point at sources the annex does not list)."""
        blocks, citing = self.blocks(text, origins, loose=True)
        if citing:
            raise TemplateError(citing)
        return tuple(b if b.kind == "heading" else replace(b, kind="note") for b in blocks)

    def _body(self, blocks: list, uncited: list) -> Brief:
        if uncited:
            raise TemplateError(uncited)
        wording = NoteWording(self.base, self.notes)
        blocks = outline(wording.word(blocks))
        self.printed, self.quoted = wording.printed, wording.quoted
        sources = tuple(self.finish_entry(entry) for entry in self.entries.values())
        spec = self.spec
        return Brief(name=spec.name, title=spec.title, subtitle=spec.subtitle,
                     subject=spec.subject, keywords=spec.keywords, author="briefgen",
                     created=spec.created, blocks=tuple(blocks), sources=sources,
                     extra={"provenance": Provenance(self.base, blocks)},
                     labels=self.words.labels, annex=(
                         self.notes.judgment_basis(self.basis(blocks)) + self.notes.grading_key(
                             judgments=any(b.kind == "judgment" for b in blocks))
                     ) if sources else ())

    def basis(self, blocks: list[Block]) -> list[tuple]:
        """For the annex: each judgment the brief shows, once, in its words (statement, and
        likelihood and confidence as the body shows them), with the facts it rests on and the
        numbers of the notes that quote them."""
        out, seen = [], set()
        for block in blocks:
            if block.kind != "judgment":
                continue
            for jid in block.fact_ids:  # a judgment line's ids are its judgments
                judgment = self.base.judgments.get(jid)
                if judgment is None or jid in seen:
                    continue
                seen.add(jid)
                notes: dict[str, list[int]] = {}
                for cite in block.cites:
                    for c in cite.citations:
                        if c.judgment == jid:
                            number = self.printed.get((c.source.id, c.quote), cite.number)
                            numbers = notes.setdefault(c.fact_id, [])
                            if number not in numbers:
                                numbers.append(number)
                facts = [(self.base.facts[f].statement, sorted(numbers))
                         for f, numbers in notes.items()]
                shown = judgment_view(judgment, self.words, self.spec.context)  # as of the span
                out.append((judgment.statement, shown.likelihood, shown.confidence, facts))
        return out

    def block(self, kind: str, level: int, children, origin: str) -> Block:
        parts: list = []  # [text, bold, italic] lists (merged as they come) and note marks
        bold = italic = 0
        self.judging = False
        self.line: list[Citation] = []  # the citations of the line being built
        for kind_, content in children:
            if kind_ == "text":
                self.inline_text(content, bold > 0, italic > 0, parts)
            elif kind_ == "strong_open":
                bold += 1
            elif kind_ == "strong_close":
                bold -= 1
            elif kind_ == "em_open":
                italic += 1
            elif kind_ == "em_close":
                italic -= 1
            elif kind_ in ("softbreak", "hardbreak"):
                add(parts, " ", bold > 0, italic > 0)
        if self.line:  # one note for the whole line, where its last cite() stood
            last = max(i for i, p in enumerate(parts) if p is _MARK)
            self.notes_made += 1
            unique = {(c.source.id, c.fact_id, c.index, c.judgment): c for c in self.line}
            parts[last] = Cite(self.notes_made, tuple(unique.values()))
        parts = [p for p in parts if p is not _MARK]
        inlines = runs_of(parts, self.runs)
        fact_ids = tuple(dict.fromkeys(c.fact_id for c in self.line))
        if self.judging and kind in ("bullet", "paragraph"):
            kind = "judgment"  # a line citing a judgment is set apart from the facts
            # the line shows the judgments, not the facts it cites for them (`impact`, the
            # corrections' diff and error messages name what the reader sees)
            fact_ids = tuple(dict.fromkeys(c.judgment or c.fact_id for c in self.line))
        return Block(kind, inlines, level, fact_ids, origin)

    def inline_text(self, text: str, bold: bool, italic: bool, parts: list) -> None:
        pos = 0
        for m in _TOKEN.finditer(text):
            if m.start() > pos:
                add(parts, text[pos:m.start()], bold, italic)
            data, cite = m.groups()
            if data is not None:
                value = str(self.renderer.values[int(data)])
                if "\ue000" in value or "\ue004" in value:  # a block set: its lines' stamps
                    value = self.renderer.text(value)  # and values out, as for `{% set %}`
                value = one_line(value)
                add(parts, self.words.typeset(value), bold, italic)
            else:
                for fact in _facts(self.renderer.values[int(cite)].facts):
                    self.cite(fact)
                parts.append(_MARK)
            pos = m.end()
        if pos < len(text):
            add(parts, text[pos:], bold, italic)

    def cite(self, fact_ref, judgment: str = "") -> None:
        """The citations of a fact (or a judgment's basis) onto the line being built."""
        ref = fact_ref.id if hasattr(fact_ref, "id") else str(fact_ref)
        if ref in self.base.judgments:
            return self.cite_judgment(ref)
        fact = self.base.facts[ref]
        if fact.retracted:
            return  # kept in the fact file for the record, never printed or cited
        date = self.words.date(fact.date)
        for n, citation in enumerate(fact.citations):
            verified = self.base.verified[(fact.id, n)]
            sid = citation.source
            entry = self.entries.get(sid)
            if entry is None:
                entry = self.entries[sid] = self.new_entry(sid)
            self.sha256[sid] = verified.sha256
            facts = self.uses.setdefault(sid, {}).setdefault(verified.exact, [])
            if fact.id not in facts:
                facts.append(fact.id)
            self.line.append(Citation(entry, fact.id, verified.exact, date, n, judgment,
                                      citation.translation or "", citation.translator or ""))

    def cite_judgment(self, judgment_id: str) -> None:
        """A judgment is cited through the facts it rests on (one hop, or more through other
        judgments), so its line is tied to quotes like every other line."""
        self.judging = True
        for fact in grounds(self.base, judgment_id):
            self.cite(fact, judgment=judgment_id)

    def new_entry(self, sid: str) -> SourceEntry:
        """A source's annex entry, numbered at its first citation; `finish_entry` adds what
        its later citations add (quotes and the entry's words)."""
        source, number = self.base.sources[sid], len(self.entries) + 1
        return SourceEntry(
            id=sid, number=number, anchor=f"src_{number}", publisher=source.publisher,
            title=source.title, author=source.author, published=self.words.date(source.published),
            url=source.url, file_name=Path(source.file).name, reliability=source.reliability,
            language=source.language, label=self.notes.label(number),
            archived=self.notes.archived(source))

    def finish_entry(self, entry: SourceEntry) -> SourceEntry:
        """The entry's quotes and words, set in place once every citation is known: every
        citation holds its entry from the start, so none is made again. The entry is frozen for
        the writers, who only ever see it finished."""
        sid = entry.id
        heading, lines = self.notes.entry(self.base.sources[sid], self.uses[sid],
                                          self.sha256[sid], self.quoted.get(sid, []))
        quotes = tuple(QuoteUse(q, tuple(ids)) for q, ids in self.uses[sid].items())
        for name, value in (("quotes", quotes), ("heading", heading), ("lines", lines)):
            object.__setattr__(entry, name, value)
        return entry

_MARK = object()  # where a line's cite() stood: its note marker goes at the last one


def outline(blocks: list[Block]) -> list[Block]:
    """The blocks with their headings at the levels of the brief's outline, from 1 (a part of
    the brief, under its title) down, one at a time: a heading sits one level below the nearest
    heading before it that the template set higher (`##` under `#`), equal ones stay equal. So
    no writer's outline (Word's navigation pane, the PDF's tags, the HTML's h2-h6, a screen
    reader's list of headings) ever skips a level, whatever the template's Markdown says."""
    out, open_levels = [], []
    for block in blocks:
        if block.kind == "heading":
            while open_levels and open_levels[-1] >= block.level:
                open_levels.pop()
            open_levels.append(block.level)
            if block.level != len(open_levels):
                block = replace(block, level=len(open_levels))
        out.append(block)
    return out


def _facts(values) -> list:
    out = []
    for v in values:
        out.extend(_facts(v) if isinstance(v, (list, tuple)) else [v])
    return out
