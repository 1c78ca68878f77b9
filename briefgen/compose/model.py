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
    label: str = ""  # what hangs before the entry, e.g. "S3": never mistaken for a note number
    heading: tuple[Run, ...] = ()  # e.g. "NATO Watch, “NATO returns to Libya ...”"
    lines: tuple[tuple[Run, ...], ...] = ()  # each a paragraph of the entry
    archived: str = ""  # when the archived copy was made, worded; "" when the fact base says not


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
    translation: str = ""  # the quote in the desk's language, when the source is in another
    translator: str = ""  # who translated it, when not the desk


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
class Cell:
    """One cell of a table: its paragraphs (each a tuple of runs, links in the runs).

    `header`: a header cell. In the table's header rows (its first rows, every cell a header)
    it heads its column; in a body row it heads its row (e.g. the judgment a row is about)."""

    lines: tuple[tuple[Run, ...], ...]
    header: bool = False

    @property
    def text(self) -> str:
        """The cell's plain text, its paragraphs on lines of their own."""
        return "\n".join("".join(r.text for r in line) for line in self.lines)


@dataclass(frozen=True)
class Block:
    """A heading, bullet, body paragraph, editorial note or table, made of inline runs and cites.

    Bullets and paragraphs always carry at least one Cite (the composer enforces it);
    headings, notes (theme summaries, "nothing new") and tables are exempt.

    A table (`kind="table"`) holds its cells in `rows` (every row as many cells as `widths`
    has columns; no cell spans two), its header rows first, and its caption in `inlines`
    (empty: none). A writer keeps each row whole, and repeats the header rows on every page
    a long table continues on; a table to `keep_together` starts a new page rather than split.
    """

    kind: str  # "heading" | "bullet" | "paragraph" | "note" | "judgment" | "table"
    inlines: tuple[Inline, ...]
    level: int = 0  # a heading's level in the brief's outline: 1 (a part), 2, ... (never
    # skipping one: the composer sees to it); 0 for other blocks
    fact_ids: tuple[str, ...] = ()  # facts shown in this block (for error messages)
    origin: str = ""  # template location, e.g. "templates/theme.md.j2:12"
    rows: tuple[tuple[Cell, ...], ...] = ()  # a table's rows
    widths: tuple[float, ...] = ()  # a table's columns: each one's share of the width
    keep_together: bool = False  # a table read at a glance (a key): on one page if it fits

    @property
    def header_rows(self) -> int:
        """How many of a table's first rows are its header (every cell a header cell)."""
        n = 0
        for row in self.rows:
            if not row or not all(c.header for c in row):
                break
            n += 1
        return n

    def table_problem(self) -> str:
        """What is wrong with a table's shape, for a writer's error ("" when nothing is)."""
        columns = (len(self.widths) or len(self.rows[0])) if self.rows else 0
        if not columns:
            return "a table with no cells"
        if any(len(row) != columns for row in self.rows):
            return f"a table whose rows do not all have its {columns} columns"
        return ""

    @property
    def runs(self) -> tuple[Run, ...]:
        """Every run the block prints outside its notes: its inlines and a table's cells."""
        inline = tuple(i for i in self.inlines if isinstance(i, Run))
        return inline + tuple(r for row in self.rows for c in row for line in c.lines
                              for r in line)

    @property
    def text(self) -> str:
        """The block's plain text without citation markers."""
        return "".join(i.text for i in self.inlines if isinstance(i, Run))

    @property
    def cites(self) -> tuple[Cite, ...]:
        return tuple(i for i in self.inlines if isinstance(i, Cite))


@dataclass(frozen=True)
class Section:
    """A theme the brief covers and the developments of it that the brief prints anywhere
    (under the theme's heading, among the key points, or under another of its themes): the one
    count of a theme's developments, for the brief and the e-mail that carries it."""

    id: str
    title: str
    facts: tuple[str, ...] = ()  # the fact ids, in the order the brief prints them


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
    """A whole brief: title block, body blocks and the annex (source list, then its parts)."""

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
    # The annex: the "sources" label as its heading, the source entries (`sources`), then
    # these parts: what the assessments rest on, the grading key (headings, paragraphs, tables)
    annex: tuple[Block, ...] = ()
    style: Style = field(default_factory=Style)
    annotated: bool = False  # the desk's review edition (`--annotated`), not the readers'
    sections: tuple[Section, ...] = ()  # the themes covered, with what the brief prints of each
    # The edition line of a brief that is sent: the footer of every page (its short edition id;
    # a corrected edition says what it corrects). "" for a brief that is only built.
    edition: str = ""

    @property
    def cites(self) -> tuple[Cite, ...]:
        return tuple(c for b in self.blocks for c in b.cites)
