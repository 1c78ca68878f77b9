"""HTML writer: a Brief as one self-contained, accessible page (`brief.html`).

What the page holds, all from the brief model: the marking at the top and bottom, the title
block (logo, title as the one `h1`, subtitle, cover lines), an optional linked contents list,
the body (headings `h2`-`h6` in outline order, never skipping a level; bullets as lists;
paragraphs, editorial notes and judgments set apart), the notes as one ordered list (each
note's number leads back to its marker, each marker to its note), and the Sources annex (its
grading key, an entry per source with its `id`, `src_N`). Styles and the house style's fonts
(subsets, fonts.py) are inside the page: nothing is fetched when it is read. The same brief
always gives the same bytes.

Modules: this one (the page), `blocks` (runs, markers and each kind of block), `fonts`
(subsets as WOFF) and `style` (the stylesheet, screen and print).
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

from briefgen.compose.model import Brief, SourceEntry
from briefgen.errors import BuildError
from briefgen.writers.html.blocks import Inlines, blocks_html

FIXED_TEXT = ",0123456789 "  # what the page prints of its own: note numbers, commas between
# languages written right to left (the page's direction follows the brief's language)
RTL_LANGUAGES = frozenset(("ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "syr",
                           "ug", "ur", "yi"))


def render_html(brief: Brief, fonts_dir: Path) -> bytes:
    """Render `brief` as the bytes of one UTF-8 HTML page with the fonts of `fonts_dir`;
    BuildError if it cannot (a character no font has fails as in the PDF)."""
    from briefgen.writers.html import fonts
    from briefgen.writers.pdf.writer import check_glyphs  # the model's texts, no reportlab

    fontset = fonts.load(Path(fonts_dir))
    check_glyphs(brief, fontset, Path(fonts_dir), FIXED_TEXT)
    return Page(brief).html(fontset).encode("utf-8")


class Page:
    """One brief's page: its parts in reading order, then the head that styles them."""

    def __init__(self, brief: Brief):
        self.brief = brief
        self.labels = brief.labels
        self.rtl = brief.language.split("-")[0].lower() in RTL_LANGUAGES
        self.inl = Inlines(self.rtl, str(self.labels.get("note", "{number}")))
        self.ids: set[str] = set()

    def html(self, fontset) -> str:
        b, inl = self.brief, self.inl
        body = [*self.header(), *self.contents(), "<main>", *self.body(), *self.notes(),
                *self.annex(), "</main>", *self.footer()]
        self._check_links()
        printed = (b.running_head, b.title, b.marking, str(self.labels.get("page", "")))
        rules, families = fontset.font_faces(set("".join(inl.texts)).union(*printed))
        from briefgen.writers.html.style import stylesheet
        css = stylesheet(b.style.accent, b.style.page_size, families, b.marking,
                         b.running_head, b.title, str(self.labels.get("page", "")))
        head = ['<!DOCTYPE html>',
                f'<html lang="{_attr(b.language)}" dir="{"rtl" if self.rtl else "ltr"}">',
                "<head>", '<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f"<title>{escape(b.title)}</title>"]
        for name, value in (("author", b.author), ("description", b.subject),
                            ("keywords", ", ".join(b.keywords)), ("generator", "briefgen"),
                            ("dcterms.created", b.created.isoformat())):
            if value:
                head.append(f'<meta name="{name}" content="{_attr(value)}">')
        head += ["<style>", *rules, css, "</style>", "</head>", "<body>"]
        return "\n".join(head + body + ["</body>", "</html>", ""])

    # --- parts -------------------------------------------------------------------------------

    def marking(self) -> str:
        return f'<p class="marking">{self.inl.text(self.brief.marking)}</p>'

    def header(self) -> list[str]:
        b, inl = self.brief, self.inl
        out = ["<header>"]
        if b.marking:
            out.append(self.marking())
        out.append('<div class="page"><div class="cover">')
        if b.style.logo:
            alt = "" if b.style.logo_decorative else b.style.logo_alt
            out.append(f'<img class="logo" src="{_image(b.style.logo)}" alt="{_attr(alt)}">')
        out.append(f"<h1{inl.direction(b.title)}>{inl.text(b.title)}</h1>")
        if b.subtitle:
            out.append(f'<p class="subtitle"{inl.direction(b.subtitle)}>{inl.text(b.subtitle)}'
                       "</p>")
        for block in b.cover:
            out.append(f'<p class="cover-line"{inl.direction(block.text)}>'
                       f"{inl.runs(block.inlines, block.origin or 'cover')}</p>")
        out += ["</div></div>", "</header>"]
        return out

    def outline(self) -> dict[int, int]:
        """Block index -> the level (2-6) each body heading is shown at: the model's outline
        level, one below the title (the `h1`)."""
        return {i: min(b.level + 1, 6) for i, b in enumerate(self.brief.blocks)
                if b.kind == "heading"}

    def contents(self) -> list[str]:
        """A linked list of the sections (the top two levels of the outline), if asked for."""
        b, inl = self.brief, self.inl
        if not b.toc:
            return []
        entries = [(i, level) for i, level in self.outline().items() if level <= 3]
        if not entries:
            return []
        label = inl.text(str(self.labels.get("contents", "")))
        out = ['<nav class="page contents" aria-labelledby="contents">',
               f'<h2 id="contents">{label}</h2>', "<ol>"]
        self.ids.add("contents")
        depth = 2
        for n, (i, level) in enumerate(entries):
            if level > depth:
                out.append("<ol>")
            elif level < depth:
                out.append("</li></ol></li>")
            elif n:
                out.append("</li>")
            depth = level
            block = b.blocks[i]
            out.append(f'<li><a href="{inl.href(f"#sec_{i}", "contents")}">'
                       f"{inl.text(block.text.strip())}</a>")
        out.append("</li>" + "</ol></li>" * (depth - 2) + "</ol>")
        out.append("</nav>")
        return out

    def body(self) -> list[str]:
        levels = self.outline()
        ids = {i: f"sec_{i}" for i in levels}
        self.ids.update(ids.values())
        self.ids.update(f"ref_{c.number}" for c in self.brief.cites)
        return ['<div class="page">', *blocks_html(self.inl, self.brief.blocks, ids, levels),
                "</div>"]

    def notes(self) -> list[str]:
        """Every cited line's note, in order: its number leads back to the line's marker."""
        cites = self.brief.cites
        if not cites:
            return []
        inl = self.inl
        label = inl.text(str(self.labels.get("notes", "")))
        out = ['<section class="page notes" aria-labelledby="notes">',
               f'<h2 id="notes">{label}</h2>', "<ol>"]
        for n, cite in enumerate(cites, 1):
            value = "" if cite.number == n else f' value="{cite.number}"'
            inl.texts.append(str(cite.number))
            back = inl.href(f"#ref_{cite.number}", cite.anchor)
            out.append(f'<li id="{cite.anchor}"{value}><a href="{back}" role="doc-backlink">'
                       f"{cite.number}</a> "
                       f"<span>{inl.runs(cite.note, cite.fact_id)}</span></li>")
            self.ids.add(cite.anchor)
        out += ["</ol>", "</section>"]
        self.ids.add("notes")
        return out

    def annex(self) -> list[str]:
        """The Sources annex: an entry per source, then its parts (what the assessments rest
        on, the grading key), their headings one level below the annex's."""
        b, inl = self.brief, self.inl
        if not b.sources:
            return []
        label = inl.text(str(self.labels.get("sources", "")))
        out = ['<section class="page sources" aria-labelledby="sources">',
               f'<h2 id="sources">{label}</h2>']
        self.ids.add("sources")
        for source in b.sources:
            out += self.entry(source)
        levels = {i: 3 for i, block in enumerate(b.annex) if block.kind == "heading"}
        out += blocks_html(inl, b.annex, levels=levels)
        out.append("</section>")
        return out

    def entry(self, s: SourceEntry) -> list[str]:
        inl = self.inl
        where = f"[{s.id}]"
        if s.anchor in self.ids:
            raise BuildError(f"source {s.id}: anchor {s.anchor!r} is used twice in the brief")
        self.ids.add(s.anchor)
        label = s.label or str(s.number)
        inl.texts.append(label)
        out = ['<div class="entry">',
               f'<h3 id="{_attr(s.anchor)}"><span class="number">{escape(label)}</span> '
               f"<span>{inl.runs(s.heading, where)}</span></h3>"]
        out += [f"<p>{inl.runs(line, where)}</p>" for line in s.lines]
        out.append("</div>")
        return out

    def footer(self) -> list[str]:
        """The edition line of a brief that is sent, over the marking."""
        b = self.brief
        if not (b.marking or b.edition):
            return []
        edition = [f'<p class="edition">{self.inl.text(b.edition)}</p>'] if b.edition else []
        return ["<footer>", *edition, *([self.marking()] if b.marking else []), "</footer>"]

    def _check_links(self) -> None:
        """Every link inside the page lands on something the page holds."""
        for link, where in self.inl.links.items():
            if link[1:] not in self.ids:
                raise BuildError(f"{where}: link to {link} leads nowhere in the brief (hint: "
                                 "this is a bug in briefgen)")


def _attr(value: str) -> str:
    return escape(str(value), quote=True)


def _image(data: bytes) -> str:
    """The logo as a data: URL (PNG or JPEG, as the other writers read it)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif data.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    else:
        raise BuildError("the desk's logo cannot be read as PNG or JPEG")
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
