"""The page's stylesheet: the house style on screen (any width) and on paper.

One inline `<style>`: nothing is fetched when the page is read. The desk's accent colours
headings, rules and links; links are underlined, not told apart by colour alone. On paper the
page size is the desk's, the marking stands at the top and bottom of every page and the page
label ("Page 3 of 9", worded by the model) at the foot, in the page's margin boxes; headings
stay with what follows them, a line or note is not split, and the Sources start a new page.
"""

from __future__ import annotations

import re

INK, SLATE, RULE, SHADE = "#1f2328", "#5b6573", "#c3cbd5", "#f2f4f7"  # the PDF's palette
TARGET = "#fff4c2"  # the note or entry a link just led to
SYSTEM_FONTS = ('system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",'
                'Arial,"Noto Naskh Arabic","Geeza Pro",Tahoma,sans-serif')
PAGE_SIZES = {"A4": "A4", "Letter": "letter"}
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_PLACEHOLDER = re.compile(r"\b(?:INK|SLATE|RULE|SHADE|TARGET|ACCENT|FONTS|SIZE|RUNNING|MARKING"
                          r"|TITLE|PAGELABEL)\b")
_CSS_UNSAFE = re.compile(r'[^ !#$%\'()*+,\-./0-9:;=?@A-Z\[\]^_`a-z{|}~\u00a0-\U0010ffff]')

SCREEN = """\
*,*::before,*::after{box-sizing:border-box}
html{font-family:FONTS;color:INK;background:#fff;line-height:1.55;-webkit-text-size-adjust:100%;
text-size-adjust:100%;font-size:100%;overflow-wrap:break-word}
body{margin:0}
.page{max-width:46rem;margin:0 auto;padding:0 1.25rem}
.marking{margin:0;padding:.35rem 1rem;text-align:center;font-weight:700;font-size:.85rem;
letter-spacing:.04em;background:SHADE}
header .marking{border-bottom:1px solid RULE}
footer .marking{border-top:1px solid RULE;margin-top:3rem}
footer .edition{max-width:46rem;margin:3rem auto 0;padding:0 1.25rem;font-size:.8rem;color:SLATE}
footer .edition+.marking{margin-top:.5rem}
.cover{padding-top:1.75rem;padding-bottom:1rem;border-bottom:2px solid ACCENT;margin-bottom:1.5rem}
.logo{display:block;max-height:4.5rem;max-width:100%;width:auto;margin-bottom:1rem}
h1,h2,h3,h4,h5,h6{color:ACCENT;line-height:1.25;font-weight:700}
h1{font-size:2rem;margin:0 0 .35rem}
h2{font-size:1.4rem;margin:2.25rem 0 .6rem}
h3{font-size:1.15rem;margin:1.5rem 0 .4rem}
h4,h5,h6{font-size:1rem;color:INK;margin:1.25rem 0 .3rem}
.subtitle{color:SLATE;font-size:1.2rem;margin:0 0 .6rem}
.cover-line{color:SLATE;font-size:.9rem;margin:0}
p{margin:0 0 .8rem}
ul.lines{margin:0 0 1rem;padding-inline-start:1.3rem}
ul.lines>li{margin:0 0 .45rem;padding-inline-start:.2rem}
ul.lines>li::marker{color:ACCENT}
.judgment{background:SHADE;border-inline-start:3px solid ACCENT;padding:.75rem 1rem;
margin:.9rem 0 1.1rem}
.note{font-style:italic;color:SLATE;border-inline-start:2px solid ACCENT;padding-inline-start:.8rem}
a{color:ACCENT;text-decoration:underline;text-decoration-thickness:1px;text-underline-offset:.15em}
a:hover{text-decoration-thickness:2px}
a:focus-visible{outline:2px solid ACCENT;outline-offset:2px;border-radius:2px}
sup{line-height:0;font-size:.72em}
sup a{padding:0 .1em}
:target{background:TARGET;scroll-margin-top:1.5rem}
nav.contents ol{padding-inline-start:1.3rem}
.notes ol{list-style:none;margin:0;padding:0}
.notes li{display:flex;gap:.6rem;font-size:.9rem;margin:0 0 .55rem;padding:.15rem 0}
.notes li>a:first-child{flex:0 0 2.2rem;text-align:end}
.notes li>span{flex:1 1 auto;min-width:0;overflow-wrap:anywhere}
.key p{font-size:.9rem;color:SLATE;margin:0 0 .45rem}
.key .note{border:0;padding-inline-start:1.2rem;font-size:.85rem}
.key .judgment{background:none;border:0;padding:0;margin:1rem 0 .45rem;color:INK}
table{border-collapse:collapse;width:100%;table-layout:fixed;margin:.6rem 0 1rem;
font-size:.9rem}
caption{text-align:start;font-weight:700;margin:0 0 .3rem}
th,td{border-bottom:1px solid RULE;padding:.3rem .45rem;text-align:start;vertical-align:top;
overflow-wrap:anywhere}
thead th{border-bottom:2px solid ACCENT}
th p,td p{margin:0 0 .25rem}
table.whole{break-inside:avoid}
.entry{margin:1.1rem 0 0}
.entry h3{font-size:1rem;margin:0 0 .2rem;display:flex;gap:.6rem}
.entry h3>.number{flex:0 0 2.2rem;text-align:end}
.entry p{font-size:.9rem;margin:0 0 .15rem;padding-inline-start:2.8rem;overflow-wrap:anywhere}
@media (max-width:36rem){html{font-size:93.75%}.page{padding:0 .9rem}h1{font-size:1.65rem}
h2{font-size:1.25rem}.entry p{padding-inline-start:0}.notes li>a:first-child{flex-basis:1.6rem}}
"""

PRINT = """\
@page{size:SIZE;margin:24mm 22mm 22mm;
@top-left{content:RUNNING;font:7.5pt FONTS;color:SLATE}
@top-center{content:MARKING;font:700 8.5pt FONTS;color:INK}
@top-right{content:TITLE;font:7.5pt FONTS;color:SLATE}
@bottom-center{content:MARKING;font:700 8.5pt FONTS;color:INK}
@bottom-right{content:PAGELABEL;font:7.5pt FONTS;color:SLATE}}
@media print{html{font-size:10pt;line-height:1.45}
.page{max-width:none;padding:0}
header .marking,footer .marking{display:none}
a{color:inherit}
sup a,.notes a,.entry a{color:ACCENT}
h1,h2,h3,h4,h5,h6{break-after:avoid;break-inside:avoid}
li,.judgment,.note,.notes li,.key p{break-inside:avoid}
p{orphans:3;widows:3}
.sources{break-before:page}
.entry{break-inside:avoid}
.entry h3{break-after:avoid}
:target{background:none}}
"""


def stylesheet(accent: str, page_size: str, families: list[str], marking: str,
               running_head: str, title: str, page_label: str) -> str:
    """The CSS of a page: `families` (the embedded fonts' CSS names) before the system fonts;
    the running head, title, marking and page label in the printed pages' margins."""
    fonts = ",".join([f'"{name}"' for name in families] + [SYSTEM_FONTS])
    colours = {"INK": INK, "SLATE": SLATE, "RULE": RULE, "SHADE": SHADE, "TARGET": TARGET,
               "ACCENT": accent if _HEX.fullmatch(accent or "") else INK, "FONTS": fonts}
    printed = {"SIZE": PAGE_SIZES.get(page_size, "A4"), "RUNNING": css_string(running_head),
               "MARKING": css_string(marking), "TITLE": css_string(title),
               "PAGELABEL": page_counter(page_label)}
    values = printed | colours
    # one pass: a value put in (a title, a marking) is never read as a placeholder itself
    return _PLACEHOLDER.sub(lambda m: values[m.group()], SCREEN + PRINT)


def css_string(text: str) -> str:
    """`text` as a CSS string literal that cannot end the string or the `<style>` element."""
    escaped = _CSS_UNSAFE.sub(lambda m: f"\\{ord(m.group()):x} ", text or "")
    return f'"{escaped}"'


def page_counter(pattern: str) -> str:
    """A page label pattern ("Page {page} of {pages}") as CSS `content` with page counters."""
    parts = re.split(r"(\{pages?\})", pattern or "")
    out = [("counter(pages)" if p == "{pages}" else "counter(page)") if p in ("{page}", "{pages}")
           else css_string(p) for p in parts if p]
    return " ".join(out) or '""'
