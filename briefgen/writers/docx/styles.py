"""The Word writer's house style: palette and the paragraph/character styles it defines.

Used when no reference document is given, or for the styles a reference lacks. All XML here is
constant and writer-authored: never user text.
"""

from __future__ import annotations

from dataclasses import dataclass

# House palette (used only when no reference document is given, or for styles it lacks).
NAVY = "1F3864"
ACCENT = "2E5597"
INK = "262626"
GREY = "595959"
LIGHT = "7F7F7F"
RULE = "BFBFBF"

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}



@dataclass(frozen=True)
class StyleSpec:
    key: str
    type: str  # "paragraph" | "character"
    style_id: str
    name: str  # Word's internal (built-in) name; matched case-insensitively
    ppr: str = ""  # constant, writer-authored XML; never user text
    rpr: str = ""
    ui_priority: int | None = None
    qformat: bool = False
    next_key: str | None = None


def _rpr(size: int, *, color: str | None = None, bold: bool = False, italic: bool = False,
         extra: str = "") -> str:
    out = ""
    if bold:
        out += "<w:b/><w:bCs/>"
    if italic:
        out += "<w:i/><w:iCs/>"
    if color:
        out += f'<w:color w:val="{color}"/>'
    out += extra
    # Naskh is small on the body: complex-script text gets one point more.
    out += f'<w:sz w:val="{size}"/><w:szCs w:val="{size + 2}"/>'
    return out


_HEADING_PPR = '<w:keepNext/><w:keepLines/><w:spacing w:before="{b}" w:after="{a}"/><w:outlineLvl w:val="{lvl}"/>'

STYLES: tuple[StyleSpec, ...] = (
    StyleSpec("title", "paragraph", "Title", "Title", ui_priority=10, qformat=True, next_key="subtitle",
               ppr='<w:spacing w:before="0" w:after="80" w:line="240" w:lineRule="auto"/>',
               rpr=_rpr(44, color=NAVY, bold=True, extra='<w:kern w:val="28"/>')),
    StyleSpec("subtitle", "paragraph", "Subtitle", "Subtitle", ui_priority=11, qformat=True,
               ppr='<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="8" w:color="' + NAVY + '"/>'
                   '</w:pBdr><w:spacing w:before="0" w:after="360"/>',
               rpr=_rpr(24, color=GREY)),
    StyleSpec("h1", "paragraph", "Heading1", "heading 1", ui_priority=9, qformat=True,
               ppr=_HEADING_PPR.format(b=360, a=120, lvl=0).replace(
                   "<w:spacing", '<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="2" w:color="'
                   + RULE + '"/></w:pBdr><w:spacing'),
               rpr=_rpr(32, color=NAVY, bold=True)),
    StyleSpec("h2", "paragraph", "Heading2", "heading 2", ui_priority=9, qformat=True,
               ppr=_HEADING_PPR.format(b=300, a=100, lvl=1), rpr=_rpr(26, color=ACCENT, bold=True)),
    StyleSpec("h3", "paragraph", "Heading3", "heading 3", ui_priority=9, qformat=True,
               ppr=_HEADING_PPR.format(b=220, a=60, lvl=2), rpr=_rpr(22, color=INK, bold=True)),
    StyleSpec("bullet", "paragraph", "ListBullet", "List Bullet", ui_priority=99,
               ppr='<w:spacing w:after="100"/><w:ind w:left="340" w:hanging="340"/>'),
    StyleSpec("note", "paragraph", "BriefNote", "Brief Note", ui_priority=20, qformat=True,
               ppr='<w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="' + ACCENT + '"/>'
                   '</w:pBdr><w:spacing w:before="40" w:after="200"/><w:ind w:left="180"/>',
               rpr=_rpr(20, color=GREY, italic=True)),
    StyleSpec("fn_text", "paragraph", "FootnoteText", "footnote text", ui_priority=99,
               ppr='<w:spacing w:after="40" w:line="240" w:lineRule="auto"/>', rpr=_rpr(16)),
    StyleSpec("fn_ref", "character", "FootnoteReference", "footnote reference", ui_priority=99,
               rpr='<w:vertAlign w:val="superscript"/>'),
    StyleSpec("hyperlink", "character", "Hyperlink", "Hyperlink", ui_priority=99,
               rpr=f'<w:color w:val="{ACCENT}"/><w:u w:val="single"/>'),
    StyleSpec("src_heading", "paragraph", "SourceHeading", "Source Heading", ui_priority=21,
               ppr='<w:keepNext/><w:keepLines/><w:spacing w:before="280" w:after="60"/>'
                   '<w:ind w:left="1701" w:hanging="1701"/>',
               rpr=_rpr(20, color=NAVY, bold=True)),
    StyleSpec("src_field", "paragraph", "SourceField", "Source Field", ui_priority=22,
               ppr='<w:keepNext/><w:keepLines/><w:tabs><w:tab w:val="left" w:pos="1701"/></w:tabs>'
                   '<w:spacing w:after="20" w:line="240" w:lineRule="auto"/>'
                   '<w:ind w:left="1701" w:hanging="1701"/>',
               rpr=_rpr(18, color=INK)),
    StyleSpec("src_quote", "paragraph", "SourceQuote", "Source Quote", ui_priority=23,
               ppr='<w:keepNext/><w:keepLines/><w:tabs><w:tab w:val="left" w:pos="1701"/></w:tabs>'
                   '<w:spacing w:before="60" w:after="0" w:line="240" w:lineRule="auto"/>'
                   '<w:ind w:left="1701" w:hanging="1701"/>',
               rpr=_rpr(18, color=INK)),
    StyleSpec("src_cited", "paragraph", "SourceCitedBy", "Source Cited By", ui_priority=24,
               ppr='<w:keepLines/><w:spacing w:before="20" w:after="60"/><w:ind w:left="1701"/>',
               rpr=_rpr(16, color=LIGHT)),
    StyleSpec("header", "paragraph", "Header", "header", ui_priority=99,
               ppr='<w:pBdr><w:bottom w:val="single" w:sz="4" w:space="4" w:color="' + RULE + '"/>'
                   '</w:pBdr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
               rpr=_rpr(16, color=LIGHT)),
    StyleSpec("footer", "paragraph", "Footer", "footer", ui_priority=99,
               ppr='<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>', rpr=_rpr(16, color=LIGHT)),
)
