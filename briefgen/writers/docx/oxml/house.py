"""The Word writer's house style: palette and the paragraph/character styles it defines.

Used when no reference document is given, or for the styles a reference lacks. All XML here is
writer-authored (the accent colour is checked to be six hex digits): never user text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# House palette (used only when no reference document is given, or for styles it lacks).
NAVY = "1F3864"
ACCENT = "2E5597"
INK = "262626"
GREY = "595959"
LIGHT = "6B6B6B"  # the lightest text colour: 5.3:1 on white (WCAG AA asks 4.5:1)
RULE = "BFBFBF"

SHADE = "F2F4F7"
_HEX = re.compile(r"#?([0-9A-Fa-f]{6})")


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


_HEADING_PPR = ('<w:keepNext/><w:keepLines/><w:spacing w:before="{b}" w:after="{a}"/>'
                '<w:outlineLvl w:val="{lvl}"/>')

def house_styles(accent: str = "#" + NAVY) -> tuple[StyleSpec, ...]:
    """The house styles, headings and rules in the desk's accent colour ("#rrggbb")."""
    navy = accent_hex(accent)
    return _styles(navy, navy)


def accent_hex(accent: str) -> str:
    """"#1f3a5f" -> "1F3A5F"; the house navy for anything that is not six hex digits."""
    m = _HEX.fullmatch(accent or "")
    return m.group(1).upper() if m else NAVY


def _styles(NAVY: str, ACCENT: str) -> tuple[StyleSpec, ...]:
    # Names are Word's built-in ones where Word has the style (Title, heading 1, toc 1, ...),
    # so a reference document's own styles replace these.
    border = ('<w:pBdr><w:{side} w:val="single" w:sz="{sz}" w:space="{space}" '
              'w:color="{color}"/></w:pBdr>')
    return (
        StyleSpec("title", "paragraph", "Title", "Title", ui_priority=10, qformat=True,
                  next_key="subtitle",
                  ppr='<w:spacing w:before="0" w:after="80" w:line="240" w:lineRule="auto"/>',
                  rpr=_rpr(44, color=NAVY, bold=True, extra='<w:kern w:val="28"/>')),
        StyleSpec("subtitle", "paragraph", "Subtitle", "Subtitle", ui_priority=11, qformat=True,
                  ppr='<w:spacing w:before="0" w:after="120"/>', rpr=_rpr(24, color=GREY)),
        StyleSpec("cover", "paragraph", "BriefCover", "Brief Cover", ui_priority=12, qformat=True,
                  ppr='<w:spacing w:before="0" w:after="40"/>', rpr=_rpr(18, color=GREY)),
        StyleSpec("cover_end", "paragraph", "BriefCoverRule", "Brief Cover Rule", ui_priority=12,
                  ppr=border.format(side="bottom", sz=12, space=8, color=NAVY)
                  + '<w:spacing w:before="0" w:after="360" w:line="120" w:lineRule="exact"/>',
                  rpr=_rpr(6)),
        StyleSpec("h1", "paragraph", "Heading1", "heading 1", ui_priority=9, qformat=True,
                  ppr=_HEADING_PPR.format(b=360, a=120, lvl=0).replace(
                      "<w:spacing", border.format(side="bottom", sz=4, space=2, color=RULE)
                      + "<w:spacing"),
                  rpr=_rpr(32, color=NAVY, bold=True)),
        StyleSpec("h2", "paragraph", "Heading2", "heading 2", ui_priority=9, qformat=True,
                  ppr=_HEADING_PPR.format(b=300, a=100, lvl=1),
                  rpr=_rpr(26, color=ACCENT, bold=True)),
        StyleSpec("h3", "paragraph", "Heading3", "heading 3", ui_priority=9, qformat=True,
                  ppr=_HEADING_PPR.format(b=220, a=60, lvl=2), rpr=_rpr(22, color=INK, bold=True)),
        StyleSpec("bullet", "paragraph", "ListBullet", "List Bullet", ui_priority=99,
                  ppr='<w:spacing w:after="100"/><w:ind w:left="340" w:hanging="340"/>'),
        StyleSpec("note", "paragraph", "BriefNote", "Brief Note", ui_priority=20, qformat=True,
                  ppr=border.format(side="left", sz=18, space=8, color=ACCENT)
                  + '<w:spacing w:before="40" w:after="200"/><w:ind w:left="180"/>',
                  rpr=_rpr(20, color=GREY, italic=True)),
        StyleSpec("judgment", "paragraph", "BriefJudgment", "Brief Judgment", ui_priority=20,
                  qformat=True,
                  ppr='<w:keepLines/>' + border.format(side="left", sz=24, space=8, color=NAVY)
                  + f'<w:shd w:val="clear" w:color="auto" w:fill="{SHADE}"/>'
                  '<w:spacing w:before="120" w:after="160"/><w:ind w:left="180" w:right="120"/>',
                  rpr=_rpr(20, color=INK)),
        StyleSpec("key", "paragraph", "BriefGradingKey", "Brief Grading Key", ui_priority=25,
                  ppr='<w:spacing w:after="60" w:line="240" w:lineRule="auto"/>',
                  rpr=_rpr(17, color=GREY)),
        StyleSpec("toc_heading", "paragraph", "TOCHeading", "TOC Heading", ui_priority=39,
                  ppr='<w:keepNext/><w:spacing w:before="120" w:after="120"/>',
                  rpr=_rpr(26, color=NAVY, bold=True)),
        StyleSpec("toc1", "paragraph", "TOC1", "toc 1", ui_priority=39,
                  ppr='<w:spacing w:after="60"/>', rpr=_rpr(20, bold=True)),
        StyleSpec("toc2", "paragraph", "TOC2", "toc 2", ui_priority=39,
                  ppr='<w:spacing w:after="40"/><w:ind w:left="240"/>', rpr=_rpr(20)),
        StyleSpec("fn_text", "paragraph", "FootnoteText", "footnote text", ui_priority=99,
                  ppr='<w:spacing w:after="40" w:line="240" w:lineRule="auto"/>'
                      '<w:ind w:left="284" w:hanging="284"/>', rpr=_rpr(16)),
        StyleSpec("fn_ref", "character", "FootnoteReference", "footnote reference", ui_priority=99,
                  rpr='<w:vertAlign w:val="superscript"/>'),
        StyleSpec("hyperlink", "character", "Hyperlink", "Hyperlink", ui_priority=99,
                  rpr=f'<w:color w:val="{NAVY}"/><w:u w:val="single"/>'),
        StyleSpec("src_heading", "paragraph", "SourceHeading", "Source Heading", ui_priority=21,
                  ppr='<w:keepNext/><w:keepLines/><w:tabs><w:tab w:val="left" w:pos="454"/>'
                      '</w:tabs><w:spacing w:before="200" w:after="40"/>'
                      '<w:ind w:left="454" w:hanging="454"/>',
                  rpr=_rpr(19, color=NAVY, bold=True)),
        StyleSpec("src_line", "paragraph", "SourceLine", "Source Line", ui_priority=22,
                  ppr='<w:keepLines/><w:spacing w:after="30" w:line="240" w:lineRule="auto"/>'
                      '<w:ind w:left="454"/>',
                  rpr=_rpr(17, color=INK)),
        StyleSpec("cell", "paragraph", "BriefTableText", "Brief Table Text", ui_priority=23,
                  ppr='<w:spacing w:before="0" w:after="40" w:line="240" w:lineRule="auto"/>',
                  rpr=_rpr(17, color=INK)),
        StyleSpec("cell_head", "paragraph", "BriefTableHeading", "Brief Table Heading",
                  ui_priority=23, ppr='<w:keepNext/><w:spacing w:before="0" w:after="40" '
                  'w:line="240" w:lineRule="auto"/>', rpr=_rpr(17, color=INK, bold=True)),
        StyleSpec("caption", "paragraph", "Caption", "caption", ui_priority=35, qformat=True,
                  ppr='<w:keepNext/><w:spacing w:before="120" w:after="60"/>',
                  rpr=_rpr(18, color=INK, bold=True)),
        StyleSpec("header", "paragraph", "Header", "header", ui_priority=99,
                  ppr=border.format(side="bottom", sz=4, space=4, color=RULE)
                  + '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
                  rpr=_rpr(16, color=LIGHT)),
        StyleSpec("footer", "paragraph", "Footer", "footer", ui_priority=99,
                  ppr=border.format(side="top", sz=4, space=4, color=RULE)
                  + '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
                  rpr=_rpr(16, color=LIGHT)),
        StyleSpec("marking", "paragraph", "BriefMarking", "Brief Marking", ui_priority=26,
                  ppr='<w:spacing w:after="60" w:line="240" w:lineRule="auto"/>'
                      '<w:jc w:val="center"/>',
                  rpr=_rpr(18, color=INK, bold=True)),
    )
