"""PDF writer: a Brief as a linked, searchable, reproducible PDF (reportlab's canvas).

What the file holds: a cover (logo, title block, cover lines), an optional linked contents
list, the body (headings with outline entries, bullets, paragraphs, notes, judgments set apart;
citation markers are superscript numbers linked to their notes), the notes of each section, the
annex (the source list with a named destination per source (`SourceEntry.anchor`), then what
the assessments rest on and the grading key, as tables), the classification marking, running
head and "page x of y" on every page, document info, embedded TrueType subsets of the bundled
fonts (briefgen/resources/fonts/, or a desk's templates/fonts/), Arabic shaped and right to
left. The PDF is tagged (PDF/UA-1): a screen reader meets the brief's headings, paragraphs,
lists, tables, links and notes in the model's order, and none of the page furniture. Every word
comes from the brief model. The same brief always gives the same bytes.

Modules: this one (entry point and glyph check), `fonts` (loading, subsets), `shaping`
(fallback, right-to-left shaping), `layout` (styles, story), `flow` and `notes` (the page loop),
`canvas` (pages, furniture, links), `text` (the text flowable), `table` (the table flowable) and
`tags` (the structure tree); all but this one import reportlab, so they are imported only when
a PDF is rendered.
"""

from __future__ import annotations

from pathlib import Path

from briefgen.compose.model import Brief
from briefgen.errors import BuildError, ProblemsError, display_path


class MissingGlyphError(ProblemsError, BuildError):
    """Characters that no bundled font has: all of them, one line each."""


def render_pdf(brief: Brief, fonts_dir: Path, keep: list | None = None) -> bytes:
    """Render `brief` as PDF bytes with the fonts of `fonts_dir`; BuildError if it cannot.
    `keep`: see layout.build_pdf."""
    # reportlab and uharfbuzz: imported on the first render only
    from briefgen.writers.pdf import fonts as pdf_fonts, layout as pdf_layout

    fonts = pdf_fonts.load_fonts(Path(fonts_dir))
    check_glyphs(brief, fonts, Path(fonts_dir), pdf_layout.FIXED_TEXT)
    return pdf_layout.build_pdf(brief, fonts, keep)


def _texts(brief: Brief, fixed: str):
    """(who, text) for every piece of text the PDF draws, `who` naming it in error messages."""
    yield "title", brief.title
    yield "subtitle", brief.subtitle
    yield "running head", brief.running_head
    yield "marking", brief.marking
    yield "edition", brief.edition
    for key, label in sorted(brief.labels.items()):
        yield f"label {key}", str(label)
    for block in (*brief.cover, *brief.annex):
        for run in block.runs:
            yield block.origin or block.kind, run.text
    for block in brief.blocks:
        who = ", ".join(block.fact_ids) or block.origin or block.kind
        for item in block.inlines:
            text = getattr(item, "text", None)
            if text is not None:
                yield who, text
            else:
                for run in item.note:
                    yield who, run.text
    for s in brief.sources:
        yield s.id, s.label
        for runs in (s.heading, *s.lines):
            for run in runs:
                yield s.id, run.text
    yield "briefgen", fixed


def characters(brief: Brief, fixed: str = "") -> set[str]:
    """Every character the PDF draws: what `_texts` yields, without naming where."""
    texts = [brief.title, brief.subtitle, brief.running_head, brief.marking, fixed,
             brief.edition,
             *map(str, brief.labels.values())]
    texts += [run.text for block in (*brief.cover, *brief.annex) for run in block.runs]
    for block in brief.blocks:
        for item in block.inlines:
            text = getattr(item, "text", None)
            if text is not None:
                texts.append(text)
            else:
                texts += [run.text for run in item.note]
    texts += [run.text for s in brief.sources for runs in (s.heading, *s.lines) for run in runs]
    texts += [s.label for s in brief.sources]
    return set("".join(texts))


def check_glyphs(brief: Brief, fonts, fonts_dir: Path, fixed: str = "") -> None:
    """Fail, naming every character that no bundled font has, before anything is drawn."""
    # Every character is looked at once first; only a brief with one that no font covers goes
    # through its texts one by one to say where (so a brief that passes pays for one pass).
    if all(fonts.covers(ch) for ch in characters(brief, fixed) - fonts.simple):
        return
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    where = display_path(fonts_dir).rstrip("/") + "/"
    simple = fonts.simple
    covered: set[str] = set()
    for who, text in _texts(brief, fixed):
        if simple.issuperset(text):
            continue
        for ch in dict.fromkeys(text):  # each character once, in order
            if ch in simple or ch in covered:
                continue
            if fonts.covers(ch):
                covered.add(ch)
                continue
            if (who, ch) in seen:
                continue
            seen.add((who, ch))
            problems.append(f"[{who}] character U+{ord(ch):04X} {ch!r} is not covered by any "
                            f"bundled font in {where} (hint: remove it or add a font that has it)")
    if problems:
        raise MissingGlyphError(problems)
