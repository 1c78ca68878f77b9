"""Paragraphs of WordprocessingML written as XML text, then parsed by lxml in one go.

Right-to-left pieces (found by `writers.bidi`) are runs marked `w:rtl` with the complex-script
font (python-docx has no API for that).

A long brief has tens of thousands of runs; building each as lxml elements one call at a time was
half the time of writing the .docx. Here a paragraph collects its runs, serialises them as
text and a whole body of paragraphs is parsed at once. Text from fact files is always escaped
into character data (or refused, if XML cannot hold it), never spliced in as markup.
"""

from __future__ import annotations

import re
from html import escape

from briefgen.writers.bidi import segments

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# What XML 1.0 cannot hold (lxml refuses the same when text is set on an element).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile(r"(\r\n|[\t\n\r])")
_TEXT_OPEN = '<w:t xml:space="preserve">'
ARABIC_FONT = "Noto Naskh Arabic"
LRM = "\u200e"  # starts the text after an Arabic run in a left-to-right paragraph

def _text(text: str) -> str:
    if _NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes "
                         "or control characters")
    return escape(text, quote=False)


def _attr(value: str) -> str:
    _text(value)
    return escape(value, quote=True)


def run_properties(*, style: str | None = None, bold: bool = False, italic: bool = False,
                   color: str | None = None, size: int | None = None, superscript: bool = False,
                   underline: bool = False, rtl: bool = False) -> str:
    """A `w:rPr` in schema order, as XML text; empty when there is nothing to say."""
    if not (style or bold or italic or color or size or superscript or underline or rtl):
        return ""
    out = ["<w:rPr>"]
    if style:
        out.append(f'<w:rStyle w:val="{_attr(style)}"/>')
    if rtl:
        out.append(f'<w:rFonts w:cs="{ARABIC_FONT}" w:hint="cs"/>')
    if bold:
        out.append("<w:b/><w:bCs/>")
    if italic:
        out.append("<w:i/><w:iCs/>")
    if color:
        out.append(f'<w:color w:val="{_attr(color)}"/>')
    if size:
        out.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    if underline:
        out.append('<w:u w:val="single"/>')
    if superscript:
        out.append('<w:vertAlign w:val="superscript"/>')
    if rtl:
        out.append("<w:rtl/>")
    out.append("</w:rPr>")
    return "".join(out)


class Para:
    """A `w:p` under construction: paragraph properties, then runs and markup in order.

    `isolate_rtl()` asks for a LEFT-TO-RIGHT MARK at the start of the text after each
    right-to-left run, so punctuation and numbers that follow ("”, 28 August") are not pulled
    into the Arabic phrase by the bidi algorithm (for left-to-right paragraphs).
    """

    __slots__ = ("items", "isolate")

    def __init__(self, style_id: str | None = None, *, keep_next: bool = False,
                 page_break_before: bool = False, bidi: bool = False, jc: str | None = None):
        ppr = ""
        if style_id or keep_next or page_break_before or bidi or jc:
            ppr = "".join(["<w:pPr>",
                           f'<w:pStyle w:val="{_attr(style_id)}"/>' if style_id else "",
                           "<w:keepNext/>" if keep_next else "",
                           "<w:pageBreakBefore/>" if page_break_before else "",
                           "<w:bidi/>" if bidi else "",
                           f'<w:jc w:val="{_attr(jc)}"/>' if jc else "", "</w:pPr>"])
        # Items: XML text (markup that is not a text run), or [rPr, rtl, text] for a text run.
        self.items: list = ["<w:p>" + ppr]
        self.isolate = False

    def add_text(self, text: str, **props) -> Para:
        """Literal text as runs; right-to-left pieces get their own run marked `w:rtl` with the
        complex-script font, so Word and LibreOffice shape and order them correctly."""
        if text:
            _text(text)  # refuse what XML cannot hold before anything is kept
            for piece, rtl in segments(text):
                self.items.append([run_properties(rtl=rtl, **props), rtl, piece])
        return self

    def isolate_rtl(self) -> None:
        self.isolate = True

    def markup(self, xml: str) -> None:
        """Writer-made markup (bookmarks, hyperlink tags, fields): never fact text."""
        self.items.append(xml)

    def bookmark_start(self, bookmark_id: int, name: str) -> None:
        self.markup(f'<w:bookmarkStart w:id="{bookmark_id}" w:name="{_attr(name)}"/>')

    def bookmark_end(self, bookmark_id: int) -> None:
        self.markup(f'<w:bookmarkEnd w:id="{bookmark_id}"/>')

    def link_to_bookmark(self, anchor: str, text: str, **props) -> None:
        """A `w:hyperlink` to a bookmark of this document, showing `text`."""
        self._link(f'w:anchor="{_attr(anchor)}"', text, props)

    def link_to_target(self, rel_id: str, text: str, **props) -> None:
        """A `w:hyperlink` to the external target of relationship `rel_id`, showing `text`."""
        self._link(f'r:id="{_attr(rel_id)}"', text, props)

    def _link(self, target: str, text: str, props: dict) -> None:
        self.markup(f'<w:hyperlink {target} w:history="1">')
        self.add_text(text, **props)
        self.markup("</w:hyperlink>")

    def footnote_reference(self, footnote_id: int, style_id: str) -> None:
        """The body run that places footnote `footnote_id` (Word numbers it automatically)."""
        self._styled_run(style_id, f'<w:footnoteReference w:id="{footnote_id}"/>')

    def footnote_ref_mark(self, style_id: str) -> None:
        """The run inside a footnote that shows its own number."""
        self._styled_run(style_id, "<w:footnoteRef/>")

    def _styled_run(self, style_id: str, content: str) -> None:
        self.markup(f'<w:r><w:rPr><w:rStyle w:val="{_attr(style_id)}"/></w:rPr>{content}</w:r>')

    def field(self, instruction: str, placeholder: str) -> None:
        """A complex field (`PAGE`, `NUMPAGES`, ...) with a cached result Word refreshes."""
        self.markup('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                    f'<w:r><w:instrText xml:space="preserve"> {_text(instruction)} </w:instrText>'
                    '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                    f"<w:r><w:t>{_text(placeholder)}</w:t></w:r>"
                    '<w:r><w:fldChar w:fldCharType="end"/></w:r>')

    def xml(self) -> str:
        out: list[str] = []
        put = out.append
        after_rtl = False
        for item in self.items:
            if item.__class__ is str:
                put(item)
                continue
            rpr, rtl, text = item
            put("<w:r>")
            put(rpr)
            needs_lrm = after_rtl and self.isolate and not rtl  # before this run's first text
            for piece in _SPECIAL.split(text) if _SPECIAL.search(text) else (text,):
                if piece == "\t":  # tabs and line breaks become w:tab / w:br
                    put("<w:tab/>")
                elif piece in ("\n", "\r", "\r\n"):
                    put("<w:br/>")
                elif piece:
                    if needs_lrm:
                        piece, needs_lrm = LRM + piece, False
                    put(_TEXT_OPEN + escape(piece, quote=False) + "</w:t>")
                    after_rtl = rtl
            if rtl:  # a left-to-right run with no text leaves the state as it was
                after_rtl = True
            put("</w:r>")
        put("</w:p>")
        return "".join(out)


def parse(xml: str, wrapper: str = "body") -> list:
    """Elements from XML text made here: `w:` and `r:` prefixes declared around it."""
    from lxml import etree

    root = etree.fromstring(f'<w:{wrapper} xmlns:w="{W_NS}" xmlns:r="{R_NS}">{xml}</w:{wrapper}>')
    return list(root)
