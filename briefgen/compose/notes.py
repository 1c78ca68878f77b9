"""A brief's notes, worded, and the provenance record of each cited line."""

from __future__ import annotations

from dataclasses import replace

from briefgen.compose.apparatus import Apparatus
from briefgen.compose.model import Block, Cite, Run
from briefgen.factbase.base import FactBase


class NoteWording:
    """Words every note of a brief once its lines are numbered (`word`); `printed` and
    `quoted` then tell the annex which note prints each passage and which notes cite each
    source."""

    def __init__(self, base: FactBase, notes: Apparatus):
        self.base, self.notes = base, notes
        self.printed: dict[tuple[str, str], int] = {}  # (source, quote) -> note printing it
        self.quoted: dict[str, list[int]] = {}  # source id -> the notes that cite it

    def word(self, blocks: list[Block]) -> list[Block]:
        """Every note worded, in the order a reader meets them: a source in full the first
        time a note names it, a quote printed once (later notes point to that note), and a
        judgment's note naming the notes of the lines it rests on."""
        lines: dict[str, int] = {}  # fact id -> the note of the first line that shows it
        for block in blocks:
            if block.kind != "judgment":
                for cite in block.cites:
                    for c in cite.citations:
                        lines.setdefault(c.fact_id, cite.number)
        named: set[str] = set()  # sources a note has named
        out = []
        for block in blocks:
            if not block.cites:
                out.append(block)
                continue
            inlines = []
            for item in block.inlines:
                if isinstance(item, Cite):
                    item = replace(item, note=self.note(item, block.kind == "judgment", lines,
                                                        named))
                inlines.append(item)
            out.append(replace(block, inlines=tuple(inlines)))
        return out

    def note(self, cite: Cite, judgment: bool, lines: dict[str, int], named: set[str]
             ) -> tuple[Run, ...]:
        rests_on: dict[int, None] = {}
        parts, shown = [], set()
        for c in cite.citations:
            if judgment and lines.get(c.fact_id, cite.number) != cite.number:
                rests_on[lines[c.fact_id]] = None  # the line itself shows the quote
                continue
            sid = c.source.id
            if (sid, c.quote) in shown and not self.notes.annotated:
                continue  # two facts of the line quote the same passage: once is enough
            shown.add((sid, c.quote))
            same = self.printed.setdefault((sid, c.quote), cite.number)
            numbers = self.quoted.setdefault(sid, [])
            if cite.number not in numbers:
                numbers.append(cite.number)
            parts.append(self.notes.citation(self.base.sources[sid], c.quote, c.fact_id,
                                             sid not in named, c.source.anchor,
                                             same if same != cite.number else None,
                                             c.translation, c.translator))
            named.add(sid)
        return self.notes.note(parts, tuple(sorted(rests_on)))


class Provenance:
    """The provenance record of each cited line of `blocks`, made as it is read: `render`
    reads it while the writers lay out the brief, not before they start."""

    def __init__(self, base: FactBase, blocks: list[Block]):
        self.base, self.blocks = base, blocks

    def __iter__(self):
        return (line_record(self.base, b) for b in self.blocks if b.cites)


def line_record(base: FactBase, block: Block) -> dict:
        """Provenance of one line: its facts, and for each citation the exact source spans."""
        citations, judgments = [], {}
        for cite in block.cites:
            for c in cite.citations:
                if c.judgment:  # judgment -> facts -> quotes -> source hash
                    record = judgments.setdefault(c.judgment, {
                        "id": c.judgment,
                        "based_on": list(base.judgments[c.judgment].based_on), "facts": []})
                    if c.fact_id not in record["facts"]:
                        record["facts"].append(c.fact_id)
                verified = base.verified[(c.fact_id, c.index)]
                source = base.sources[c.source.id]
                citations.append({
                    "number": cite.number, "fact": c.fact_id, "source": source.id,
                    "file": source.file, "sha256": verified.sha256, "quote": verified.exact,
                    "selectors": [{"exact": s.exact, "prefix": s.prefix, "suffix": s.suffix,
                                   "start": s.start, "end": s.end} for s in verified.selectors],
                    **({"judgment": c.judgment} if c.judgment else {})})
        return {"kind": block.kind, "text": block.text, "origin": block.origin,
                "facts": list(block.fact_ids), "citations": citations,
                **({"judgments": list(judgments.values())} if judgments else {})}
