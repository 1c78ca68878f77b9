"""Model to HTML elements: runs and note markers, and each kind of block.

Text is escaped, never parsed: `<`, `&` and `{{ }}` from fact files print as they are. A run
with a link is an `<a>` (`#src_3`, `#note_4`, or a web address); a line's note marker is a
superscript link to its note (`#note_N`, `id="ref_N"`, the way back); adjacent markers are kept
apart by a comma, as in the other editions. Arabic-script text in a left-to-right line is a
span with `lang="ar"` and `dir="rtl"` (the spans of writers/bidi, as the other writers cut
them); the model gives runs no language of their own, so that is all the page can say.

`BLOCKS` maps each block kind to the function that writes it: a new kind is one more entry,
and `CONTAINERS` says which kinds a run of neighbouring blocks wraps (bullets: one `<ul>`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from html import escape
from typing import NamedTuple

from briefgen.compose.model import Block, Cite, Run
from briefgen.errors import BuildError
from briefgen.writers.bidi import first_strong_is_rtl, has_rtl, segments

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufefc]")
_WEB = ("https://", "http://", "mailto:")


class Inlines:
    """Writes runs and note markers of one page; records the characters it prints and the
    links it makes (`links`: every "#anchor" the page must hold)."""

    def __init__(self, rtl_page: bool, note_label: str):
        self.rtl_page = rtl_page  # a right-to-left page: lines take their own direction only
        self.note_label = note_label  # "Note {number}": how a marker is announced
        self.links: dict[str, str] = {}  # "#anchor" -> where it was used (for errors)
        self.texts: list[str] = []  # everything printed, for the fonts' subsets

    def text(self, text: str) -> str:
        """Literal text; Arabic-script spans of a left-to-right line marked as such."""
        self.texts.append(text)
        return _text_html(text, self.rtl_page)

    def runs(self, runs, where: str) -> str:
        """Model runs (Cites are left to `inlines`) as HTML."""
        out = []
        for run in runs:
            if not isinstance(run, Run) or not run.text:
                continue
            html = self.text(run.text)
            if run.italic:
                html = f"<em>{html}</em>"
            if run.bold:
                html = f"<strong>{html}</strong>"
            if run.link:
                html = f'<a href="{self.href(run.link, where)}">{html}</a>'
            out.append(html)
        return "".join(out)

    def href(self, link: str, where: str) -> str:
        if link.startswith("#"):
            self.links.setdefault(link, where)
        elif not link.startswith(_WEB):
            raise BuildError(f"{where}: link {link!r} is neither a place in the brief nor a web "
                             "address (hint: this is a bug in briefgen)")
        return escape(link)

    def inlines(self, block: Block, where: str) -> str:
        """A block's runs and note markers."""
        out = []
        after_marker = False
        for item in block.inlines:
            if isinstance(item, Cite):
                comma = "," if after_marker else ""
                label = escape(self.note_label.format(number=item.number))
                self.texts.append(str(item.number))
                out.append(f'<sup>{comma}<a href="{self.href("#" + item.anchor, where)}" '
                           f'id="ref_{item.number}" role="doc-noteref" aria-label="{label}">'
                           f"{item.number}</a></sup>")
                after_marker = True
            else:
                out.append(self.runs((item,), where))
                after_marker = after_marker and not item.text
        return "".join(out)

    def direction(self, text: str) -> str:
        """` dir="rtl"` for a line whose first strong character is right-to-left (as Word sets
        its paragraphs) on a left-to-right page, ` dir="ltr"` for the opposite."""
        rtl = first_strong_is_rtl(text)
        if rtl == self.rtl_page:
            return ""
        return ' dir="rtl"' if rtl else ' dir="ltr"'


@lru_cache(maxsize=8192)  # a brief repeats itself: sources' short forms, gradings, quote marks
def _text_html(text: str, rtl_page: bool) -> str:
    if rtl_page or not has_rtl(text):
        return _lines(escape(text, quote=False))
    out = []
    for piece, rtl in segments(text):
        body = _lines(escape(piece, quote=False))
        if rtl:
            lang = ' lang="ar"' if _ARABIC.search(piece) else ""
            out.append(f'<span{lang} dir="rtl">{body}</span>')
        else:
            out.append(body)
    return "".join(out)


def _lines(html: str) -> str:
    return html.replace("\n", "<br>") if "\n" in html else html


# --- blocks ----------------------------------------------------------------------------------


class Place(NamedTuple):
    """Where a block goes: its attributes (` id="sec_3"`), its origin for messages, and for a
    heading the level the page shows it at (writer.py: the outline never skips a level)."""

    attrs: str = ""
    where: str = ""
    level: int = 2


BlockWriter = Callable[[Inlines, Block, Place], str]


def heading(page: Inlines, block: Block, at: Place) -> str:
    h = f"h{at.level}"
    return f"<{h}{at.attrs}{page.direction(block.text)}>{page.inlines(block, at.where)}</{h}>"


def _element(tag: str, css: str | None = None) -> BlockWriter:
    cls = f' class="{css}"' if css else ""

    def write(page: Inlines, block: Block, at: Place) -> str:
        return (f"<{tag}{cls}{at.attrs}{page.direction(block.text)}>"
                f"{page.inlines(block, at.where)}</{tag}>")
    return write


def table(page: Inlines, block: Block, at: Place) -> str:
    """A table: its caption, its columns' widths, the header rows in `<thead>` (cells heading
    their column), the body rows (a header cell heads its row); a cell of several paragraphs
    has one `<p>` each."""
    problem = block.table_problem()
    if problem:
        raise BuildError(f"{at.where}: {problem}")
    whole = ' class="whole"' if block.keep_together else ""
    out = [f"<table{at.attrs}{whole}>"]
    if block.inlines:
        out.append(f"<caption>{page.inlines(block, at.where)}</caption>")
    if block.widths:
        total = sum(block.widths) or 1
        out.append("<colgroup>" + "".join(f'<col style="width:{w / total:.1%}">'
                                           for w in block.widths) + "</colgroup>")
    head = block.header_rows
    for n, row in enumerate(block.rows):
        if n == 0 and head:
            out.append("<thead>")
        if n == head:
            out.append("<tbody>")
        cells = []
        for cell in row:
            tag = "th" if cell.header else "td"
            scope = (' scope="col"' if n < head else ' scope="row"') if cell.header else ""
            lines = [page.runs(line, at.where) for line in cell.lines]
            body = "".join(f"<p>{line}</p>" for line in lines) if len(lines) > 1 \
                else "".join(lines)
            cells.append(f"<{tag}{scope}>{body}</{tag}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
        if n == head - 1:
            out.append("</thead>")
    if len(block.rows) > head:
        out.append("</tbody>")
    out.append("</table>")
    return "".join(out)


BLOCKS: dict[str, BlockWriter] = {
    "heading": heading,
    "table": table,
    "bullet": _element("li"),  # inside the list its neighbours share (CONTAINERS)
    "paragraph": _element("p"),
    "note": _element("p", "note"),  # editorial: a theme's summary, "nothing new this week"
    "judgment": _element("p", "judgment"),  # the desk's own judgment, set apart
}
# kinds whose neighbouring blocks share one element: its opening and closing tags
CONTAINERS = {"bullet": ('<ul class="lines">', "</ul>")}


def blocks_html(page: Inlines, blocks, ids: dict[int, str] | None = None,
                levels: dict[int, int] | None = None) -> list[str]:
    """The HTML of `blocks` in order; `ids`: block index -> its id; `levels`: block index ->
    the level a heading is shown at."""
    out: list[str] = []
    open_kind = None
    ids, levels = ids or {}, levels or {}
    for i, block in enumerate(blocks):
        write = BLOCKS.get(block.kind)
        where = block.origin or f"[{', '.join(block.fact_ids) or block.kind}]"
        if write is None:
            raise BuildError(f"{where}: unknown block kind {block.kind!r}")
        if open_kind is not None and block.kind != open_kind:
            out.append(CONTAINERS[open_kind][1])
            open_kind = None
        if open_kind is None and block.kind in CONTAINERS:
            out.append(CONTAINERS[block.kind][0])
            open_kind = block.kind
        attrs = f' id="{ids[i]}"' if i in ids else ""
        out.append(write(page, block, Place(attrs, where, levels.get(i, 2))))
    if open_kind is not None:
        out.append(CONTAINERS[open_kind][1])
    return out
