"""reportlab's canvas and text object: what the PDF writer writes itself (writers/pdf/text.py,
canvas.py) draws, links and lands as reportlab's own code does."""

from __future__ import annotations

import importlib.util
import io
from dataclasses import replace

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from briefgen.compose.model import Block, Run
from briefgen.writers.pdf.writer import render_pdf
from conftest import ARABIC, ROOT, sample_brief

FONTS = ROOT / "briefgen" / "resources" / "fonts"


def _bench_internals():
    """bench/internals.py, whose `textobject_draw` is TextBlock.draw_text through reportlab's own
    text object (the benchmark times the same two paths that the test compares)."""
    spec = importlib.util.spec_from_file_location("bench_internals",
                                                  ROOT / "bench" / "internals.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _drawn(pdf: bytes) -> list[tuple[list, list]]:
    """Per page, what it draws: each shown string with the full state it is shown in (matrix,
    text position, font, size, colour, rise), and every operator outside text objects."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = []
    for page in reader.pages:
        state = {"cm": [], "font": None, "rg": None, "rise": 0.0, "tm": None}
        saved, shown, other = [], [], []
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            args = [float(a) if isinstance(a, (int, float)) else a for a in operands]
            if op == b"q":
                saved.append({**state, "cm": list(state["cm"])})
            elif op == b"Q":
                state = saved.pop()
            elif op == b"cm":
                state["cm"].append(tuple(args))
            elif op == b"Tf":
                state["font"] = tuple(args)
            elif op == b"rg":
                state["rg"] = tuple(args)
            elif op == b"Ts":
                state["rise"] = args[0]
            elif op == b"Tm":
                state["tm"] = tuple(args)
            elif op == b"Tj":
                shown.append((tuple(state["cm"]), state["tm"], state["font"], state["rg"],
                               state["rise"], bytes(operands[0].original_bytes)))
            elif op in (b"BT", b"ET", b"TL"):  # TL: the leading, used by no operator written
                continue
            else:
                other.append((tuple(state["cm"]), op, tuple(args)))
        pages.append((shown, other))
    return pages


def _without_marked_content(drawn: list[tuple[list, list]]) -> list[tuple[list, list]]:
    return [(shown, [op for op in other if op[1] not in (b"BDC", b"BMC", b"EMC")])
            for shown, other in drawn]


def test_raw_text_operators_draw_what_reportlabs_text_object_draws(monkeypatch):
    """TextBlock.draw_text writes BT ... ET itself; reportlab's text object adds redundant
    state (a leading, a colour or font set again), so the bytes differ but every string is
    drawn at the same place in the same font, size, colour and rise, and nothing else changes.
    The text object writes no marked content, so the two are compared without the structure
    tree; with it, the same is drawn, inside marked-content sequences."""
    from briefgen.writers.pdf import layout, text

    brief = sample_brief(lines=30)
    bench = _bench_internals()
    tagged = _drawn(render_pdf(brief, FONTS))
    monkeypatch.setattr(layout, "BriefCanvas", layout.BriefCanvas)  # put back after the test
    bench.untagged(layout)
    shipped = render_pdf(brief, FONTS)
    monkeypatch.setattr(text.TextBlock, "draw_text", bench.textobject_draw)
    plain = render_pdf(brief, FONTS)
    assert plain != shipped
    drawn = _drawn(shipped)
    assert _drawn(plain) == drawn
    assert sum(len(shown) for shown, _ in drawn) > 300  # markers, notes, Arabic, the annex
    assert _without_marked_content(tagged) == _without_marked_content(drawn)
    assert tagged != drawn


def test_ready_made_pdf_objects_are_the_bytes_reportlab_would_write(monkeypatch):
    """The /Dests name tree formatted in one pass, TextBlock.draw_on without a copy of the
    canvas state and the document written without reportlab's per-object wrappers
    (`_document_bytes`) give the bytes of reportlab's own code path."""
    from reportlab.pdfbase import pdfdoc

    from briefgen.writers.pdf import canvas, flow, text

    brief = sample_brief(lines=120)
    plain_text = tuple(Block("paragraph", (Run("A line that cites nothing. " * 12),))
                       for _ in range(30))  # pages without a link: no /Annots
    brief = replace(brief, blocks=brief.blocks[:2] + plain_text + brief.blocks[2:])
    shipped = render_pdf(brief, FONTS)
    assert any("/Annots" not in page for page in PdfReader(io.BytesIO(shipped)).pages)
    monkeypatch.setattr(canvas, "_DestNames", lambda entries: pdfdoc.PDFArray(
        [x for name, dest in entries for x in (pdfdoc.PDFString(name), dest)]))
    monkeypatch.setattr(text.TextBlock, "draw_on", flow.Flowable.draw_on)
    monkeypatch.setattr(canvas, "_plain", lambda doc: False)
    plain = render_pdf(brief, FONTS)
    assert len(PdfReader(io.BytesIO(plain)).named_destinations) > 100
    assert plain == shipped


def _links(pdf: bytes) -> list[tuple]:
    """Every link: its page, rectangle, border, contents, structure key, and where it lands
    (page and position, through the /Dests tree for a named destination) or its URL."""
    reader = PdfReader(io.BytesIO(pdf))
    named = reader.named_destinations
    out = []
    for number, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            dest = annot.get("/Dest")
            if isinstance(dest, str):
                d = named[dest]
                where = (reader.get_destination_page_number(d), d.typ, d.left, d.top, d.zoom)
            elif dest is not None:
                where = (reader.get_page_number(dest[0].get_object()), dest[1],
                         *[float(v) for v in dest[2:]])
            else:
                where = annot["/A"]["/URI"]
            out.append((number, [float(v) for v in annot["/Rect"]],
                        [float(v) for v in annot["/Border"]], annot.get("/Contents"),
                        annot.get("/StructParent"), annot["/Subtype"], where))
    return out


@pytest.mark.parametrize("tagged", [True, False])
def test_ready_made_links_land_where_reportlabs_links_land(monkeypatch, tagged):
    """A ready-made link names its destination (/Dest (src_1)) where reportlab's linkRect
    writes the page and position; each lands on the same place, from the same rectangle, with
    the same contents, and the pages' contents are the same bytes; in a tagged PDF
    (`BriefCanvas.link`, whose links also carry their key in the structure tree, which
    reportlab's cannot) and in one without the structure tree (`linkRect`)."""
    from reportlab.pdfgen.canvas import Canvas

    from briefgen.writers.pdf import canvas, layout

    bench = _bench_internals()
    if not tagged:
        monkeypatch.setattr(layout, "BriefCanvas", layout.BriefCanvas)  # put back after
        bench.untagged(layout)
    brief = sample_brief(lines=40)
    shipped = render_pdf(brief, FONTS)
    monkeypatch.setattr(canvas.BriefCanvas, "link", bench.linkrect_link)
    monkeypatch.setattr(canvas.BriefCanvas, "linkRect", Canvas.linkRect)
    plain = render_pdf(brief, FONTS)
    assert plain != shipped
    links = _links(shipped)
    assert sum(isinstance(where, tuple) for *_, where in links) > 40  # markers and notes
    assert all((key is not None) == tagged for _, _, _, _, key, _, _ in links)
    # reportlab's link annotation has no /StructParent (the structure tree's key): the rest
    assert [link[:4] + link[5:] for link in _links(plain)] == \
        [link[:4] + link[5:] for link in links]
    contents = [p.get_contents().get_data() for p in PdfReader(io.BytesIO(shipped)).pages]
    assert [p.get_contents().get_data() for p in PdfReader(io.BytesIO(plain)).pages] == contents


def _draw_pages(canvas, out: io.BytesIO, font: str) -> bytes:
    """Three pages of what the writer does on a page: text, a bookmark, an outline, links."""
    for n in range(3):
        canvas.setFont(font, 11)
        canvas.drawString(72, 700, f"Page {n + 1}: café, Ħaftar, “quotes” — {ARABIC[:5]}")
        canvas.bookmarkHorizontal(f"sec_{n}", 72, 720)
        canvas.addOutlineEntry(f"Section {n + 1}", f"sec_{n}", 0, closed=False)
        canvas.linkURL("https://example.org/a?b=1&c=2", (72, 690, 200, 712), relative=1)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _document(pdf: bytes) -> tuple:
    """What a PDF holds for a reader: each page's size and content stream, its links, the
    outline, the named destinations and the embedded fonts."""
    reader = PdfReader(io.BytesIO(pdf))
    pages = [(list(p.mediabox), p.get_contents().get_data()) for p in reader.pages]
    outline = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    fonts = {name: (font["/Widths"], font["/FontDescriptor"]["/FontFile2"].get_data())
             for p in reader.pages for name, font in
             ((f.get_object()["/BaseFont"], f.get_object())
              for f in p["/Resources"]["/Font"].values())}
    return pages, _links(pdf), outline, dict(reader.named_destinations), fonts


def test_pages_kept_for_page_x_of_y_come_out_as_reportlab_writes_them_at_once():
    """BriefCanvas keeps each page's canvas state until `save` (the total is known then);
    with nothing to add to them, the pages, links, outline and fonts are those reportlab's
    Canvas writes page by page (its objects come in another order)."""
    from reportlab.pdfgen.canvas import Canvas

    from briefgen.writers.pdf.canvas import BriefCanvas
    from briefgen.writers.pdf.fonts import load_fonts

    fonts = load_fonts(FONTS)
    font = fonts.font(fonts.primary)
    ours, theirs = io.BytesIO(), io.BytesIO()
    plain = Canvas(theirs, invariant=1, initialFontName=font)
    plain.showOutline()  # as BriefCanvas does
    document = _document(_draw_pages(BriefCanvas(ours, invariant=1, initialFontName=font),
                                     ours, font))
    assert _document(_draw_pages(plain, theirs, font)) == document
    assert len(document[0]) == len(document[2]) == 3


def test_plain_strings_are_written_as_reportlab_writes_them():
    """tags._string writes a string of printable ASCII as it is, where reportlab's PDFString
    takes five steps; every other string goes through reportlab."""
    from reportlab.pdfbase import pdfdoc

    from briefgen.writers.pdf.tags import _PLAIN, _string

    doc = pdfdoc.PDFDocument()
    texts = [chr(c) for c in range(0x110)] + ["Note 12", "S4 Reuters (2019)", "a\\b", "é", ""]
    plain = [t for t in texts if _PLAIN.fullmatch(t)]
    assert plain == [chr(c) for c in range(0x20, 0x7F) if chr(c) not in "()\\"] + ["Note 12", ""]
    for text in texts:
        assert _string(text, doc) == pdfdoc.PDFString(text).format(doc).decode("latin-1"), text
