"""The HTML edition read back as HTML (lxml): structure, words, links, languages, fonts, print
styles, reproducibility. The page in a real browser: test_html_browser.py."""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import replace

import lxml.html
import pytest
import uharfbuzz

from briefgen.compose.model import Block, Run, Style
from briefgen.errors import BuildError
from briefgen.writers.html.writer import render_html
from briefgen.writers.pdf.writer import MissingGlyphError
from conftest import ARABIC, ROOT, TRICKY, full_sample, logo_png, sample_brief

FONTS = ROOT / "briefgen" / "resources" / "fonts"


def page(brief) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(render_html(brief, FONTS))


def text(el) -> str:
    return " ".join(el.text_content().split())


@pytest.fixture(scope="module")
def sample():
    return page(full_sample())


def test_headings_go_from_the_title_down_one_level_at_a_time(sample):
    headings = [(int(h.tag[1]), text(h)) for h in sample.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert headings[0] == (1, "NATO security assistance")  # the title, the only h1
    assert [level for level, _ in headings].count(1) == 1
    # model levels 1, 3, 2, 2 under the title: Overview, Detail below it, then the sections
    # level 2 sits below Overview (level 1) as Detail does
    assert headings[1:6] == [(2, "Contents"), (2, "Overview"), (3, "Detail"),
                             (3, "NATO security assistance"), (3, "Haftar’s motives")]
    assert headings[6:8] == [(2, "Notes"), (2, "Sources")]
    # the annex entries, then the annex's parts (the grading key), one level below "Sources"
    assert [level for level, _ in headings[8:]] == [3] * len(headings[8:])
    levels = [level for level, _ in headings]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))  # never a skipped level


def test_text_from_fact_files_is_text_not_markup(sample):
    body = text(sample.body)
    assert TRICKY in body
    assert not sample.xpath("//main//b")  # "<b>bold?</b>" stayed text
    html = render_html(full_sample(), FONTS).decode()
    assert "&lt;b&gt;bold?&lt;/b&gt; &amp; {{ 7*7 }}" in html


def test_bullets_are_one_list_per_section_and_judgments_and_notes_are_set_apart():
    brief = sample_brief(lines=4)
    judgment = Block("judgment", (Run("We judge it likely that NATO stays out. "),
                                  brief.cites[0]), origin="t.md.j2:20")
    html = page(replace(brief, blocks=brief.blocks + (judgment,)))
    lists = html.xpath("//main//ul")
    assert [len(ul.findall("li")) for ul in lists] == [2, 2]  # two sections, two lines each
    assert [text(p) for p in html.xpath("//main//p[@class='note']")] == [
        "What NATO offers Libya and on what terms."]
    assert text(html.xpath("//main//p[@class='judgment']")[0]).startswith(
        "We judge it likely that NATO stays out.")


def test_each_marker_leads_to_its_note_and_each_note_back_to_its_marker(sample):
    brief = full_sample()
    markers = sample.xpath("//main//sup/a")
    assert [(a.get("href"), a.get("id"), text(a)) for a in markers] == [
        (f"#note_{c.number}", f"ref_{c.number}", str(c.number)) for c in brief.cites]
    assert [a.get("aria-label") for a in markers] == [f"Note {c.number}" for c in brief.cites]
    notes = sample.xpath("//section[@class='page notes']/ol/li")
    assert [li.get("id") for li in notes] == [c.anchor for c in brief.cites]
    for li, cite in zip(notes, brief.cites, strict=True):
        back = li.find("a")
        assert (back.get("href"), text(back)) == (f"#ref_{cite.number}", str(cite.number))
        assert text(li) == " ".join(f"{cite.number} {''.join(r.text for r in cite.note)}".split())


def test_every_link_inside_the_page_lands_and_the_annex_entries_link_the_web(sample):
    ids = set(sample.xpath("//@id"))
    internal = [a.get("href") for a in sample.iter("a") if a.get("href").startswith("#")]
    assert {"#src_1", "#src_2", "#note_1", "#ref_1", "#sec_2"} <= set(internal)
    assert [h for h in internal if h[1:] not in ids] == []
    entry = sample.get_element_by_id("src_1")
    assert entry.tag == "h3" and text(entry).startswith("S1 NATO Watch")
    assert "https://example.org/nato-watch?a=1&b=2" in [a.get("href") for a in sample.iter("a")]


def test_contents_list_the_top_two_levels_of_the_outline(sample):
    nav = sample.find(".//nav")
    assert [(a.get("href"), text(a)) for a in nav.iter("a")] == [
        ("#sec_0", "Overview"), ("#sec_1", "Detail"), ("#sec_2", "NATO security assistance"),
        ("#sec_7", "Haftar’s motives")]
    assert len(nav.xpath(".//ol/li/ol/li")) == 3  # nested under Overview


def test_arabic_is_marked_as_arabic_and_right_to_left(sample):
    assert sample.get("lang") == "en" and sample.get("dir") == "ltr"
    spans = sample.xpath("//span[@dir='rtl']")
    assert spans and all(s.get("lang") == "ar" for s in spans)
    assert ARABIC in [s.text for s in spans]  # the paragraph, the annex entry, the notes
    assert not any(re.search("[\u0600-\u06ff]", t) for t in sample.xpath("//main//text()")
                   if t.getparent().get("dir") != "rtl")


def test_a_line_that_starts_in_arabic_is_a_right_to_left_line():
    brief = sample_brief(lines=2)
    first = next(i for i, b in enumerate(brief.blocks) if b.kind == "bullet")
    line = brief.blocks[first]
    line = replace(line, inlines=(Run(f"{ARABIC} said so. "),) + line.inlines[1:])
    blocks = brief.blocks[:first] + (line,) + brief.blocks[first + 1:]
    items = page(replace(brief, blocks=blocks)).xpath("//main//ul/li")
    assert [li.get("dir") for li in items] == ["rtl", None]


def test_an_arabic_brief_is_a_right_to_left_page():
    html = page(replace(sample_brief(lines=1), language="ar"))
    assert (html.get("lang"), html.get("dir")) == ("ar", "rtl")
    assert not html.xpath("//span[@dir]")  # Arabic is the page's own language


def test_the_marking_stands_at_the_top_and_bottom_and_in_every_printed_margin(sample):
    markings = sample.xpath("//p[@class='marking']")
    assert [text(m) for m in markings] == ["OFFICIAL", "OFFICIAL"]
    assert markings[0].getparent().tag == "header" and markings[1].getparent().tag == "footer"
    css = sample.find(".//style").text
    assert '@top-center{content:"OFFICIAL"' in css and '@bottom-center{content:"OFFICIAL"' in css
    assert '@bottom-right{content:"Page " counter(page) " of " counter(pages)' in css
    assert "@page{size:A4" in css and '@top-left{content:"Libya desk"' in css


def test_no_marking_without_one():
    html = page(sample_brief())
    assert not html.xpath("//p[@class='marking']") and html.find(".//footer") is None


def test_page_size_follows_the_desk(sample):
    html = page(replace(sample_brief(), style=Style(page_size="Letter", accent="#7a1f3d")))
    css = html.find(".//style").text
    assert "@page{size:letter" in css and "color:#7a1f3d" in css


def test_words_from_settings_cannot_end_the_stylesheet():
    hostile = '</style><script>alert(1)</script>"\\'
    brief = replace(sample_brief(), marking=hostile, running_head=hostile,
                    title=f"A title {hostile}")
    html = render_html(brief, FONTS).decode()
    tree = lxml.html.fromstring(html)
    assert tree.xpath("//script") == []
    assert len(tree.xpath("//style")) == 1
    assert [text(m) for m in tree.xpath("//p[@class='marking']")] == [hostile, hostile]
    assert tree.find(".//title").text == f"A title {hostile}"


def test_the_logo_is_in_the_page_with_its_alt_text_or_marked_decorative(sample):
    img = sample.find(".//header//img")
    assert img.get("src").startswith("data:image/png;base64,")
    assert img.get("alt") == "The desk's emblem: a blue bar"
    decorative = replace(full_sample(), style=Style(logo=logo_png(), logo_decorative=True,
                                                    logo_alt="ignored"))
    assert page(decorative).find(".//header//img").get("alt") == ""
    broken = replace(full_sample(), style=Style(logo=b"GIF89a..."))
    with pytest.raises(BuildError, match="the desk's logo cannot be read as PNG or JPEG"):
        render_html(broken, FONTS)


def test_document_metadata(sample):
    assert sample.find(".//title").text == "NATO security assistance"
    meta = {m.get("name"): m.get("content") for m in sample.iter("meta") if m.get("name")}
    assert meta["author"] == "Libya desk, Example Institute"
    assert meta["description"] == "Libya: NATO security assistance"
    assert meta["keywords"] == "Libya, NATO"
    assert meta["dcterms.created"] == "2017-08-28T00:00:00+00:00"
    assert meta["viewport"] == "width=device-width, initial-scale=1"


def unwoff(data: bytes) -> bytes:
    """A WOFF 1.0 font back to the TrueType font it was made from."""
    signature, flavor, _, count = struct.unpack_from(">4sIIH", data)
    assert signature == b"wOFF"
    entries = [struct.unpack_from(">4sIIII", data, 44 + 20 * i) for i in range(count)]
    tables = [(tag, zlib.decompress(data[off:off + comp]) if comp < orig else data[off:off + orig],
               checksum) for tag, off, comp, orig, checksum in entries]
    head = struct.pack(">IHHHH", flavor, count, 0, 0, 0)
    offset = 12 + 16 * count
    directory, body = b"", b""
    for tag, table, checksum in tables:
        directory += struct.pack(">4sIII", tag, checksum, offset, len(table))
        padded = table + b"\0" * (-len(table) % 4)
        body += padded
        offset += len(padded)
    return head + directory + body


def embedded_fonts(html: str) -> dict[tuple[str, str, str], bytes]:
    """(family, weight, style) -> the TrueType font of each @font-face."""
    found = re.findall(r'@font-face\{font-family:"([^"]+)";font-weight:(\d+);font-style:(\w+);'
                       r"font-display:swap;src:url\(data:font/woff;base64,([^)]+)\)", html)
    import base64
    return {(f, w, s): unwoff(base64.b64decode(d)) for f, w, s, d in found}


def test_fonts_are_subsets_of_the_house_fonts_holding_every_character_shown():
    html = render_html(full_sample(), FONTS).decode()
    fonts = embedded_fonts(html)
    assert sorted(fonts) == [("briefgen NotoNaskhArabic", "400", "normal"),
                             ("briefgen NotoNaskhArabic", "700", "normal"),
                             ("briefgen NotoSans", "400", "italic"),
                             ("briefgen NotoSans", "400", "normal"),
                             ("briefgen NotoSans", "700", "italic"),
                             ("briefgen NotoSans", "700", "normal")]
    shown = set(lxml.html.fromstring(html).body.text_content()) - set(" \n\t")
    regular = uharfbuzz.Face(uharfbuzz.Blob(fonts[("briefgen NotoSans", "400", "normal")]))
    naskh = uharfbuzz.Face(uharfbuzz.Blob(fonts[("briefgen NotoNaskhArabic", "400", "normal")]))
    covered = set(map(chr, regular.unicodes)) | set(map(chr, naskh.unicodes))
    assert shown - covered == set()
    assert len(regular.unicodes) < 200  # a subset (the font has about 2,800 characters)
    assert not set(map(chr, naskh.unicodes)) & set("ABCabc")  # Latin comes from Noto Sans
    assert "font-family:\"briefgen NotoSans\",\"briefgen NotoNaskhArabic\",system-ui" in html
    assert (FONTS / "NotoSans-Regular.ttf").stat().st_size > 20 * len(
        fonts[("briefgen NotoSans", "400", "normal")]) / 3


def test_a_brief_without_arabic_embeds_no_arabic_font():
    brief = sample_brief(lines=2)
    brief = replace(brief, blocks=brief.blocks[:3], sources=brief.sources[:1])
    html = render_html(replace(brief, annex=()), FONTS).decode()
    assert "NotoNaskhArabic" not in html.split("system-ui")[0]


def test_a_character_no_font_has_fails_as_in_the_pdf():
    brief = sample_brief(lines=1)
    line = Block("bullet", (Run("A snowman \u2603 here."), brief.cites[0]), fact_ids=("snow",))
    with pytest.raises(MissingGlyphError) as e:
        render_html(replace(brief, blocks=(line,)), FONTS)
    assert e.value.lines() == [
        "error: [snow] character U+2603 '☃' is not covered by any bundled font in "
        "briefgen/resources/fonts/ (hint: remove it or add a font that has it)"]


def test_an_unknown_block_kind_fails_naming_the_template_line():
    brief = sample_brief(lines=1)
    odd = Block("chart", (Run("x"),), origin="templates/theme.md.j2:12")
    with pytest.raises(BuildError, match=r"templates/theme.md.j2:12: unknown block kind 'chart'"):
        render_html(replace(brief, blocks=brief.blocks + (odd,)), FONTS)


def test_a_link_that_leads_nowhere_fails_the_build():
    brief = sample_brief(lines=1)
    line = Block("paragraph", (Run("See "), Run("elsewhere", link="#src_9"), brief.cites[0]),
                 origin="t.md.j2:3")
    with pytest.raises(BuildError, match="t.md.j2:3: link to #src_9 leads nowhere in the brief"):
        render_html(replace(brief, blocks=(line,)), FONTS)


def test_same_brief_same_bytes():
    assert render_html(full_sample(), FONTS) == render_html(full_sample(), FONTS)


def test_the_page_fetches_nothing_when_it_is_read(sample):
    """Styles, fonts and the logo are inside the page; only the links lead out."""
    assert [el.get("href") for el in sample.iter("link", "base")] == []
    assert all(el.get("src").startswith("data:") for el in sample.iter("img", "script", "iframe"))
    css = "".join(style.text for style in sample.iter("style"))
    assert re.findall(r"url\((?!data:)", css) == [] and "@import" not in css
