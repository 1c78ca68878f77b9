"""The brief document model: the one structure every writer (docx, pdf, email) consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class QuoteUse:
    """A quote cited from a source and the facts that cite it (shown in the annex)."""

    text: str
    fact_ids: tuple[str, ...]


@dataclass(frozen=True)
class SourceEntry:
    """One entry of the Sources annex; `anchor` names its bookmark / PDF destination."""

    id: str
    number: int  # 1-based, in order of first citation
    anchor: str  # e.g. "src_3": a valid Word bookmark name and PDF destination name
    publisher: str
    title: str
    author: str | None
    published: str  # display form at its precision, e.g. "18 October 2017", "June 2013"
    url: str | None
    file_name: str  # archived text, e.g. "002_nato-watch.txt"
    reliability: str  # Admiralty A-F
    language: str
    quotes: tuple[QuoteUse, ...] = ()
    # The entry as the reader sees it, worded by the composer (readers' or annotated edition):
    # writers lay these out and never word an entry themselves.
    heading: tuple[Run, ...] = ()  # e.g. "Source 3  NATO Watch: NATO returns to Libya ..."
    lines: tuple[tuple[Run, ...], ...] = ()  # each a paragraph of the entry


@dataclass(frozen=True)
class Run:
    """Literal text (never markup) with simple emphasis set by the template, and where it
    leads: `link` is "#anchor" (an annex entry `src_N`, a note `note_N`) or a web address."""

    text: str
    bold: bool = False
    italic: bool = False
    link: str = ""


@dataclass(frozen=True)
class Citation:
    """One quote behind a line: the fact it backs, the source and the exact words."""

    source: SourceEntry
    fact_id: str
    quote: str  # exact text as it stands in the source
    date: str  # the fact's date, display form
    index: int = 0  # which of the fact's citations (for the provenance record)
    judgment: str = ""  # on a judgment's line: the judgment this fact is a basis of


@dataclass(frozen=True)
class Cite:
    """A cited line's note marker: the note's number, every citation behind the line, and the
    note's words (the same number and words in every format: Word footnote, PDF note)."""

    number: int  # 1-based order of the notes in the brief
    citations: tuple[Citation, ...]
    note: tuple[Run, ...] = ()  # its links (annex entries, other notes) are in the runs

    @property
    def anchor(self) -> str:
        """The note's bookmark / PDF destination name."""
        return f"note_{self.number}"

    @property
    def source(self) -> SourceEntry:
        """The first citation's source."""
        return self.citations[0].source

    @property
    def fact_id(self) -> str:
        return self.citations[0].fact_id


Inline = Run | Cite


@dataclass(frozen=True)
class Block:
    """A heading, bullet, body paragraph or editorial note, made of inline runs and cites.

    Bullets and paragraphs always carry at least one Cite (the composer enforces it);
    headings and notes (theme summaries, "nothing new") are exempt.
    """

    kind: str  # "heading" | "bullet" | "paragraph" | "note" | "judgment" (set apart visibly)
    inlines: tuple[Inline, ...]
    level: int = 0  # heading level 1-3; 0 for other blocks
    fact_ids: tuple[str, ...] = ()  # facts shown in this block (for error messages)
    origin: str = ""  # template location, e.g. "templates/theme.md.j2:12"

    @property
    def text(self) -> str:
        """The block's plain text without citation markers."""
        return "".join(i.text for i in self.inlines if isinstance(i, Run))

    @property
    def cites(self) -> tuple[Cite, ...]:
        return tuple(i for i in self.inlines if isinstance(i, Cite))


@dataclass(frozen=True)
class Style:
    """The desk's look, from its settings: writers apply it and never choose it."""

    accent: str = "#1f3a5f"  # headings and rules, "#rrggbb"
    page_size: str = "A4"  # "A4" | "Letter"
    logo: bytes | None = None  # PNG or JPEG bytes, shown on the cover
    logo_alt: str = ""  # what the logo shows, for readers who cannot see it
    logo_decorative: bool = False  # the logo says nothing: assistive technology skips it


@dataclass(frozen=True)
class Brief:
    """A whole brief: title block, body blocks and the Sources annex."""

    name: str  # output file stem, e.g. "theme-russian-motives", "weekly-2019-W50"
    title: str
    subtitle: str
    subject: str
    keywords: tuple[str, ...]
    author: str
    created: datetime  # the date of issue, timezone-aware: SOURCE_DATE_EPOCH, else the build's day
    blocks: tuple[Block, ...]
    sources: tuple[SourceEntry, ...]
    language: str = "en"
    extra: dict = field(default_factory=dict, compare=False)  # writer-independent metadata
    # Every fixed word a writer prints comes from here, worded by templates and desk settings:
    # "sources" (annex heading), "contents" (table of contents heading), "page" (footer pattern
    # with {page} and {pages}), "notes" (heading of notes printed as a list, if a writer does).
    labels: dict = field(default_factory=dict, compare=False)
    classification: str = ""  # the desk's marking ("OFFICIAL"); "" = none
    marking: str = ""  # printed at the top and bottom of every page: the marking, and the
    # review copy's notice in the annotated edition
    running_head: str = ""  # e.g. the desk's name, in the page header
    organisation: str = ""  # the desk's organisation: with the desk's name, the author
    toc: bool = False  # show a table of contents (headings of level 1-2) after the cover
    cover: tuple[Block, ...] = ()  # lines under the title: desk, date of issue, reading time
    annex_intro: tuple[Block, ...] = ()  # before the source entries: the grading key, once
    style: Style = field(default_factory=Style)
    annotated: bool = False  # the desk's review edition (`--annotated`), not the readers'

    @property
    def cites(self) -> tuple[Cite, ...]:
        return tuple(c for b in self.blocks for c in b.cites)
