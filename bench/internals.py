#!/usr/bin/env python3
"""Does each speed-up that reaches into a library's internals still pay? Measure it.

    python bench/internals.py [--facts DIR] [--runs 5]

Composes the 500-line theme brief of the generated 1k-fact base (bench/make_factbase.py), then
times in this process, as CPU seconds (the least of N renders after one warm-up), the PDF render
as shipped and with each internal speed-up switched back to reportlab's own code path:
- raw PDF text operators in `writers/pdf/text.py` (vs reportlab's text object, both in a PDF
  without the structure tree: the text object writes no marked content),
- ready-made link annotations in `writers/pdf/canvas.py` (vs `Canvas.linkRect`),
- the `splitString` fast path in `writers/pdf/fonts.py` (vs `TTFont.splitString`),
- the one-pass /Dests name tree in `writers/pdf/canvas.py` (vs reportlab's `PDFArray`) and
  `TextBlock.draw_on` in `writers/pdf/text.py` (vs `Flowable.draw_on`);
and the shared-part flattening of `distribution/message.py` (vs `BytesGenerator` encoding the
PDF again for each message), on 1,000 messages carrying that brief's PDF. A speed-up is worth
keeping above 5 % of the build.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))


def cpu(fn, runs: int) -> float:
    """The least CPU time of `runs` calls: on a shared VM other work only ever adds to it."""
    fn()  # warm-up: fonts, caches, first-use imports
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def textobject_draw(self, canv, tags=None):
    """TextBlock.draw_text through reportlab's PDFTextObject (what the raw operators replace;
    tests/internals/test_reportlab_pages.py checks that both draw the same). The text object
    has no marked content: use it on an untagged PDF."""
    from briefgen.writers.pdf.text import line_runs, text_width

    tx = canv.beginText()
    y = self.height - self.size
    if self.bullet:
        b = self.bullet
        tx.setTextOrigin(b.indent, y)
        tx.setFont(b.font, b.size)
        tx.setFillColor(b.color)
        tx.textOut(b.text + " ")
    links, under = [], []
    for line, _ in self._lines:
        x = self.left
        tx.setTextOrigin(x, y)
        runs = line_runs(line)
        gap = line[-1][3]  # the space the line broke at, drawn at its end
        tail = runs[-1] if gap is not None and gap.font == runs[-1][0].font else None
        linked = None
        for run in runs:
            p, text, w = run
            tx.setFont(p.font, p.size)
            tx.setFillColor(p.color)
            tx.setRise(p.rise)
            tx.textOut(text + " " if run is tail else text)
            if p.link:
                end = x + w - (text_width(" ", p.font, p.size) if text[-1] == " " else 0)
                bottom = y - self.size / 8
                if linked == p.link:
                    links[-1][1][2] = end
                else:
                    links.append((p.link, [x, bottom, end, bottom + self.leading]))
                if not p.rise:
                    under.append((x, end, y - p.size / 8, p.color))
            linked = p.link
            x += w
        y -= self.leading
    tx.setRise(0)
    canv.drawText(tx)
    if under:  # links are underlined
        canv.saveState()
        canv.setLineWidth(0.5)
        for x0, x1, at, color in under:
            if color is not None:
                canv.setStrokeColor(color)
            canv.line(x0, at, x1, at)
        canv.restoreState()
    for link, rect in links:
        if link.startswith("#"):
            canv.linkRect("", link[1:], rect, relative=1)
        else:
            canv.linkURL(link, rect, relative=1, kind="URI")


def linkrect_link(self, target, rect, element):
    """BriefCanvas.link with reportlab's own `linkRect` for a destination inside the brief
    (what the ready-made annotation replaces; tests/internals/test_reportlab_pages.py checks
    that both land on the same place)."""
    from reportlab.pdfbase import pdfdoc
    from reportlab.pdfgen.canvas import Canvas

    tags = self.tags
    key = tags.next_key()
    described = tags.describe.get(target, target)
    if target.startswith("#"):
        # reportlab's link annotation cannot carry the /StructParent key; the rest is the same
        Canvas.linkRect(self, described, target[1:], rect, relative=1)
    else:
        self.linkURL(target, rect, relative=1, kind="URI", StructParent=key,
                     Contents=pdfdoc.PDFString(described))
    tags.annotated(element, self._annotationrefs[-1].name)


def untagged(layout):
    """Swap `layout`'s canvas for one that draws no structure tree (reportlab's text object,
    which `textobject_draw` uses, has no marked content); returns a function to swap it back."""
    shipped = layout.BriefCanvas

    class Untagged(shipped):
        def __init__(self, *args, tags=None, **kw):
            super().__init__(*args, **kw)

    layout.BriefCanvas = Untagged
    return lambda: setattr(layout, "BriefCanvas", shipped)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--facts", type=Path, default=BENCH / "data" / "facts-1000" / "facts")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    # as in the `briefgen` command: no cycle collector, whose passes over the composed brief
    # would otherwise be a quarter of every render here and none in a build
    gc.disable()

    from reportlab.pdfbase import ttfonts

    from briefgen.api import check
    from briefgen.compose.composer import compose
    from briefgen.compose.specs import theme_spec
    from briefgen.writers.docx.writer import render_docx
    from briefgen.writers.pdf import canvas as pdf_canvas, fonts as pdf_fonts, text as pdf_text
    from briefgen.writers.pdf import layout as pdf_layout
    from briefgen.writers.pdf.writer import render_pdf

    import make_factbase

    base = check(args.facts)
    brief = compose(base, ROOT / "templates", theme_spec(base, make_factbase.FOCUS_THEME))
    from briefgen.resources import fonts_dir
    fonts = fonts_dir(ROOT / "templates")  # the desk's fonts if it has any, else the bundled ones
    print(f"brief: {sum(b.kind in ('bullet', 'paragraph') for b in brief.blocks)} lines, "
          f"{len(brief.cites)} notes, {len(brief.sources)} sources")
    start = time.process_time()
    base = check(args.facts)
    brief = compose(base, ROOT / "templates", theme_spec(base, make_factbase.FOCUS_THEME))
    load = time.process_time() - start  # what a build does besides rendering
    pdf = cpu(lambda: render_pdf(brief, fonts), args.runs)
    word = cpu(lambda: render_docx(brief), args.runs)
    build = load + pdf + word
    print(f"build CPU: check + compose {load:.3f} s, pdf {pdf:.3f} s, docx {word:.3f} s "
          f"(all: {build:.3f} s)\n")
    print("| speed-up | CPU without it | costs without it | share of the build |")
    print("| --- | ---: | ---: | ---: |")

    def variant(name, obj, attr, replacement, plain_pdf=False):
        """The render with `obj.attr` swapped for the library's own path; `plain_pdf`: both
        renders without the structure tree, which that path cannot write."""
        restore = untagged(pdf_layout) if plain_pdf else lambda: None
        try:
            shipped = cpu(lambda: render_pdf(brief, fonts), args.runs) if plain_pdf else pdf
            saved = getattr(obj, attr)
            setattr(obj, attr, replacement)
            try:
                t = cpu(lambda: render_pdf(brief, fonts), args.runs)
            finally:
                setattr(obj, attr, saved)
        finally:
            restore()
        print(f"| {name} | {t:.3f} s | +{t - shipped:.3f} s | "
              f"{100 * (t - shipped) / build:.1f} % |")

    variant("raw PDF text operators (pdf/text.py; untagged PDF)", pdf_text.TextBlock,
            "draw_text", textobject_draw, plain_pdf=True)
    variant("ready-made link annotations (pdf/canvas.py)", pdf_canvas.BriefCanvas, "link",
            linkrect_link)
    variant("splitString fast path (pdf/fonts.py)", pdf_fonts._TTFont, "splitString",
            ttfonts.TTFont.splitString)
    from reportlab.pdfbase import pdfdoc
    from briefgen.writers.pdf.flow import Flowable
    variant("one-pass /Dests name tree (pdf/canvas.py)", pdf_canvas, "_DestNames",
            lambda entries: pdfdoc.PDFArray(
                [x for name, dest in entries for x in (pdfdoc.PDFString(name), dest)]))
    variant("draw_on without a canvas state copy (pdf/text.py)", pdf_text.TextBlock, "draw_on",
            Flowable.draw_on)

    from email.generator import BytesGenerator

    from briefgen.distribution import message
    data = render_pdf(brief, fonts)

    def mails():
        part = message.attachment_part(data, "brief.pdf")
        for i in range(1000):
            msg = message.EmailMessage()
            msg["Subject"] = message._shared("Subject", "Weekly brief")
            msg["From"] = message._shared("From", "Desk <desk@example.org>")
            msg["To"] = f"Reader {i} <r{i}@example.org>"
            msg.make_mixed()
            msg.attach(part)
            message.flatten(msg)

    shipped = cpu(mails, max(1, args.runs // 2))
    saved = message._SharingGenerator.flatten
    message._SharingGenerator.flatten = BytesGenerator.flatten
    try:
        plain = cpu(mails, max(1, args.runs // 2))
    finally:
        message._SharingGenerator.flatten = saved
    print(f"\nshared parts flattened once (distribution/message.py), 1,000 messages: "
          f"{shipped:.3f} s, {plain:.3f} s without it (+{100 * (plain - shipped) / shipped:.1f} % "
          "of flattening the messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
