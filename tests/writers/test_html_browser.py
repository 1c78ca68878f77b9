"""The HTML edition in a real browser (headless Chromium): the words it shows are the model's,
every note link goes where it should when clicked, Arabic runs right to left, the fonts load,
the page fits a phone, it prints with its marking on every page, and axe-core finds no
violation of the WCAG 2.2 AA rules in any bundled brief."""

from __future__ import annotations

import io
import struct
from dataclasses import replace

import pytest

from briefgen.compose.composer import compose
from briefgen.compose.model import Cite, Run, Style
from briefgen.compose.specs import theme_spec, weekly_spec
from briefgen.factbase.base import load_factbase
from briefgen.writers.html.writer import render_html
from browser import axe_violations
from conftest import ARABIC, ROOT, sample_brief

FONTS = ROOT / "briefgen" / "resources" / "fonts"


@pytest.fixture(scope="module")
def bundled() -> dict[str, object]:
    """Every bundled theme brief, the 2019-W50 weekly and the annotated Russian motives, as
    `briefgen build` and `weekly` compose them: name -> brief model."""
    base = load_factbase(ROOT / "facts")
    specs = [theme_spec(base, t) for t in base.themes] + [
        weekly_spec(base, "2019-W50"), theme_spec(base, "russian-motives", annotated=True)]
    briefs = [compose(base, ROOT / "templates", spec) for spec in specs]
    return {b.name: b for b in briefs}  # the annotated edition's name says so


def show(driver, brief, tmp_path, width: int = 1280, height: int = 900):
    """Open the brief's HTML edition (a file, as a reader opens it) at this window size."""
    path = tmp_path / f"{brief.name}.html"
    path.write_bytes(render_html(brief, FONTS))
    driver.set_window_size(width, height)
    driver.get(path.as_uri())
    driver.execute_script("return document.fonts.ready")
    return path


def model_words(brief) -> list[str]:
    """The words the page must show, in reading order: everything the model says, with the note
    numbers the page prints (after a line, before its note, before an annex entry)."""
    def runs(items) -> str:
        out, after_marker = [], False
        for item in items:
            if isinstance(item, Cite):
                out.append(("," if after_marker else "") + str(item.number))
                after_marker = True
            else:
                out.append(item.text)
                after_marker = after_marker and not item.text
        return "".join(out)

    parts = [brief.marking, brief.title, brief.subtitle]
    parts += [runs(b.inlines) for b in brief.cover]
    parts += [runs(b.inlines) for b in brief.blocks]
    if brief.cites:
        parts.append(brief.labels["notes"])
        parts += [f"{c.number} {runs(c.note)}" for c in brief.cites]
    parts.append(brief.labels["sources"])
    for s in brief.sources:
        parts.append(f"{s.label or s.number} {runs(s.heading)}")
        parts += [runs(line) for line in s.lines]
    for b in brief.annex:  # the annex's parts: a table's caption, then its cells row by row
        parts.append(runs(b.inlines))
        parts += [runs(line) for row in b.rows for c in row for line in c.lines]
    parts.append(brief.marking)
    return " ".join(parts).split()


@pytest.mark.parametrize("name", ["theme-russian-motives", "weekly-2019-W50"])
def test_the_page_shows_the_models_words_in_order(browser, bundled, tmp_path, name):
    show(browser, bundled[name], tmp_path)
    shown = browser.execute_script("return document.body.innerText").split()
    assert shown == model_words(bundled[name])


def test_the_sample_page_shows_the_models_words_literally(browser, tmp_path):
    brief = sample_brief()
    show(browser, brief, tmp_path)
    assert browser.execute_script("return document.body.innerText").split() == \
        model_words(brief)
    assert browser.execute_script("return document.querySelectorAll('main b').length") == 0


def in_view(driver, element_id: str) -> bool:
    return driver.execute_script(
        "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return r.top >= 0 && r.top < window.innerHeight;", element_id)


def click(driver, css: str):
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})",
                          el := driver.find_element("css selector", css))
    el.click()
    return driver.execute_script("return location.hash")


def test_clicking_a_marker_leads_to_its_note_and_its_number_back_to_the_line(
        browser, bundled, tmp_path):
    brief = bundled["theme-russian-motives"]
    show(browser, brief, tmp_path)
    assert len(brief.cites) > 20
    # every marker and every note's number, clicked in the page: [hash after, target in view]
    landed = browser.execute_script("""
        const visible = (id) => { const r = document.getElementById(id).getBoundingClientRect();
                                  return r.top >= 0 && r.top < window.innerHeight; };
        const go = (a) => { a.scrollIntoView({block: 'center'}); a.click();
                            const id = location.hash.slice(1); return [id, visible(id)]; };
        return arguments[0].map(n => [go(document.getElementById('ref_' + n)),
                                      go(document.querySelector('li#note_' + n + ' > a'))]);
    """, [c.number for c in brief.cites])
    assert landed == [[[f"note_{c.number}", True], [f"ref_{c.number}", True]]
                      for c in brief.cites]
    last = brief.cites[-1].number
    for n in (1, last // 2, last):  # and with the mouse, as a reader does
        assert click(browser, f"a#ref_{n}") == f"#note_{n}" and in_view(browser, f"note_{n}")
        assert click(browser, f"li#note_{n} > a") == f"#ref_{n}" and in_view(browser, f"ref_{n}")


def test_clicking_the_links_inside_notes_and_entries_leads_to_entries_and_notes(
        browser, bundled, tmp_path):
    brief = bundled["theme-russian-motives"]
    show(browser, brief, tmp_path)
    links = browser.execute_script(
        "return [...document.querySelectorAll('.notes span a, .entry a')]"
        ".map(a => a.getAttribute('href'))")
    model = [r.link for c in brief.cites for r in c.note if r.link] + [
        r.link for s in brief.sources for runs in (s.heading, *s.lines) for r in runs if r.link]
    assert links == model and "#src_1" in links
    assert any(link.startswith("#note_") for link in links)  # a judgment's note, "same passage"
    landed = browser.execute_script("""
        return [...document.querySelectorAll('.notes span a, .entry a')]
            .filter(a => a.getAttribute('href').startsWith('#')).map(a => {
                a.scrollIntoView({block: 'center'}); a.click();
                const r = document.getElementById(location.hash.slice(1)).getBoundingClientRect();
                return [location.hash, r.top >= 0 && r.top < window.innerHeight]; });
    """)
    assert landed == [[href, True] for href in links if href.startswith("#")]


def test_arabic_runs_right_to_left_in_a_left_to_right_line(browser, tmp_path):
    show(browser, sample_brief(), tmp_path)
    first_last = browser.execute_script("""
        const span = [...document.querySelectorAll('main p span[dir=rtl]')]
            .find(s => s.textContent === arguments[0]);
        const text = span.firstChild, range = document.createRange();
        const x = (i) => { range.setStart(text, i); range.setEnd(text, i + 1);
                           return range.getBoundingClientRect().left; };
        return [getComputedStyle(span).direction, x(0), x(text.length - 1),
                span.getBoundingClientRect().left, span.previousSibling.textContent];
    """, ARABIC)
    direction, first, last, _, before = first_last
    assert direction == "rtl"
    assert first > last  # the first letter is drawn at the right end
    assert before.endswith("Haftar sought Russian backing. ")


def test_the_fonts_inside_the_page_are_the_ones_used(browser, tmp_path):
    show(browser, sample_brief(), tmp_path)
    faces = browser.execute_script(
        "return [...document.fonts].map(f => [f.family, f.weight, f.style, f.status])")
    # every face the text is drawn in is in the page and loads from it; bold italic is in the
    # page too (a template may ask for it) but this brief never shows it
    assert sorted(faces) == [
        ["briefgen NotoNaskhArabic", "400", "normal", "loaded"],
        ["briefgen NotoNaskhArabic", "700", "normal", "loaded"],
        ["briefgen NotoSans", "400", "italic", "loaded"],
        ["briefgen NotoSans", "400", "normal", "loaded"],
        ["briefgen NotoSans", "700", "italic", "unloaded"],
        ["briefgen NotoSans", "700", "normal", "loaded"]]
    assert browser.execute_script(
        "return document.fonts.check('16px \"briefgen NotoSans\"', 'Haftar')")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_on_a_desktop_and_a_phone(browser, bundled, tmp_path, width):
    brief = bundled["theme-russian-motives"]
    show(browser, brief, tmp_path, width, 900)
    inner, scroll, height = browser.execute_script(
        "return [window.innerWidth, document.documentElement.scrollWidth,"
        " document.documentElement.scrollHeight]")
    assert scroll <= inner  # nothing wider than the window: no sideways scrolling on a phone
    shot = browser.get_screenshot_as_png()
    assert png_size(shot) == (inner, browser.execute_script("return window.innerHeight"))
    full = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": inner, "height": height, "scale": 1}})
    import base64
    data = base64.b64decode(full["data"])
    (tmp_path / f"{brief.name}-{width}.png").write_bytes(data)
    assert png_size(data) == (inner, height)
    assert height > (9000 if width < 500 else 6000)  # the whole brief, longer on a phone
    from PIL import Image
    image = Image.open(io.BytesIO(data)).convert("L")
    assert len(image.crop((0, 0, inner, 600)).getcolors(4096)) > 20  # text, not a blank page


def test_printed_every_page_has_the_marking_at_top_and_bottom_and_its_number(
        browser, bundled, tmp_path):
    import base64

    from pypdf import PdfReader
    show(browser, bundled["theme-russian-motives"], tmp_path)
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    pages = PdfReader(io.BytesIO(base64.b64decode(pdf["data"]))).pages
    assert len(pages) >= 4
    for i, p in enumerate(pages, 1):
        height = float(p.mediabox.height)
        placed = placed_text(p)
        top = " ".join(t for t, y in placed if t and y > height - 24 * 72 / 25.4)  # margins
        foot = " ".join(t for t, y in placed if t and 0 < y < 22 * 72 / 25.4)
        assert top == "Libya desk OFFICIAL Russian motives", i
        assert foot in (f"Page {i} of {len(pages)} OFFICIAL", f"OFFICIAL Page {i} of {len(pages)}")
    width, height = pages[0].mediabox.width, pages[0].mediabox.height
    assert (round(width), round(height)) == (595, 842)  # A4, the desk's page size
    annex = " ".join(p.extract_text() for p in pages[-3:])
    assert "Menas Associates, “NATO refocuses on Libya" in annex  # the annex


def placed_text(page) -> list[tuple[str, float]]:
    """Each piece of text of a PDF page with its height on the page."""
    placed: list[tuple[str, float]] = []
    page.extract_text(visitor_text=lambda t, cm, tm, *_: placed.append(
        (t.strip(), tm[5] * cm[3] + cm[5])))
    return placed


def bundled_names():
    base = load_factbase(ROOT / "facts")
    return [f"theme-{t}" for t in base.themes] + ["weekly-2019-W50",
                                                  "theme-russian-motives.annotated"]


@pytest.mark.parametrize("name", bundled_names())
def test_axe_finds_no_wcag_22_aa_violation_in_any_bundled_brief(browser, bundled, tmp_path,
                                                                 name):
    show(browser, bundled[name], tmp_path)
    assert axe_violations(browser) == []
    if name in ("theme-russian-motives", "weekly-2019-W50"):
        browser.set_window_size(390, 900)  # on a phone too (reflow, target sizes)
        assert axe_violations(browser) == []


def test_axe_does_find_what_a_careless_page_would_do(browser, tmp_path):
    """The check can fail: a pale accent makes headings and links too faint to read."""
    brief = replace(sample_brief(), style=Style(accent="#c8d0da"))
    show(browser, brief, tmp_path)
    found = {v["id"] for v in axe_violations(browser)}
    assert "color-contrast" in found


def test_a_line_with_a_link_of_its_own_keeps_it(browser, tmp_path):
    brief = sample_brief(lines=2)
    i = next(i for i, b in enumerate(brief.blocks) if b.kind == "bullet")
    line = brief.blocks[i]
    line = replace(line, inlines=(Run("See "), Run("the report", link="https://example.org/r"),
                                  Run(". ")) + line.inlines[1:])
    show(browser, replace(brief, blocks=brief.blocks[:i] + (line,) + brief.blocks[i + 1:]),
         tmp_path)
    style = browser.execute_script(
        "const a = document.querySelector('main a[href^=\"https\"]');"
        "return [a.textContent, getComputedStyle(a).textDecorationLine]")
    assert style == ["the report", "underline"]  # links are marked by more than colour
