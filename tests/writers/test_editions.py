"""The three editions of one brief, as `briefgen build` writes them: the HTML, PDF and Word
editions list the same notes with the same numbers, and the provenance record covers them."""

from __future__ import annotations

import json
import os
import re
import zipfile

import lxml.html
import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import ROOT, run_process

EPOCH = "1576454400"  # 16 December 2019: builds are reproducible under SOURCE_DATE_EPOCH
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def flat(text: str) -> str:
    """Words as a reader compares them: marks that only steer direction dropped."""
    return " ".join(text.replace("\u200e", "").replace("\u200f", "").replace("\xa0", " ").split())


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    from briefgen.cli import main
    cwd, epoch = os.getcwd(), os.environ.get("SOURCE_DATE_EPOCH")
    os.chdir(ROOT)
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        assert main(["build", "--theme", "russian-motives", "--format", "html,pdf,docx",
                     "--out", str(out)]) == 0
        assert main(["weekly", "--week", "2019-W50", "--format", "docx,pdf,html",
                     "--out", str(out)]) == 0
    finally:
        os.chdir(cwd)
        if epoch is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = epoch
    return out


def word_notes(path) -> dict[int, str]:
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    by_id = {fn.get(f"{{{W}}}id"): fn for fn in notes.iter(f"{{{W}}}footnote")}
    refs = [r.get(f"{{{W}}}id") for r in body.iter(f"{{{W}}}footnoteReference")]
    # Word numbers footnotes in the order of their references
    return {n: flat("".join(t.text or "" for t in by_id[i].iter(f"{{{W}}}t")))
            for n, i in enumerate(refs, 1)}


def html_notes(path) -> dict[int, str]:
    page = lxml.html.fromstring(path.read_bytes())
    out = {}
    for li in page.xpath("//section[contains(@class, 'notes')]/ol/li"):
        number = int(li.find("a").text_content())
        assert li.get("id") == f"note_{number}"
        out[number] = flat(li.find("span").text_content())
    return out


@pytest.mark.parametrize("name", ["theme-russian-motives", "weekly-2019-W50"])
def test_html_pdf_and_word_list_the_same_notes_with_the_same_numbers(editions, name):
    word = word_notes(editions / f"{name}.docx")
    html = html_notes(editions / f"{name}.html")
    assert len(word) > 5
    assert html == word
    pdf = PdfReader(editions / f"{name}.pdf")
    assert sorted(int(d[5:]) for d in pdf.named_destinations if d.startswith("note_")) == \
        sorted(word)
    # the PDF's text, as pypdf reads it back, moves punctuation around Arabic: its Latin words
    pdf_words = latin_words(" ".join(p.extract_text() for p in pdf.pages))
    for number, note in word.items():
        assert f" {number} {latin_words(note)} " in f" {pdf_words} ", number


def latin_words(text: str) -> str:
    return " ".join(re.findall(r"[A-Za-z0-9]+", text))


def test_the_provenance_record_covers_the_html_edition(editions):
    record = json.loads((editions / "theme-russian-motives.sources.json").read_text())
    page = lxml.html.fromstring((editions / "theme-russian-motives.html").read_bytes())
    for line in record["lines"]:
        numbers = {c["number"] for c in line["citations"]}
        for number in numbers:  # the line's marker and its note are in the page
            line_element = page.get_element_by_id(f"ref_{number}").getparent().getparent()
            assert flat(line["text"]) == flat("".join(
                [line_element.text or ""] + [(el.text_content() if el.tag != "sup" else "")
                                            + (el.tail or "") for el in line_element]))
            assert page.get_element_by_id(f"note_{number}") is not None


def test_the_html_edition_is_the_same_bytes_in_another_process(editions, tmp_path):
    again = tmp_path / "again"
    result = run_process("build", "--theme", "russian-motives", "--format", "html", "--out",
                         str(again), env={"SOURCE_DATE_EPOCH": EPOCH, "TZ": "Pacific/Kiritimati"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"{again}/theme-russian-motives.html"]
    assert (again / "theme-russian-motives.html").read_bytes() == \
        (editions / "theme-russian-motives.html").read_bytes()
    assert (again / "theme-russian-motives.sources.json").is_file()
