"""Compose a brief: fill a Jinja2 template with facts, parse its Markdown, build the brief model.

Fact text never passes through the Markdown parser or the template engine as code: every value a
template prints is swapped for an opaque placeholder (private-use characters around a number,
see `templating`), the Markdown is parsed, and the placeholders are put back as literal runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from briefgen.compose.model import Block, Brief, Cite, Inline, QuoteUse, Run, SourceEntry
from briefgen.errors import TemplateError
from briefgen.factbase.base import FactBase
from briefgen.factbase.models import Fact
from briefgen.compose.templating import Renderer

_TOKEN = re.compile("\ue000(\\d+)\ue001|\ue002(\\d+)\ue003")  # DATA / CITE placeholders
_NUMBER = re.compile("(?<=[\ue000\ue002])\\d+(?=[\ue001\ue003])")  # a placeholder's number
_EMPTY = re.compile("[\ue000\ue002](?=[\ue001\ue003])")  # a placeholder whose number is out


@dataclass(frozen=True)
class FactView:
    """What a template sees of a fact: display-ready values, nothing executable."""

    id: str
    statement: str
    date: str  # display form at its precision
    iso_date: str
    year: int
    kind: str
    credibility: int
    reliability: str  # best (lowest letter) reliability among its cited sources
    grading: str  # e.g. "B2"
    actors: tuple[str, ...]
    tags: tuple[str, ...]
    themes: tuple[str, ...]
    sources: tuple[str, ...]  # publishers, in citation order


@dataclass(frozen=True)
class ThemeView:
    id: str
    title: str
    summary: str | None
    facts: tuple[FactView, ...]


@dataclass
class Spec:
    """What to compose: which template, the title block and the themes with their facts."""

    name: str
    template: str
    title: str
    subtitle: str
    subject: str
    keywords: tuple[str, ...]
    created: datetime
    themes: list[tuple[str, list[Fact]]]  # (theme id, facts in display order)
    context: dict = field(default_factory=dict)  # extra template variables (key points, week)


def fact_view(base: FactBase, fact: Fact) -> FactView:
    sources = [base.sources[c.source] for c in fact.citations]
    reliability = min(s.reliability for s in sources)
    return FactView(
        id=fact.id, statement=fact.statement, date=fact.date.display(), iso_date=str(fact.date),
        year=fact.date.year, kind=fact.kind, credibility=fact.credibility, reliability=reliability,
        grading=f"{reliability}{fact.credibility}", actors=tuple(fact.actors),
        tags=tuple(fact.tags), themes=tuple(fact.themes),
        sources=tuple(dict.fromkeys(s.publisher for s in sources)))


def compose(base: FactBase, templates: Path, spec: Spec) -> Brief:
    """Render `spec` through its template into a Brief; uncited lines fail the build."""
    views = {}

    def view(fact: Fact) -> FactView:
        if fact.id not in views:
            views[fact.id] = fact_view(base, fact)
        return views[fact.id]

    themes = [ThemeView(t.id, t.title, t.summary, tuple(view(f) for f in facts))
              for t, facts in ((base.themes[tid], facts) for tid, facts in spec.themes)]
    context = {**{k: _views(v, view) for k, v in spec.context.items()},
               "title": spec.title, "subtitle": spec.subtitle, "themes": themes}
    renderer = Renderer(templates, base.facts)
    text, origins = renderer.render(spec.template, context)
    return _Builder(base, renderer, spec, origins).build(text)


def _views(value, view):
    if isinstance(value, Fact):
        return view(value)
    if isinstance(value, (list, tuple)):
        return [_views(v, view) for v in value]
    return value


class _Builder:
    """Turns the parsed Markdown into blocks, numbering citations and collecting the annex."""

    def __init__(self, base: FactBase, renderer: Renderer, spec: Spec, origins: list[int]):
        self.base, self.renderer, self.spec, self.origins = base, renderer, spec, origins
        self.entries: dict[str, dict] = {}  # source id -> annex entry fields, in order
        self.uses: dict[str, dict[str, list[str]]] = {}  # source id -> quote -> fact ids
        self.cites = 0
        self.cited: dict[int, tuple[str, int]] = {}  # cite number -> (fact id, citation index)

    def build(self, text: str) -> Brief:
        from markdown_it import MarkdownIt

        rules = ["heading", "list", "blockquote", "emphasis", "escape"]
        inline = _InlineParser(MarkdownIt("zero").enable(rules))
        # blocks here; the inline content of each is parsed by `inline`, once per shape of line
        md = MarkdownIt("zero").enable(rules).disable("inline")
        blocks, uncited, kind_stack = [], [], []
        tokens = md.parse(text)
        for i, token in enumerate(tokens):
            if token.type in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
                kind_stack.append("note" if token.type == "blockquote_open" else "bullet")
            elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
                kind_stack.pop()
            elif token.type == "inline":
                opener = tokens[i - 1]
                stamp = self.origins[opener.map[0]] if opener.map else 0
                origin = self.renderer.where(stamp)
                if opener.type == "heading_open":
                    kind, level = "heading", int(opener.tag[1])
                else:
                    kind, level = (kind_stack[-1] if kind_stack else "paragraph"), 0
                block = self.block(kind, level, inline(token.content), origin)
                if not block.inlines:
                    continue
                if kind in ("bullet", "paragraph") and not block.cites:
                    uncited.append(self.renderer.problem(
                        stamp, f"this {kind} has no citation: “{_clip(block.text)}”",
                        "every bullet and paragraph needs {{ cite(fact) }}; notes (> ...) and "
                        "headings are exempt"))
                blocks.append(block)
        if uncited:
            raise TemplateError(uncited)
        sources = tuple(self.entry(sid) for sid in self.entries)
        by_id = {s.id: s for s in sources}
        blocks = [replace(b, inlines=tuple(replace(i, source=by_id[i.source.id])
                                           if isinstance(i, Cite) else i for i in b.inlines))
                  if b.cites else b for b in blocks]
        spec = self.spec
        return Brief(name=spec.name, title=spec.title, subtitle=spec.subtitle,
                     subject=spec.subject, keywords=spec.keywords, author="briefgen",
                     created=spec.created, blocks=tuple(blocks), sources=sources,
                     extra={"provenance": [self.line_record(b) for b in blocks if b.cites]})

    def block(self, kind: str, level: int, children, origin: str) -> Block:
        parts: list = []  # [text, bold, italic] lists (merged as they come) and Cites
        bold = italic = 0
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
                _add(parts, " ", bold > 0, italic > 0)
        inlines = _finish(parts)
        fact_ids = tuple(dict.fromkeys(i.fact_id for i in inlines if isinstance(i, Cite)))
        return Block(kind, inlines, level, fact_ids, origin)

    def inline_text(self, text: str, bold: bool, italic: bool, parts: list) -> None:
        pos = 0
        for m in _TOKEN.finditer(text):
            if m.start() > pos:
                _add(parts, text[pos:m.start()], bold, italic)
            data, cite = m.groups()
            if data is not None:
                _add(parts, " ".join(str(self.renderer.values[int(data)]).split()), bold, italic)
            else:
                for fact in _facts(self.renderer.values[int(cite)].facts):
                    parts.extend(self.cite(fact))
            pos = m.end()
        if pos < len(text):
            _add(parts, text[pos:], bold, italic)

    def cite(self, fact_ref) -> list[Cite]:
        fact = self.base.facts[fact_ref.id if hasattr(fact_ref, "id") else str(fact_ref)]
        cites = []
        for n, citation in enumerate(fact.citations):
            verified = self.base.verified[(fact.id, n)]
            sid = citation.source
            self.entries.setdefault(sid, {"number": len(self.entries) + 1})
            self.uses.setdefault(sid, {}).setdefault(verified.exact, [])
            if fact.id not in self.uses[sid][verified.exact]:
                self.uses[sid][verified.exact].append(fact.id)
            self.cites += 1
            self.cited[self.cites] = (fact.id, n)
            cites.append(Cite(self.cites, _Placeholder(sid), fact.id, verified.exact,
                              fact.date.display()))
        return cites

    def entry(self, sid: str) -> SourceEntry:
        source, number = self.base.sources[sid], self.entries[sid]["number"]
        return SourceEntry(
            id=sid, number=number, anchor=f"src_{number}", publisher=source.publisher,
            title=source.title, author=source.author, published=source.published.display(),
            url=source.url, file_name=Path(source.file).name, reliability=source.reliability,
            language=source.language,
            quotes=tuple(QuoteUse(q, tuple(ids)) for q, ids in self.uses[sid].items()))

    def line_record(self, block: Block) -> dict:
        """Provenance of one line: its facts, and for each citation the exact source spans."""
        citations = []
        for cite in block.cites:
            fact_id, n = self.cited[cite.number]
            verified = self.base.verified[(fact_id, n)]
            source = self.base.sources[cite.source.id]
            citations.append({
                "number": cite.number, "fact": fact_id, "source": source.id,
                "file": source.file, "sha256": verified.sha256, "quote": verified.exact,
                "selectors": [{"exact": s.exact, "prefix": s.prefix, "suffix": s.suffix,
                               "start": s.start, "end": s.end} for s in verified.selectors]})
        return {"kind": block.kind, "text": block.text, "origin": block.origin,
                "facts": list(block.fact_ids), "citations": citations}


class _InlineParser:
    """Inline Markdown of a line as (token type, content) pairs, parsed once per shape.

    The lines a template loop prints differ only in their placeholders' numbers, and numbers
    inside a placeholder cannot change how Markdown reads the line (emphasis looks at the
    private-use characters around them). So a line is parsed with its numbers taken out, the
    result is kept for the next line of the same shape, and the numbers are put back in order.
    """

    def __init__(self, md):
        self.md = md
        self.shapes: dict[str, tuple[list[tuple[str, str]], int]] = {}

    def __call__(self, content: str) -> list[tuple[str, str]]:
        numbers = _NUMBER.findall(content)
        shape = _NUMBER.sub("", content) if numbers else content
        entry = self.shapes.get(shape)
        if entry is None:
            tokens = self.parse(shape)
            entry = self.shapes[shape] = (tokens, sum(len(_EMPTY.findall(t)) for _, t in tokens))
        tokens, slots = entry
        if not numbers:
            return tokens
        if slots != len(numbers):  # only if a template typed the private-use characters
            return self.parse(content)
        put_back = iter(numbers).__next__
        return [(kind, _EMPTY.sub(lambda m: m.group() + put_back(), text) if text else text)
                for kind, text in tokens]

    def parse(self, content: str) -> list[tuple[str, str]]:
        return [(t.type, t.content) for t in self.md.parseInline(content)[0].children or []]


@dataclass(frozen=True)
class _Placeholder:
    """Stands in for a SourceEntry until the annex is numbered; swapped by `_resolve`."""

    id: str


def _facts(values) -> list:
    out = []
    for v in values:
        out.extend(_facts(v) if isinstance(v, (list, tuple)) else [v])
    return out


def _add(parts: list, text: str, bold: bool, italic: bool) -> None:
    """Append text, joining it to the previous run when the style is the same."""
    last = parts[-1] if parts else None
    if last.__class__ is list and last[1] == bold and last[2] == italic:
        last[0] += text
    elif text:
        parts.append([text, bold, italic])


def _finish(parts: list) -> tuple[Inline, ...]:
    """Runs from the merged parts: trimmed at the ends and before each citation marker."""
    for i, part in enumerate(parts):
        if part.__class__ is list:
            if i == 0:
                part[0] = part[0].lstrip()
            if i == len(parts) - 1 or isinstance(parts[i + 1], Cite):
                part[0] = part[0].rstrip()  # no space between a word and its marker
    return tuple(Run(*p) if p.__class__ is list else p for p in parts
                 if p.__class__ is not list or p[0])


def _clip(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
