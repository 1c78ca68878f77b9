"""The Word writer, checked by reading what it wrote: python-docx, the zip, the XML (lxml), LibreOffice."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import docx
import pytest
from docx.shared import RGBColor
from lxml import etree

from briefgen.compose.model import Block, Cell, Run
from briefgen.errors import BuildError
from briefgen.writers.docx.writer import open_ahead, render_docx
from conftest import one_cite, ARABIC, ROOT, sample_brief, table_brief

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R_NS}
FOOTNOTES_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
HYPERLINK_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def q(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{NS[prefix]}}}{name}"


class Docx:
    """One rendered .docx, opened with python-docx and as zip + XML."""

    def __init__(self, data: bytes):
        self.data = data
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.doc = docx.Document(io.BytesIO(data))

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))

    @property
    def body(self) -> etree._Element:
        return self.xml("word/document.xml")

    @property
    def footnotes(self) -> etree._Element:
        return self.xml("word/footnotes.xml")

    def rels(self, name: str = "word/_rels/document.xml.rels") -> list[etree._Element]:
        return list(self.xml(name))

    def style_names(self) -> dict[str, str]:
        """style id -> name."""
        return {s.get(q("w:styleId")): s.find(q("w:name")).get(q("w:val"))
                for s in self.xml("word/styles.xml").iter(q("w:style"))}


def text_of(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(q("w:t")))


@pytest.fixture
def out(brief) -> Docx:
    return Docx(render_docx(brief))


# --- footnotes -----------------------------------------------------------------------------------

def test_every_cite_is_a_real_footnote_holding_the_models_note(brief, out):
    refs = out.body.findall(".//w:footnoteReference", NS)
    assert len(refs) == len(brief.cites) == 5
    notes = {fn.get(q("w:id")): fn for fn in out.footnotes.findall("w:footnote", NS)}
    for ref, cite in zip(refs, brief.cites, strict=True):
        note = notes[ref.get(q("w:id"))]
        assert note.get(q("w:type")) is None  # a plain footnote
        text = text_of(note).replace("\u200e", "")
        assert text == " " + "".join(r.text for r in cite.note)
        assert all(c.quote in text for c in cite.citations)
        assert note.find(".//w:footnoteRef", NS) is not None  # the note shows its own number
        # ... and links to the source's annex entry
        assert [h.get(q("w:anchor")) for h in note.iter(q("w:hyperlink"))] == [cite.source.anchor]
    # footnote ids are unique and every normal footnote is referenced exactly once
    normal = [i for i, fn in notes.items() if fn.get(q("w:type")) in (None, "normal")]
    assert sorted(normal, key=int) == sorted((r.get(q("w:id")) for r in refs), key=int)


def test_footnotes_part_is_wired_like_word_does_it(out):
    types = {fn.get(q("w:type")) for fn in out.footnotes.findall("w:footnote", NS)}
    assert {"separator", "continuationSeparator"} <= types
    rels = [r for r in out.rels() if r.get("Type") == FOOTNOTES_RT]
    assert [r.get("Target") for r in rels] == ["footnotes.xml"]
    ct = etree.fromstring(out.zip.read("[Content_Types].xml"))
    overrides = {o.get("PartName"): o.get("ContentType") for o in ct}
    assert overrides["/word/footnotes.xml"] == FOOTNOTES_CT
    settings = out.xml("word/settings.xml")
    assert settings.find("w:footnotePr", NS) is not None
    # the styles the footnotes use exist: reference mark superscript, text style
    names = out.style_names()
    assert names["FootnoteReference"] == "footnote reference"
    assert names["FootnoteText"] == "footnote text"
    body_ref_styles = {r.getparent().find("w:rPr/w:rStyle", NS).get(q("w:val"))
                       for r in out.body.iter(q("w:footnoteReference"))}
    assert body_ref_styles == {"FootnoteReference"}
    styles = out.xml("word/styles.xml")
    ref_style = styles.find(".//w:style[@w:styleId='FootnoteReference']", NS)
    assert ref_style.find("w:rPr/w:vertAlign", NS).get(q("w:val")) == "superscript"


def test_python_docx_reads_the_document(brief, out):
    texts = [p.text for p in out.doc.paragraphs]
    assert texts[0] == brief.title and texts[1] == brief.subtitle
    assert "Sources" in texts


def test_adjacent_citations_are_kept_apart(brief):
    nato, futures = brief.sources
    block = Block("bullet", (Run("Two sources agree."),
                             one_cite(1, nato, "nato-2013-no-troops", nato.quotes[0].text, "2013"),
                             one_cite(2, futures, "haftar-pressures", futures.quotes[0].text, "2017")),
                  fact_ids=("nato-2013-no-troops", "haftar-pressures"))
    out = Docx(render_docx(replace(brief, blocks=(block,))))
    p = out.body.find(".//w:body/w:p[4]", NS)  # after title, subtitle and the cover's rule
    kinds = [("ref" if r.find("w:footnoteReference", NS) is not None else text_of(r))
             for r in p.findall("w:r", NS)]
    assert kinds == ["Two sources agree.", "ref", ",", "ref"]


# --- annex, bookmarks, links ---------------------------------------------------------------------

def test_annex_has_a_bookmark_per_source_and_every_internal_link_lands(brief, out):
    """Annex entries and notes are bookmarked (the annex says which notes quote a source, and
    a note may point to an earlier one); every internal link lands on one."""
    parts = (out.body, out.footnotes)
    bookmarks = {b.get(q("w:name")) for root in parts for b in root.iter(q("w:bookmarkStart"))}
    assert {s.anchor for s in brief.sources} | {c.anchor for c in brief.cites} <= bookmarks
    ids = [b.get(q("w:id")) for root in parts for b in root.iter(q("w:bookmarkStart"))]
    ends = {b.get(q("w:id")) for root in parts for b in root.iter(q("w:bookmarkEnd"))}
    assert len(ids) == len(set(ids)) == len(ends)
    anchors = [h.get(q("w:anchor")) for root in (out.body, out.footnotes)
               for h in root.iter(q("w:hyperlink")) if h.get(q("w:anchor"))]
    assert len(anchors) >= len(brief.cites)
    assert set(anchors) <= bookmarks


def test_annex_entry_shows_the_models_words_and_links_the_url(brief, out):
    paras = out.body.findall(".//w:body/w:p", NS)
    names = out.style_names()
    sources_at = next(i for i, p in enumerate(paras) if text_of(p) == "Sources")
    heading = paras[sources_at]
    assert names[heading.find("w:pPr/w:pStyle", NS).get(q("w:val"))] == "heading 1"
    annex = [text_of(p).replace("\u200e", "") for p in paras[sources_at + 1:]]
    expected = []
    for src in brief.sources:  # the source list first, each entry labelled S1, S2 ...
        expected.append(src.label + "".join(r.text for r in src.heading))
        expected += ["".join(r.text for r in line) for line in src.lines]
    expected += [b.text for b in brief.annex if b.kind != "table"]  # then the annex's parts
    assert annex == expected[:len(annex)] and len(annex) == len(expected)
    assert annex[0] == "S1NATO Watch, “NATO returns to Libya but not in a combat role”"
    assert "Nigel Chamberlain · June 2013 · reliability C (fairly reliable)" in annex
    assert "28 August 2017 · reliability B (usually reliable)" in annex  # no author: left out
    # the URL is a real external hyperlink
    nato = brief.sources[0]
    url_rels = {r.get("Id"): r for r in out.rels() if r.get("Type") == HYPERLINK_RT}
    links = [h for h in out.body.iter(q("w:hyperlink")) if h.get(q("r:id"))]
    assert [text_of(h) for h in links] == [nato.url]
    rel = url_rels[links[0].get(q("r:id"))]
    assert rel.get("Target") == nato.url and rel.get("TargetMode") == "External"
    # the bookmark wraps the entry heading
    for src in brief.sources:
        start = out.body.find(f".//w:bookmarkStart[@w:name='{src.anchor}']", NS)
        assert src.title in text_of(start.getparent())


# --- structure and styles ------------------------------------------------------------------------

def test_title_block_headings_and_bullets_use_word_styles(brief, out):
    styled = [(p.style.name, p.text) for p in out.doc.paragraphs]
    assert styled[0] == ("Title", brief.title)
    assert styled[1] == ("Subtitle", brief.subtitle)
    headings = [b.text for b in brief.blocks if b.kind == "heading"]
    # the model's level-2 headings are the body's top level: Heading 1, as the annex's
    assert [t for s, t in styled if s == "Heading 1"] == [*headings, "Sources"]
    bullets = [b for b in brief.blocks if b.kind == "bullet"]
    assert sum(s == "List Bullet" for s, _ in styled) == len(bullets)
    # heading styles carry outline levels, so the navigation pane and a TOC work
    styles = out.xml("word/styles.xml")
    for level in (1, 2, 3):
        st = styles.find(f".//w:style[@w:styleId='Heading{level}']", NS)
        assert st.find("w:pPr/w:outlineLvl", NS).get(q("w:val")) == str(level - 1)
    # List Bullet really is a bulleted list
    numbering = out.xml("word/numbering.xml")
    bullet = styles.find(".//w:style[@w:styleId='ListBullet']", NS)
    num_id = bullet.find("w:pPr/w:numPr/w:numId", NS).get(q("w:val"))
    num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
    abstract_id = num.find("w:abstractNumId", NS).get(q("w:val"))
    abstract = numbering.find(f"w:abstractNum[@w:abstractNumId='{abstract_id}']", NS)
    assert abstract.find("w:lvl/w:numFmt", NS).get(q("w:val")) == "bullet"


def test_notes_have_their_own_style(brief, out):
    note = next(b.text for b in brief.blocks if b.kind == "note")
    assert [p.style.name for p in out.doc.paragraphs if p.text == note] == ["Brief Note"]


def test_core_properties(brief, out):
    cp = out.doc.core_properties
    assert cp.title == brief.title
    assert cp.subject == brief.subject
    assert cp.keywords == "Libya, NATO"
    assert cp.author == brief.author
    assert cp.created == brief.created
    assert cp.modified == brief.created
    assert cp.language == "en"
    assert cp.comments == ""
    lang = out.xml("word/styles.xml").find(".//w:docDefaults//w:lang", NS)
    assert lang.get(q("w:val")) == "en"


def test_header_has_the_title_and_footer_page_x_of_y(brief, out):
    section = out.doc.sections[0]
    assert brief.title in section.header.paragraphs[-1].text
    footer = section.footer.paragraphs[-1]
    instructions = [t.text.strip() for t in footer._p.iter(q("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Page ") and " of " in footer.text
    kinds = [f.get(q("w:fldCharType")) for f in footer._p.iter(q("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"] * 2


def test_house_style_uses_noto_fonts_and_a4(out):
    fonts = out.xml("word/styles.xml").find(".//w:docDefaults//w:rFonts", NS)
    assert fonts.get(q("w:ascii")) == "Noto Sans"
    assert fonts.get(q("w:cs")) == "Noto Naskh Arabic"
    section = out.doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "docProps/thumbnail.jpeg" not in out.zip.namelist()  # not a picture of another document
    assert "word/stylesWithEffects.xml" not in out.zip.namelist()


# --- text is data --------------------------------------------------------------------------------

def test_markup_like_text_is_literal(out):
    text = "\n".join(p.text for p in out.doc.paragraphs)
    assert "Data, not markup: <b>bold?</b> & {{ 7*7 }} {% if x %}" in text
    assert "\u201ccurly\u201d \u2018quotes\u2019, café, Ħaftar" in text
    assert "49" not in text
    assert out.body.find(".//w:b/b", NS) is None  # no element smuggled in from the text
    raw = out.zip.read("word/document.xml").decode()
    assert "&lt;b&gt;bold?&lt;/b&gt; &amp; {{ 7*7 }}" in raw


def test_text_that_xml_cannot_hold_fails_the_build_naming_the_line(brief):
    bad = Block("paragraph", (Run("bell \x07 here"), brief.cites[0]), origin="templates/t.md.j2:7")
    with pytest.raises(BuildError, match=r"templates/t\.md\.j2:7"):
        render_docx(replace(brief, blocks=(bad,)))
    with pytest.raises(BuildError, match="theme-sample"):
        render_docx(replace(brief, title="title \x00 with NUL"))


def test_tabs_and_newlines_become_word_tabs_and_breaks(brief):
    block = Block("paragraph", (Run("a\tb\nc"), brief.cites[0]))
    out = Docx(render_docx(replace(brief, blocks=(block,))))
    p = out.body.find(".//w:body/w:p[4]", NS)  # after title, subtitle and the cover's rule
    assert p.find(".//w:tab", NS) is not None and p.find(".//w:br", NS) is not None
    assert text_of(p) == "abc"


# --- right to left -------------------------------------------------------------------------------

ARABIC_CHAR = re.compile("[\u0600-\u06ff]")


def test_arabic_runs_are_right_to_left_with_a_complex_script_font(out):
    runs = [r for part in (out.body, out.footnotes) for r in part.iter(q("w:r"))]
    arabic = [r for r in runs if ARABIC_CHAR.search(text_of(r))]
    assert len(arabic) >= 5  # paragraph, annex publisher, footnotes
    for r in arabic:
        assert r.find("w:rPr/w:rtl", NS) is not None, text_of(r)
        assert r.find("w:rPr/w:rFonts", NS).get(q("w:cs")) == "Noto Naskh Arabic"
    latin = [r for r in runs if text_of(r) and not ARABIC_CHAR.search(text_of(r))]
    assert all(r.find("w:rPr/w:rtl", NS) is None for r in latin)


def test_mixed_text_is_split_at_the_script_boundary(out):
    para = next(p for p in out.doc.paragraphs if p.text.startswith("Assessment"))
    pieces = [(r.text, r._r.find("w:rPr/w:rtl", NS) is not None) for r in para.runs]
    assert (ARABIC, True) in pieces
    assert ("Haftar sought Russian backing. ", False) in pieces
    assert para.text.replace("\u200e", "") == f"Assessment: Haftar sought Russian backing. {ARABIC}."
    assert para._p.find("w:pPr/w:bidi", NS) is None  # an English paragraph stays left-to-right


def test_script_boundaries_keep_numbers_and_punctuation_where_readers_expect_them():
    from briefgen.writers.bidi import segments as bidi_segments

    assert bidi_segments("plain text") == [("plain text", False)]
    assert bidi_segments("قال في 2017") == [("قال في 2017", True)]
    assert bidi_segments("See قال في 2017.") == [("See ", False), ("قال في 2017", True), (".", False)]
    assert bidi_segments("مركز, 28 August") == [("مركز", True), (", 28 August", False)]


def test_an_arabic_line_is_a_right_to_left_paragraph(brief):
    src = brief.sources[1]
    block = Block("bullet", (Run("حفتر يزور موسكو "), Run("B2", italic=True),
                             one_cite(1, src, "f", src.quotes[0].text, "2017")), fact_ids=("f",))
    out = Docx(render_docx(replace(brief, blocks=(block,))))
    p = out.body.find(".//w:body/w:p[4]", NS)  # after title, subtitle and the cover's rule
    assert p.find("w:pPr/w:bidi", NS) is not None


# --- reproducibility -----------------------------------------------------------------------------

def test_same_brief_same_bytes(brief):
    first = render_docx(brief)
    assert render_docx(brief) == first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        infos = zf.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2017, 8, 28, 0, 0, 0)}


def test_same_bytes_in_another_process_timezone_and_moment(brief, tmp_path):
    script = (
        "import sys; sys.path.insert(0, 'tests')\n"
        "from conftest import sample_brief\n"
        "from briefgen.writers.docx.writer import render_docx\n"
        "sys.stdout.buffer.write(render_docx(sample_brief()))\n")
    # a fresh interpreter, in another time zone and with another hash seed
    env = {**os.environ, "TZ": "Pacific/Auckland", "PYTHONHASHSEED": "123"}
    other = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True,
                           check=True, timeout=120).stdout
    assert other == render_docx(brief)


def test_created_date_drives_the_timestamps(brief):
    later = replace(brief, created=datetime(2019, 12, 9, 15, 30, tzinfo=timezone(timedelta(hours=2))))
    out = Docx(render_docx(later))
    assert out.doc.core_properties.created == datetime(2019, 12, 9, 13, 30, tzinfo=timezone.utc)
    assert {i.date_time for i in out.zip.infolist()} == {(2019, 12, 9, 13, 30, 0)}


# --- reference document --------------------------------------------------------------------------

def test_reference_document_styles_are_honoured(brief, tmp_path):
    ref = docx.Document()
    ref.styles["Heading 1"].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    ref.styles["Heading 2"].font.size = docx.shared.Pt(17)
    ref.add_paragraph("Reference body text that must not leak into the brief")
    path = tmp_path / "reference.docx"
    ref.save(path)

    out = Docx(render_docx(brief, reference=path))
    assert out.doc.styles["Heading 1"].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    assert out.doc.styles["Heading 2"].font.size == docx.shared.Pt(17)
    assert all("Reference body" not in p.text for p in out.doc.paragraphs)
    # python-docx's template has no footnote or hyperlink styles: they were added
    names = set(out.style_names().values())
    assert {"footnote text", "footnote reference", "Hyperlink", "Brief Note"} <= names
    # the organisation's fonts stay: no house fonts forced into the defaults
    fonts = out.xml("word/styles.xml").find(".//w:docDefaults//w:rFonts", NS)
    assert fonts.get(q("w:ascii")) is None
    assert len(out.body.findall(".//w:footnoteReference", NS)) == len(brief.cites)


def test_reference_document_missing_list_bullet_and_numbering_gets_them(brief, tmp_path):
    ref = docx.Document()
    styles = ref.styles.element
    styles.remove(styles.find(".//w:style[@w:styleId='ListBullet']", NS))
    path = tmp_path / "reference.docx"
    ref.save(path)
    out = Docx(render_docx(brief, reference=path))
    assert sum(p.style.name == "List Bullet" for p in out.doc.paragraphs) == 4
    bullet = out.xml("word/styles.xml").find(".//w:style[@w:styleId='ListBullet']", NS)
    num_id = bullet.find("w:pPr/w:numPr/w:numId", NS).get(q("w:val"))
    assert out.xml("word/numbering.xml").find(f"w:num[@w:numId='{num_id}']", NS) is not None


def test_reference_document_with_its_own_footnotes(brief, tmp_path):
    """A reference saved by Word has a footnotes part: keep its separators, not its notes."""
    path = tmp_path / "reference.docx"
    path.write_bytes(render_docx(sample_brief(lines=8)))
    out = Docx(render_docx(brief, reference=path))
    notes = out.footnotes.findall("w:footnote", NS)
    assert sum(fn.get(q("w:type")) is None for fn in notes) == len(brief.cites)
    assert sum(fn.get(q("w:type")) == "separator" for fn in notes) == 1
    assert len([r for r in out.rels() if r.get("Type") == FOOTNOTES_RT]) == 1
    refs = {r.get(q("w:id")) for r in out.body.iter(q("w:footnoteReference"))}
    assert refs == {fn.get(q("w:id")) for fn in notes if fn.get(q("w:type")) is None}
    assert len(out.doc.sections[0].footer.paragraphs) == 1  # the footer is not doubled


def test_unreadable_reference_is_a_build_error(brief, tmp_path):
    with pytest.raises(BuildError, match="not found"):
        render_docx(brief, reference=tmp_path / "missing.docx")
    junk = tmp_path / "junk.docx"
    junk.write_text("not a zip")
    with pytest.raises(BuildError, match="not a readable .docx"):
        render_docx(brief, reference=junk)


def test_a_document_opened_ahead_gives_the_same_file(brief, tmp_path):
    """The Word worker opens the reference while it waits (open_ahead): same bytes, and a
    reference changed since is read again."""
    path = tmp_path / "reference.docx"
    path.write_bytes(render_docx(sample_brief(lines=8)))
    for reference in (None, path):
        fresh = render_docx(brief, reference=reference)
        open_ahead(reference)
        assert render_docx(brief, reference=reference) == fresh
    open_ahead(path)
    ref = docx.Document()
    ref.styles["Heading 1"].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    ref.save(path)
    out = Docx(render_docx(brief, reference=path))
    assert out.doc.styles["Heading 1"].font.color.rgb == RGBColor(0xC0, 0x00, 0x00)
    open_ahead(tmp_path / "junk.docx")  # its problem is the render's to say
    with pytest.raises(BuildError, match="not found"):
        render_docx(brief, reference=tmp_path / "junk.docx")


# --- expected failures ---------------------------------------------------------------------------

def test_bad_anchor_or_dangling_citation_is_a_build_error(brief):
    nato, futures = brief.sources
    with pytest.raises(BuildError, match="bookmark name"):
        render_docx(replace(brief, sources=(replace(nato, anchor="1 bad"), futures)))
    with pytest.raises(BuildError, match="used by two"):
        render_docx(replace(brief, sources=(nato, replace(futures, anchor=nato.anchor))))
    with pytest.raises(BuildError, match="no entry in the Sources annex"):
        render_docx(replace(brief, sources=(nato,)))


def test_unknown_block_kind_or_level_is_a_build_error(brief):
    with pytest.raises(BuildError, match="t.md.j2:1: unknown block kind 'sidebar'"):
        render_docx(replace(brief, blocks=(Block("sidebar", (Run("x"),), origin="t.md.j2:1"),)))
    with pytest.raises(BuildError, match="^t.md.j2:2: a table with no cells$"):
        render_docx(replace(brief, blocks=(Block("table", (), origin="t.md.j2:2"),)))
    ragged = (Cell(((Run("a"),),)), Cell(((Run("b"),),))), (Cell(((Run("c"),),)),)
    with pytest.raises(BuildError, match="^brief: a table whose rows do not all have its 2 "):
        render_docx(replace(brief, annex=(Block("table", (), rows=ragged),)))
    with pytest.raises(BuildError, match="heading level 4"):
        render_docx(replace(brief, blocks=(Block("heading", (Run("x"),), level=4),)))


def test_importing_the_writer_does_not_import_python_docx():
    # a fresh interpreter: only there does sys.modules show what importing the writer loads
    code = ("import sys; import briefgen.writers.docx.writer; "
            "print('docx' in sys.modules, 'lxml.etree' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.split() == ["False", "False"]


def test_big_brief_keeps_every_footnote():
    big = sample_brief(lines=300)
    out = Docx(render_docx(big))
    assert len(out.body.findall(".//w:footnoteReference", NS)) == len(big.cites) == 301
    assert len(out.footnotes.findall("w:footnote", NS)) == 303  # + two separators


# --- tables --------------------------------------------------------------------------------------

def test_a_table_is_a_word_table_whose_header_rows_repeat_and_rows_stay_whole():
    brief = table_brief()
    out = Docx(render_docx(brief))
    body = out.body.find("w:body", NS)
    tables = body.findall("w:tbl", NS)
    captioned, long = tables  # in the body and in the annex
    caption = captioned.getprevious()
    assert text_of(caption) == "A captioned table"
    assert out.style_names()[caption.find("w:pPr/w:pStyle", NS).get(q("w:val"))] == "caption"
    rows = long.findall("w:tr", NS)
    assert len(rows) == 71
    assert [r.find("w:trPr/w:tblHeader", NS) is not None for r in rows[:3]] == [
        True, False, False]  # the header row repeats on each page; no other does
    assert all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows)  # rows stay whole
    grid = [int(c.get(q("w:w"))) for c in long.findall("w:tblGrid/w:gridCol", NS)]
    assert len(grid) == 2 and abs(grid[0] - 2 * grid[1]) <= 1  # widths 2:1 of the text width
    cells = rows[1].findall("w:tc", NS)
    assert [[text_of(p) for p in c.findall("w:p", NS)] for c in cells] == [
        ["row 1 first", "row 1 second"], ["cell 1"]]
    assert [text_of(c) for c in rows[0].findall("w:tc", NS)] == ["Column one", "Column two"]
    assert rows[0].find("w:tc/w:tcPr/w:shd", NS) is not None  # the header is shaded
    link = captioned.find(".//w:hyperlink", NS)
    assert (link.get(q("w:anchor")), text_of(link)) == ("note_1", "link")
    # python-docx reads the same table
    table = out.doc.tables[1]
    assert (len(table.rows), table.cell(70, 1).text) == (71, "cell 70")


def test_the_grading_key_is_kept_on_one_page_with_its_introduction(brief, out):
    body = out.body.find("w:body", NS)
    key = body.findall("w:tbl", NS)[-1]
    intro = key.getprevious()
    assert text_of(intro).startswith("Each line ends with its grading")
    assert intro.find("w:pPr/w:keepNext", NS) is not None
    rows = key.findall("w:tr", NS)
    kept = [all(p.find("w:pPr/w:keepNext", NS) is not None for p in r.iter(q("w:p"))
                if text_of(p)) for r in rows]
    assert kept == [True] * (len(rows) - 1) + [False]  # each row kept with the next
    long = Docx(render_docx(table_brief())).body.findall(".//w:tbl", NS)[1]
    assert long.find(".//w:tr[2]//w:keepNext", NS) is None  # a long table may split


def test_a_table_at_the_end_of_the_document_is_followed_by_a_paragraph(brief):
    last = Block("table", (), rows=((Cell(((Run("x"),),)),),))
    body = Docx(render_docx(replace(brief, annex=(last,)))).body.find("w:body", NS)
    assert [etree.QName(e).localname for e in body][-3:] == ["tbl", "p", "sectPr"]


# --- LibreOffice ---------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_repeats_a_long_tables_header_on_each_page(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    src = tmp_path / "tables.docx"
    src.write_bytes(render_docx(table_brief()))
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(src)], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    pages = [p.extract_text() for p in pypdf.PdfReader(tmp_path / "tables.pdf").pages]
    spans = [i for i, text in enumerate(pages) if "row 1 first" in text or "cell 70" in text]
    assert spans[-1] > spans[0]
    for i in range(spans[0], spans[-1] + 1):
        assert "Column one" in pages[i], i
    for n in (1, 35, 70):  # no row parts between pages
        assert len({i for i, t in enumerate(pages) if f"row {n} first" in t
                    or f"row {n} second" in t}) == 1



@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_it_to_pdf(brief, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    src = tmp_path / "brief.docx"
    src.write_bytes(render_docx(brief))
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: parallel runs don't collide
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(src)],
        capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "brief.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    reader = pypdf.PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) == 2
    assert "Sources" in text and "Page 1 of 2" in text
    assert "<b>bold?</b> & {{ 7*7 }}" in text
    assert brief.sources[0].quotes[0].text[:40] in text.replace("\n", " ")
    # the footnotes' links to the annex survive as PDF links
    links = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])
             if a.get_object().get("/Subtype") == "/Link"]
    assert len(links) >= len(brief.cites)
