"""What a reader sees, read back from both formats: the same notes and annex, the two editions,
page furniture, contents, and the house style's reference document."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from lxml import etree
from pypdf import PdfReader

from briefgen.compose.model import Block, Run, Style
from briefgen.writers.docx.writer import render_docx
from briefgen.writers.pdf.writer import render_pdf
from conftest import ROOT, sample_brief, tiny_factbase, write

FONTS = ROOT / "briefgen" / "resources" / "fonts"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
QUIET = """
    sources:
      - id: quiet-source
        title: A source that names nobody
        publisher: Quiet Press
        published: 2013-06-05
        file: sources/quiet.txt
        reliability: F
    facts:
      - id: quiet-fact
        statement: A second source said the Alliance would stay out of combat.
        themes: [nato-security-assistance]
        date: 2013-06-05
        credibility: 4
        citations:
          - source: quiet-source
            quote: the Alliance would stay out of combat in Libya
    """


def compose_brief(tmp_path: Path, annotated: bool = False):
    from briefgen.api import check
    from briefgen.compose.composer import compose
    from briefgen.compose.specs import theme_spec

    facts = tiny_factbase(tmp_path, QUIET)
    write(facts / "sources" / "quiet.txt", "Officials said the Alliance would stay out of combat "
                                           "in Libya for now.\n")
    base = check(facts)
    spec = theme_spec(base, "nato-security-assistance")
    spec.annotated = annotated  # the desk's review edition (`--annotated`)
    return compose(base, ROOT / "templates", spec)


def flat(text: str) -> str:
    return " ".join(text.replace("\u200e", "").replace("\xa0", " ").split())


class Both:
    """One brief rendered in both formats, with the words each shows."""

    def __init__(self, brief):
        self.brief = brief
        data = render_docx(brief)
        self.docx = docx.Document(io.BytesIO(data))
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            self.body = etree.fromstring(z.read("word/document.xml"))
            notes = etree.fromstring(z.read("word/footnotes.xml"))
            self.parts = {n: z.read(n).decode() for n in z.namelist() if n.endswith(".xml")}
        by_id = {fn.get(f"{{{W}}}id"): fn for fn in notes.findall("w:footnote", NS)}
        self.word_notes = [flat(_text(by_id[r.get(f"{{{W}}}id")]))
                           for r in self.body.iter(f"{{{W}}}footnoteReference")]
        self.word_text = flat(" ".join(_text(p) for p in self.body.iter(f"{{{W}}}p")))
        self.pdf = PdfReader(io.BytesIO(render_pdf(brief, FONTS)))
        self.pdf_pages = [p.extract_text() for p in self.pdf.pages]
        self.pdf_text = flat(" ".join(self.pdf_pages))

    def word_annex(self) -> list[str]:
        paras = [flat(_text(p)) for p in self.body.iter(f"{{{W}}}p")]
        return paras[paras.index(self.brief.labels["sources"]) + 1:]


def _text(el) -> str:
    """Text of an element, a tab read as a space (the PDF shows a hanging number the same way)."""
    return "".join(" " if t.tag == f"{{{W}}}tab" else t.text or ""
                   for t in el.iter(f"{{{W}}}t", f"{{{W}}}tab"))


@pytest.fixture(scope="module")
def readers_edition(tmp_path_factory):
    return Both(compose_brief(tmp_path_factory.mktemp("readers")))


@pytest.fixture(scope="module")
def annotated_edition(tmp_path_factory):
    return Both(compose_brief(tmp_path_factory.mktemp("annotated"), annotated=True))


def test_both_formats_show_the_same_numbered_notes_and_the_same_annex(readers_edition):
    both = readers_edition
    model = [flat("".join(r.text for r in c.note)) for c in both.brief.cites]
    assert len(model) == 3
    assert both.word_notes == model  # Word: one footnote per cited line, in order
    for number, note in enumerate(both.word_notes, 1):  # PDF: the same number and words
        assert f"{number} {note}" in both.pdf_text
    annex = both.word_annex()
    assert annex[0] == "S1 NATO Watch, “NATO returns to Libya but not in a combat role”"
    assert "How to read the gradings" in annex and "A completely reliable" in annex
    for line in annex:  # the source list, the parts' headings, paragraphs and table cells
        assert line in both.pdf_text, line


def test_first_citation_gives_the_full_reference_later_ones_the_short_form(readers_edition):
    notes = readers_edition.word_notes
    assert notes[0] == ("NATO Watch, “NATO returns to Libya but not in a combat role”, "
                        "Nigel Chamberlain, June 2013. “send an expert-level delegation to Libya”")
    assert notes[1] == ("NATO Watch, June 2013. “there will be no troop deployment and any "
                        "training activities would take place outside Libya”")
    assert notes[2].startswith("Quiet Press, “A source that names nobody”, 5 June 2013. ")


def test_each_note_holds_its_lines_exact_quotes_in_both_formats(readers_edition):
    """One note per cited line, holding every quote of the line (a quote an earlier note
    printed is pointed to, not printed again)."""
    both = readers_edition
    printed: dict[str, int] = {}
    for number, cite in enumerate(both.brief.cites, 1):
        assert cite.number == number
        start = both.pdf_text.index(f"{number} {both.word_notes[number - 1][:20]}")
        for c in cite.citations:
            if printed.setdefault(c.quote, number) == number:
                assert f"“{c.quote}”" in both.word_notes[number - 1]
                assert f"“{c.quote}”" in both.pdf_text[start:]
            else:
                assert f"Same passage as note {printed[c.quote]}." in both.word_notes[number - 1]


def test_readers_edition_shows_no_ids_file_names_or_empty_fields(readers_edition):
    both = readers_edition
    for text in (both.word_text + " " + " ".join(both.word_notes), both.pdf_text):
        for fact_id in ("nato-2013-no-troops", "nato-2013-delegation", "quiet-fact"):
            assert fact_id not in text
        for word in ("nato.txt", "quiet.txt", "SHA-256", "none", "not named", "not stated",
                     "URL:", "Author:"):
            assert word not in text
    # what the quiet source does not state is simply not there; its quote is in its note
    annex = both.word_annex()
    at = annex.index("S2 Quiet Press, “A source that names nobody”")
    assert annex[at:at + 3] == [
        "S2 Quiet Press, “A source that names nobody”",
        "5 June 2013 · reliability F (reliability cannot be judged)",
        "Quoted in note 3."]
    assert annex[at + 3] == "How to read the gradings"  # the source list ends there


def test_annotated_edition_adds_fact_ids_archived_files_and_hashes(annotated_edition):
    both = annotated_edition
    for text in (both.word_text + " " + " ".join(both.word_notes), both.pdf_text):
        for fact_id in ("nato-2013-no-troops", "nato-2013-delegation", "quiet-fact"):
            assert fact_id in text
        assert re.search(r"archived copy nato\.txt · SHA-256 [0-9a-f]{12}\b", text)
        assert "archived copy quiet.txt" in text


def test_classification_and_running_head_on_every_page_of_both_formats():
    brief = replace(sample_brief(lines=80), classification="OFFICIAL-SENSITIVE", marking="OFFICIAL-SENSITIVE",
                    running_head="Example desk")
    pdf = PdfReader(io.BytesIO(render_pdf(brief, FONTS)))
    assert len(pdf.pages) > 3
    for i, page in enumerate(pdf.pages):
        text = page.extract_text()
        assert text.count("OFFICIAL-SENSITIVE") == 2, i  # top and bottom
        assert ("Example desk" in text) == (i > 0)  # not over the cover's title block
    document = docx.Document(io.BytesIO(render_docx(brief)))
    section = document.sections[0]  # one section: its header and footer are on every page
    assert [p.text for p in section.header.paragraphs] == [
        "OFFICIAL-SENSITIVE", "NATO security assistance\tExample desk"]
    assert [p.text for p in section.footer.paragraphs] == ["Page 1 of 1", "OFFICIAL-SENSITIVE"]
    assert section.header.paragraphs[0].style.name == "Brief Marking"
    # the cover page: the marking, but no title line right over the title
    assert section.different_first_page_header_footer
    assert [p.text for p in section.first_page_header.paragraphs] == ["OFFICIAL-SENSITIVE"]
    assert [p.text for p in section.first_page_footer.paragraphs] == [
        "Page 1 of 1", "OFFICIAL-SENSITIVE"]


def test_no_marking_when_there_is_no_classification(readers_edition):
    assert [p.text for p in readers_edition.docx.sections[0].header.paragraphs] == [
        "NATO security assistance"]


def test_contents_when_the_brief_asks_for_them():
    brief = sample_brief(lines=6)
    headings = [b.text for b in brief.blocks if b.kind == "heading"]
    out = docx.Document(io.BytesIO(render_docx(replace(brief, toc=True))))
    body = out.element.body
    instr = [t.text for t in body.iter(f"{{{W}}}instrText")]
    assert instr == [' TOC \\o "1-2" \\h \\z \\u ']
    toc = [p for p in out.paragraphs if p.style.name.startswith("toc")]
    assert [p.text for p in toc] == headings  # pre-filled: readable before Word updates it
    assert "Contents" in [p.text for p in out.paragraphs]
    marks = {b.get(f"{{{W}}}name") for b in body.iter(f"{{{W}}}bookmarkStart")}
    links = [h.get(f"{{{W}}}anchor") for p in toc for h in p._p.iter(f"{{{W}}}hyperlink")]
    assert len(links) == len(headings) and set(links) <= marks
    pdf = PdfReader(io.BytesIO(render_pdf(replace(brief, toc=True), FONTS)))
    first = pdf.pages[0].extract_text()
    assert "Contents\n" + "\n".join(headings) in first
    dests = pdf.named_destinations
    toc_links = [a.get_object()["/Dest"] for a in pdf.pages[0]["/Annots"]
                 if a.get_object()["/Dest"].startswith("sec_")]
    assert len(toc_links) == len(headings) and set(toc_links) <= set(dests)
    # without toc: neither
    assert "Contents" not in render_pdf_text(brief)
    plain = docx.Document(io.BytesIO(render_docx(brief)))
    assert not list(plain.element.body.iter(f"{{{W}}}instrText"))


def render_pdf_text(brief) -> str:
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(brief, FONTS))).pages)


def test_page_size_accent_judgment_and_cover_from_the_model():
    brief = sample_brief()
    judgment = Block("judgment", (Run("Assessment — likely, moderate confidence: ", bold=True),
                                  Run("Moscow keeps backing Haftar.")) + brief.cites[:1])
    brief = replace(brief, style=Style(accent="#8a1c1c", page_size="Letter"),
                    cover=(Block("paragraph", (Run("Example desk · issued 9 December 2019"),)),),
                    blocks=brief.blocks + (judgment,))
    pdf = PdfReader(io.BytesIO(render_pdf(brief, FONTS)))
    assert [float(v) for v in pdf.pages[0].mediabox[2:]] == [612, 792]
    first = pdf.pages[0].extract_text()
    assert "Theme brief · as of 28 August 2017\nExample desk · issued 9 December 2019" in first
    assert "Assessment — likely, moderate confidence: Moscow keeps backing Haftar." in first
    assert b".541176 .109804 .109804 rg" in pdf.pages[0].get_contents().get_data()  # accent
    out = docx.Document(io.BytesIO(render_docx(brief)))
    assert round(out.sections[0].page_width.inches, 1) == 8.5
    styles = {p.text: p.style.name for p in out.paragraphs}
    assert styles["Example desk · issued 9 December 2019"] == "Brief Cover"
    assert styles["Assessment — likely, moderate confidence: Moscow keeps backing Haftar."] == \
        "Brief Judgment"
    assert str(out.styles["Heading 1"].font.color.rgb) == "8A1C1C"


def test_a_grading_label_with_no_break_spaces_never_breaks():
    brief = sample_brief()
    cite = brief.cites[0]
    label = "C3\u00a0·\u00a0assessment"
    blocks = tuple(Block("bullet", (Run("word " * n + "end "), Run(label, italic=True), cite))
                   for n in range(8, 24))
    text = render_pdf_text(replace(brief, blocks=blocks))
    lines = text.replace("\xa0", " ").splitlines()
    assert sum("C3 · assessment" in line for line in lines) == len(blocks)
    assert not any(line.rstrip().endswith(("C3", "C3 ·")) for line in lines)
    raw = zipfile.ZipFile(io.BytesIO(render_docx(replace(brief, blocks=blocks)))).read(
        "word/document.xml").decode()
    assert raw.count(label) == len(blocks)  # Word keeps the no-break spaces (and honours them)


def test_the_bundled_reference_document_is_the_house_style_and_its_styles_are_used(tmp_path):
    reference = ROOT / "templates" / "reference.docx"
    ref = docx.Document(str(reference))
    names = {s.name for s in ref.styles}
    assert {"Title", "Heading 1", "List Bullet", "footnote text", "Brief Note", "Brief Judgment",
            "Source Heading", "toc 1"} <= names
    assert not any(p.text for p in ref.paragraphs)
    # a desk edits a style of its copy in Word: the brief uses it
    ref.styles["Brief Note"].font.size = docx.shared.Pt(13)
    ref.styles["Heading 2"].font.color.rgb = docx.shared.RGBColor(0x11, 0x22, 0x33)
    path = tmp_path / "reference.docx"
    ref.save(path)
    brief = replace(sample_brief(), style=Style(accent="#8a1c1c"))
    out = docx.Document(io.BytesIO(render_docx(brief, reference=path)))
    note = next(p for p in out.paragraphs if p.style.name == "Brief Note")
    assert note.style.font.size == docx.shared.Pt(13)
    assert str(out.styles["Heading 2"].font.color.rgb) == "112233"  # the desk's own colour
    assert str(out.styles["Heading 1"].font.color.rgb) == "8A1C1C"  # still the house accent


def test_the_desks_logo_is_on_the_cover_of_both_formats():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 40), (31, 58, 95)).save(buf, "PNG")
    brief = replace(sample_brief(), style=Style(logo=buf.getvalue()))
    pdf_bytes = render_pdf(brief, FONTS)
    assert render_pdf(brief, FONTS) == pdf_bytes  # still reproducible
    first = PdfReader(io.BytesIO(pdf_bytes)).pages[0]
    images = [x for x in first["/Resources"]["/XObject"].values()
              if x.get_object()["/Subtype"] == "/Image"]
    assert len(images) == 1
    data = render_docx(brief)
    assert render_docx(brief) == data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert [n for n in z.namelist() if n.startswith("word/media/")] == ["word/media/image1.png"]
    out = docx.Document(io.BytesIO(data))
    assert out.paragraphs[0]._p.find(f".//{{{W}}}drawing") is not None
    assert out.paragraphs[1].text == brief.title


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_shows_the_marking_on_every_page_of_the_word_brief(tmp_path):
    brief = replace(sample_brief(lines=60), classification="OFFICIAL-SENSITIVE", marking="OFFICIAL-SENSITIVE",
                    running_head="Example desk")
    src = tmp_path / "brief.docx"
    src.write_bytes(render_docx(brief))
    profile = (tmp_path / "lo-profile").as_uri()
    result = subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                             "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    pages = [p.extract_text() for p in PdfReader(tmp_path / "brief.pdf").pages]
    assert len(pages) > 2
    for i, text in enumerate(pages, 1):
        assert text.count("OFFICIAL-SENSITIVE") == 2, i
        assert f"Page {i} of {len(pages)}" in text
        assert ("Example desk" in text) == (i > 1)


def test_each_pdf_note_is_at_the_foot_of_the_page_that_shows_its_line():
    brief = sample_brief(lines=120)
    pdf = PdfReader(io.BytesIO(render_pdf(brief, FONTS)))
    dests = pdf.named_destinations
    notes = {pdf.get_destination_page_number(dests[f"note_{c.number}"]): [] for c in brief.cites}
    for c in brief.cites:
        notes[pdf.get_destination_page_number(dests[f"note_{c.number}"])].append(c)
    assert len(notes) > 2  # over several pages
    for page, cites in notes.items():
        # the markers of the page's lines link to their notes, above the page's notes
        foot = max(dests[f"note_{c.number}"]["/Top"] for c in cites)
        markers = [a.get_object() for a in pdf.pages[page].get("/Annots") or []
                   if a.get_object()["/Rect"][1] > foot]
        assert [m["/Dest"] for m in markers] == [c.anchor for c in cites], page
        assert pdf.pages[page].extract_text().count("\n") > 3


def test_the_bundled_reference_document_has_the_current_house_styles():
    """templates/reference.docx is made by make_reference: a house-style change remakes it
    (python -c "from briefgen.writers.docx.oxml.styles import make_reference; ...")."""
    from datetime import datetime, timezone

    from briefgen.writers.docx.oxml.styles import make_reference

    made = make_reference("#1f3a5f", datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert made == (ROOT / "templates" / "reference.docx").read_bytes()


def test_quotation_marks_inside_a_quote_print_as_the_inner_kind_in_both_formats(cli, tmp_path):
    """A quote that quotes someone: “... for ‘the UN to ...,’ adding ...” in its note, never
    ““...” ”; the provenance record keeps the quote as the fact file has it."""
    import json

    result = cli("build", "--theme", "russian-motives", "--out", str(tmp_path), cwd=ROOT,
                 env={"SOURCE_DATE_EPOCH": "1577836800"})
    assert result.returncode == 0, result.stderr
    shown = ("it was important for ‘the UN to supervise all mediation efforts,’ adding that "
             "‘there’s no alternative to Libyans’ reaching a solution on their own without "
             "foreign influence.’”")
    pdf = " ".join(" ".join(p.extract_text().split())
                   for p in PdfReader(tmp_path / "theme-russian-motives.pdf").pages)
    assert pdf.count(shown) == 1  # its note: a quote is printed once
    assert "“the UN" not in pdf and ".””" not in pdf
    with zipfile.ZipFile(tmp_path / "theme-russian-motives.docx") as z:
        notes = etree.fromstring(z.read("word/footnotes.xml"))
        body = etree.fromstring(z.read("word/document.xml"))
    note_text = " ".join("".join(f.itertext()) for f in notes.iter(f"{{{W}}}footnote"))
    assert shown in note_text and "“the UN" not in note_text
    assert shown not in "".join(body.itertext())  # printed once: in its note
    record = (tmp_path / "theme-russian-motives.sources.json").read_text(encoding="utf-8")
    assert ("for “the UN to supervise all mediation efforts,” adding that “there’s no "
            "alternative") in json.dumps(json.loads(record), ensure_ascii=False)
