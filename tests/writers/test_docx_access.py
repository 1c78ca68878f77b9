"""An accessible Word brief, read back from its XML: heading outline, logo alt text or decorative
mark, title and author, links told apart by more than colour, the language of Arabic runs."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from briefgen import cli
from briefgen.compose.composer import outline as compose_outline
from briefgen.compose.model import Block, Run, Style
from briefgen.writers.docx.writer import render_docx
from conftest import ARABIC, ROOT, sample_brief

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
DECORATIVE = "{http://schemas.microsoft.com/office/drawing/2017/decorative}decorative"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def part(data: bytes, name: str) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def outline(data: bytes) -> list[tuple[int, str]]:
    """(outline level 1-9, text) of every paragraph whose style gives it one, in order."""
    styles = part(data, "word/styles.xml")
    levels = {}
    for style in styles.iter(w("style")):
        lvl = style.find(f"{w('pPr')}/{w('outlineLvl')}")
        if lvl is not None:
            levels[style.get(w("styleId"))] = int(lvl.get(w("val"))) + 1
    out = []
    for p in part(data, "word/document.xml").iter(w("p")):
        style = p.find(f"{w('pPr')}/{w('pStyle')}")
        if style is not None and style.get(w("val")) in levels:
            text = "".join(t.text or "" for t in p.iter(w("t"))).replace("\u200e", "")
            out.append((levels[style.get(w("val"))], text))
    return out


def assert_never_skips(levels: list[int]) -> None:
    previous = 0
    for level in levels:
        assert 1 <= level <= previous + 1, levels
        previous = level


# --- headings ------------------------------------------------------------------------------------

def _outline_levels(levels: list[int]) -> list[int]:
    """The composer's outline rule on bare levels (composer.outline works on blocks)."""
    blocks = [Block("heading", (Run(str(n)),), level=level) for n, level in enumerate(levels)]
    return [b.level for b in compose_outline(blocks)]


@pytest.mark.parametrize(("model", "word"), [
    ([2, 2, 2], [1, 1, 1]),  # the bundled templates' "##" parts: the body's top level
    ([2, 3, 3, 2], [1, 2, 2, 1]),
    ([1, 3, 3], [1, 2, 2]),  # a level the template skips is closed up
    ([3, 2, 3], [1, 1, 2]),  # a first heading deeper than the rest still opens the outline
    ([], []),
])
def test_outline_levels(model, word):
    assert _outline_levels(model) == word


@given(st.lists(st.integers(1, 3), max_size=12))
def test_outline_levels_never_skip_and_keep_the_models_order_of_depth(levels):
    word = _outline_levels(levels)
    assert_never_skips(word)
    for a, b, wa, wb in zip(levels, levels[1:], word, word[1:], strict=False):  # pairs
        if b > a:
            assert wb > wa  # a deeper heading stays deeper than the one before it
        elif b == a:
            assert wb == wa


def test_the_documents_outline_starts_at_heading_1_and_never_skips(brief):
    blocks = tuple(compose_outline([*brief.blocks[:3],
                                    Block("heading", (Run("Deeper"),), level=3),
                                    *brief.blocks[3:]]))  # the levels as the composer sets
    annex = (Block("heading", (Run("What our assessments rest on"),), level=2), *brief.annex)
    data = render_docx(replace(brief, blocks=blocks, annex=annex))
    found = outline(data)
    assert found == [(1, "NATO security assistance"), (2, "Deeper"), (1, "Haftar’s motives"),
                     (1, "Sources"), (2, "What our assessments rest on"),
                     (2, "How to read the gradings")]
    assert_never_skips([level for level, _ in found])
    title = docx.Document(io.BytesIO(data)).paragraphs[0]
    assert (title.style.name, title.text) == ("Title", brief.title)


def test_a_bold_lead_in_of_the_annex_stays_a_paragraph(brief):
    key = Block("paragraph", (Run("How to read the gradings. ", bold=True), Run("Each line ...")))
    data = render_docx(replace(brief, annex=(key,)))
    assert [t for _, t in outline(data)][-1] == "Sources"
    paras = docx.Document(io.BytesIO(data)).paragraphs
    assert [p.style.name for p in paras if p.text.startswith("How to read")] == [
        "Brief Grading Key"]


def test_the_contents_list_the_documents_top_two_levels(brief):
    blocks = tuple(compose_outline([*brief.blocks[:3],
                                    Block("heading", (Run("Deeper"),), level=3),
                                    *brief.blocks[3:]]))  # the levels as the composer sets
    out = docx.Document(io.BytesIO(render_docx(replace(brief, blocks=blocks, toc=True))))
    toc = [(p.style.name, p.text) for p in out.paragraphs if p.style.name.startswith("toc")]
    assert toc == [("toc 1", "NATO security assistance"), ("toc 2", "Deeper"),
                   ("toc 1", "Haftar’s motives")]


@pytest.fixture(scope="module")
def russian_motives(tmp_path_factory) -> bytes:
    """The bundled desk's Russian motives brief, built as a user builds it."""
    out = tmp_path_factory.mktemp("out")
    assert cli.main(["build", "--facts", str(ROOT / "facts"), "--theme", "russian-motives",
                     "--format", "docx", "--out", str(out)]) == 0
    return (out / "theme-russian-motives.docx").read_bytes()


def test_the_bundled_brief_reads_title_parts_sources_and_the_annexs_parts(russian_motives):
    found = outline(russian_motives)
    assert found[0] == (1, "Our assessment")
    assert (1, "Sources") in found and (2, "What our assessments rest on") in found
    assert [t for level, t in found if level == 1][1:4] == ["What to watch", "2016", "2017"]
    assert_never_skips([level for level, _ in found])
    props = docx.Document(io.BytesIO(russian_motives)).core_properties
    assert props.title == "Russian motives"
    assert props.author == "Libya desk, Example Institute"  # the desk, not the tool
    assert props.last_modified_by == props.author


# --- the logo ------------------------------------------------------------------------------------

def _logo() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 40), (31, 58, 95)).save(buf, "PNG")
    return buf.getvalue()


def _doc_pr(style: Style) -> etree._Element:
    data = render_docx(replace(sample_brief(), style=style))
    return part(data, "word/document.xml").find(f".//{{{WP}}}docPr")


def test_the_logo_has_the_desks_alt_text():
    doc_pr = _doc_pr(Style(logo=_logo(), logo_alt="Example Institute"))
    assert doc_pr.get("descr") == "Example Institute"
    picture = doc_pr.getparent().find(".//{*}pic/{*}nvPicPr/{*}cNvPr")
    assert picture.get("descr") == "Example Institute"
    assert doc_pr.find(f".//{DECORATIVE}") is None


def test_a_decorative_logo_carries_words_mark_and_no_alt_text():
    doc_pr = _doc_pr(Style(logo=_logo(), logo_alt="ignored", logo_decorative=True))
    assert doc_pr.get("descr") is None
    ext = doc_pr.find("{*}extLst/{*}ext")
    assert ext.get("uri") == "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
    assert ext.find(DECORATIVE).get("val") == "1"


def test_without_alt_text_the_logo_says_nothing_made_up():
    doc_pr = _doc_pr(Style(logo=_logo()))
    assert doc_pr.get("descr") is None and doc_pr.find(f".//{DECORATIVE}") is None


# --- links and language --------------------------------------------------------------------------

def _link_runs(data: bytes) -> list[etree._Element]:
    runs = []
    for name in ("word/document.xml", "word/footnotes.xml"):
        for link in part(data, name).iter(w("hyperlink")):
            if link.getparent().find(f"{w('pPr')}/{w('pStyle')}") is not None and \
                    link.getparent().find(f"{w('pPr')}/{w('pStyle')}").get(w("val")).startswith(
                        "TOC"):
                continue  # contents entries: not coloured, a list of links by their place
            runs += [r for r in link.iter(w("r")) if "".join(r.itertext()).strip()]
    return runs


def test_links_are_underlined_even_where_a_reference_style_is_not(brief, tmp_path):
    ref = docx.Document()
    ref.styles.add_style("Hyperlink", docx.enum.style.WD_STYLE_TYPE.CHARACTER).font.color.rgb = \
        docx.shared.RGBColor(0x1F, 0x38, 0x64)  # colour alone
    path = tmp_path / "reference.docx"
    ref.save(path)
    for data in (render_docx(brief), render_docx(brief, reference=path)):
        runs = _link_runs(data)
        assert len(runs) >= len(brief.cites) + 1  # every note's source and the annex's URL
        for r in runs:
            assert r.find(f"{w('rPr')}/{w('u')}").get(w("val")) == "single"


def test_arabic_runs_are_marked_right_to_left_in_a_declared_language(brief):
    data = render_docx(brief)
    lang = part(data, "word/styles.xml").find(f".//{w('docDefaults')}//{w('lang')}")
    assert lang.get(w("bidi")) == "ar-SA"  # what Word applies to every w:rtl run
    arabic = [r for r in part(data, "word/document.xml").iter(w("r"))
              if ARABIC[:4] in "".join(r.itertext())]
    assert arabic and all(r.find(f"{w('rPr')}/{w('rtl')}") is not None for r in arabic)
