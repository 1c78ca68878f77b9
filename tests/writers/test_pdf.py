"""The PDF writer, checked by reading what it wrote with a real PDF reader (pypdf)."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest
from pypdf import PdfReader

from briefgen.compose.composer import outline
from briefgen.compose.model import Block, Run
from briefgen.errors import BuildError
from briefgen.writers.pdf.writer import render_pdf
from conftest import one_cite, ARABIC, ROOT, TRICKY, sample_brief

FONTS = ROOT / "briefgen" / "resources" / "fonts"
HINT = ("is not covered by any bundled font in briefgen/resources/fonts/ "
        "(hint: remove it or add a font that has it)")


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return render_pdf(sample_brief(), FONTS)


@pytest.fixture(scope="module")
def reader(pdf_bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf_bytes))


def page_texts(reader: PdfReader) -> list[str]:
    return [p.extract_text() for p in reader.pages]


def links(reader: PdfReader) -> list[tuple[int, dict]]:
    """(page index, annotation) for every link annotation."""
    out = []
    for i, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot["/Subtype"] == "/Link":
                out.append((i, annot))
    return out


def annex_heading(reader: PdfReader):
    """The annex's outline entry: its page and the top of its heading."""
    return next(o for o in reader.outline if o.title == "Sources")


def annex_page(reader: PdfReader) -> int:
    """The page the annex starts on."""
    return reader.get_destination_page_number(annex_heading(reader))


def annex_text(reader: PdfReader) -> str:
    """The annex's words, white space folded: from its heading to the end, without the notes
    at the foot of its first page (the body's) or the page furniture."""
    first, top = annex_page(reader), annex_heading(reader)["/Top"]
    dests = reader.named_destinations
    foot = max([dests[n]["/Top"] for n in dests if n.startswith("note_")
                and reader.get_destination_page_number(dests[n]) == first] or [72.0])
    parts: list[str] = []
    for index in range(first, len(reader.pages)):
        def keep(text, cm, tm, font, size, index=index):
            y = tm[5] * cm[3] + cm[5]
            if (index > first or foot < y <= top + 1) and 70 < y < 770:
                parts.append(text)
        reader.pages[index].extract_text(visitor_text=keep)
    return " ".join("".join(parts).split())


def fonts_used(reader: PdfReader) -> dict[str, dict]:
    """BaseFont name -> font dictionary, over all pages."""
    out = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            out[font["/BaseFont"]] = font
    return out


def test_text_from_the_model_prints_literally(reader):
    body = page_texts(reader)[0]
    assert "<b>bold?</b> & {{ 7*7 }}" in body
    assert TRICKY + " (2)." in body
    assert "Assessment: Haftar sought Russian backing." in body


def test_title_block_and_page_x_of_y(reader):
    texts = page_texts(reader)
    assert texts[0].startswith("NATO security assistance\nTheme brief · as of 28 August 2017\n"
                               "NATO security assistance\n")
    assert len(texts) == 2
    for i, text in enumerate(texts, 1):
        assert text.rstrip().endswith(f"Page {i} of 2")


def test_markers_link_to_their_notes_and_notes_to_the_annex_entry(reader):
    dests = reader.named_destinations
    assert sorted(n for n in dests if n.startswith("src_")) == ["src_1", "src_2"]
    assert sorted(n for n in dests if n.startswith("note_")) == [f"note_{i}" for i in range(1, 6)]
    # the annex starts on the page the body ends on: more than half of it was free
    assert annex_page(reader) == 0
    assert "\nSources\nS1 NATO Watch, “NATO returns to Libya" in page_texts(reader)[0]
    for name in ("src_1", "src_2"):
        assert reader.get_destination_page_number(dests[name]) == 0
    annex = annex_heading(reader)["/Top"]
    assert annex > dests["src_1"]["/Top"] > dests["src_2"]["/Top"]
    # the notes are at the foot of page 1: links above the annex are the lines' markers
    foot = max(dests[f"note_{i}"]["/Top"] for i in range(1, 6))
    internal = [(a["/Rect"], a["/Dest"]) for i, a in links(reader) if "/Dest" in a and i == 0]
    markers = [d for rect, d in internal if rect[1] > annex]
    notes = [d for rect, d in internal if rect[1] <= foot]  # a note on two lines: two links
    # each marker links to its note, in the order of the notes; a note to its source's entry
    assert markers == [c.anchor for c in sample_brief().cites]
    assert set(notes) == {"src_1", "src_2"} and len(notes) >= len(markers)
    # the markers are superscript numbers right after the grading
    assert "C2 · 4 June 2013 1" in page_texts(reader)[0] or "C2 · 4 June 20131" in page_texts(reader)[0]


def test_two_markers_of_one_source_on_a_line_are_two_links_not_one_over_the_text_between():
    brief = sample_brief(lines=1)
    nato = brief.sources[0]
    cite = next(c for c in brief.cites if c.source is nato)
    line = Block("bullet", (Run("Short"), replace(cite, number=1), Run(" and short"),
                            replace(cite, number=2)), fact_ids=(cite.fact_id,))
    pdf = PdfReader(io.BytesIO(render_pdf(replace(brief, blocks=(line,)), FONTS)))
    annex = annex_heading(pdf)["/Top"]  # the annex's links are below it
    markers = [a["/Rect"] for i, a in links(pdf) if i == 0 and a["/Rect"][1] > annex]
    assert len(markers) == 2
    (_, _, first_end, _), (second_start, _, _, _) = markers
    gap = second_start - first_end  # " and short" lies between the two markers
    assert gap > 30


def test_annex_entries_link_to_the_source_url_and_show_the_models_words(reader):
    uris = [(i, a["/A"]["/URI"]) for i, a in links(reader) if "/A" in a]
    assert uris == [(annex_page(reader), "https://example.org/nato-watch?a=1&b=2")]
    annex = annex_text(reader)
    for expected in [
        "S1 NATO Watch, “NATO returns to Libya but not in a combat role”",
        "Nigel Chamberlain · June 2013 · reliability C (fairly reliable)",
        "https://example.org/nato-watch?a=1&b=2",
        ARABIC, "Haftar’s motives for rapprochement with Russia",
        "28 August 2017 · reliability B (usually reliable)",
    ]:
        assert expected in annex
    # a quote is printed once, in its note: the annex points to the notes that quote the source
    assert "“to confront regional and international pressures”" not in annex
    assert "Quoted in notes 2, 4 and 5." in annex


def test_outline_has_each_section_and_the_annex(reader):
    outline = reader.outline
    assert [o.title for o in outline] == ["NATO security assistance", "Haftar’s motives", "Sources"]
    assert [reader.get_destination_page_number(o) for o in outline] == [0, 0, 0]
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_outline_nests_heading_levels():
    brief = sample_brief()
    blocks = (Block("heading", (Run("Overview"),), level=1),
              Block("heading", (Run("Detail"),), level=3)) + tuple(
        replace(b, level=2) if b.kind == "heading" else b for b in brief.blocks)
    blocks = tuple(outline(list(blocks)))  # the levels as the composer sets them: 1, 2, 2, 2
    r = PdfReader(io.BytesIO(render_pdf(replace(brief, blocks=blocks), FONTS)))
    titles = [o.title if not isinstance(o, list) else [x.title for x in o] for o in r.outline]
    assert titles == ["Overview", ["Detail", "NATO security assistance", "Haftar’s motives"],
                      "Sources"]


def test_document_info(reader):
    meta = reader.metadata
    assert meta.title == "NATO security assistance"
    assert meta.author == "briefgen"
    assert meta.subject == "Libya: NATO security assistance"
    assert meta["/Keywords"] == "Libya, NATO"
    assert meta["/Creator"] == "briefgen"
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20170828000000+00'00'"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_every_font_is_an_embedded_truetype_subset(reader):
    fonts = fonts_used(reader)
    families = sorted({name.split("+", 1)[1].split("-")[0] for name in fonts})
    assert families == ["NotoNaskhArabic", "NotoSans"]
    for name, font in fonts.items():
        assert font["/Subtype"] == "/TrueType", name
        assert "/FontFile2" in font["/FontDescriptor"], name
        assert "/ToUnicode" in font, name
        assert len(name.lstrip("/").split("+")[0]) == 6, name  # subset tag: AAAAAA+NotoSans-Bold


def test_arabic_is_shaped_right_to_left_and_extracts_in_reading_order(reader):
    texts = page_texts(reader)
    assert f"backing. {ARABIC}.5" in texts[0]
    assert ARABIC in annex_text(reader)  # (pypdf's own bidi moves the colon: not checked)
    # drawn with the Arabic font, in contextual forms (glyphs that no character maps to)
    content = reader.pages[0].get_contents().get_data()
    naskh = [k for k, ref in reader.pages[0]["/Resources"]["/Font"].items()
             if "NotoNaskhArabic" in ref.get_object()["/BaseFont"]]
    assert naskh and any(f"{k} ".encode() in content for k in naskh)
    cmap = next(f for n, f in fonts_used(reader).items() if "NotoNaskhArabic" in n)
    tounicode = cmap["/ToUnicode"].get_data().decode()
    assert tounicode.count("<0645>") > 1  # م drawn as more than one glyph (initial, final...)


def test_rendering_is_byte_identical(pdf_bytes):
    assert render_pdf(sample_brief(), FONTS) == pdf_bytes


def test_rendering_does_not_depend_on_what_the_process_did_before(pdf_bytes):
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, "tests")
        from conftest import sample_brief
        from briefgen.resources import FONTS
        from briefgen.writers.pdf.writer import render_pdf
        sys.stdout.buffer.write(render_pdf(sample_brief(), FONTS))
    """)
    # this process has already shaped other Arabic text; a fresh one has not
    render_pdf(replace(sample_brief(), title="عنوان آخر تماما", subtitle="للأبحاث"), FONTS)
    fresh = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                           check=True, timeout=120).stdout
    assert fresh == pdf_bytes == render_pdf(sample_brief(), FONTS)


def test_long_brief_numbers_every_page_and_points_at_the_right_ones():
    r = PdfReader(io.BytesIO(render_pdf(sample_brief(lines=150), FONTS)))
    n = len(r.pages)
    assert n > 4
    texts = page_texts(r)
    for i, text in enumerate(texts, 1):
        assert text.rstrip().endswith(f"Page {i} of {n}")
    assert {r.get_destination_page_number(d) for name, d in r.named_destinations.items()
            if name.startswith("src_")} == {n - 1}
    second = r.outline[1]
    assert second.title == "Haftar’s motives"
    assert "\nHaftar’s motives\n" in texts[r.get_destination_page_number(second)]


def test_missing_fonts_fail_the_build(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BuildError, match=r"^font NotoSans-Regular.ttf is missing from \./"):
        render_pdf(sample_brief(), tmp_path)


def test_a_character_no_font_has_fails_the_build_naming_the_fact(monkeypatch):
    monkeypatch.chdir(ROOT)
    brief = sample_brief()
    cite = one_cite(9, brief.sources[0], "tricky-fact", "q", "d")
    bad = Block("bullet", (Run("Smile 😀 please"), cite), fact_ids=("tricky-fact",))
    with pytest.raises(BuildError) as err:
        render_pdf(replace(brief, blocks=brief.blocks + (bad,)), FONTS)
    assert str(err.value) == f"[tricky-fact] character U+1F600 '😀' {HINT}"
    assert err.value.lines() == [f"error: [tricky-fact] character U+1F600 '😀' {HINT}"]


def test_every_missing_character_is_reported_at_once(monkeypatch):
    monkeypatch.chdir(ROOT)
    brief = sample_brief()
    src = replace(brief.sources[1], heading=(Run("Title with \u2603 snowman"),))
    bad = Block("bullet", (Run("ok \U0001F600 and \u0fd0 and \U0001F600 again"),
                           one_cite(9, src, "a", "q", "d")), fact_ids=("a", "b"))
    brief = replace(brief, title="Title \U0001F680", blocks=brief.blocks + (bad,),
                    sources=(brief.sources[0], src))
    with pytest.raises(BuildError) as err:
        render_pdf(brief, FONTS)
    assert str(err.value).splitlines() == [
        f"[title] character U+1F680 '🚀' {HINT}",
        f"[a, b] character U+1F600 '😀' {HINT}",
        f"[a, b] character U+0FD0 '\u0fd0' {HINT}",
        f"[futures-centre-2017] character U+2603 '☃' {HINT}",
    ]


def test_links_are_underlined_not_marked_by_colour_alone(reader):
    """Every link but the superscript markers (set apart by their place) has a rule under it."""
    from pypdf.generic import ContentStream

    for index, page in enumerate(reader.pages):
        ops = ContentStream(page.get_contents(), reader).operations
        rules = []  # (x from, x to, y) of every straight horizontal stroke, on the page
        at, saved = (0.0, 0.0), []  # the writer only translates (cm 1 0 0 1 x y)
        for (a, op_a), (b, op_b) in zip(ops, ops[1:], strict=False):
            if op_a == b"q":
                saved.append(at)
            elif op_a == b"Q":
                at = saved.pop()
            elif op_a == b"cm":
                at = (at[0] + float(a[4]), at[1] + float(a[5]))
            elif op_a == b"m" and op_b == b"l" and abs(float(a[1]) - float(b[1])) < 0.01:
                rules.append((at[0] + float(a[0]), at[0] + float(b[0]), at[1] + float(a[1])))
        for i, annot in links(reader):
            if i != index or annot.get("/Dest", "").startswith("note_") and \
                    not annot.get("/A"):  # a marker: leads to its note
                continue
            x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
            under = sorted((a, b) for a, b, y in rules if y0 - 2 <= y <= y1)
            reach = x0 + 0.5  # how far the rules under the link reach, end to end
            for a, b in under:
                if a <= reach:
                    reach = max(reach, b)
            assert reach >= x1 - 0.5, (index, annot.get("/Dest"), annot["/Rect"])
