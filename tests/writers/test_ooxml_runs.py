"""Paragraphs written as XML text: fact text stays character data, right-to-left runs, isolation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.writers.docx.oxml.runs import LRM, W_NS, Para, parse

W = f"{{{W_NS}}}"
ARABIC = "مركز المستقبل"


def runs(p: Para) -> list[tuple[bool, str]]:
    """(is right-to-left, text with tabs and breaks written back) per run of the parsed paragraph."""
    out = []
    for r in parse(p.xml())[0].iter(f"{W}r"):
        text = "".join("\t" if el.tag == f"{W}tab" else "\n" if el.tag == f"{W}br" else el.text
                       for el in r if el.tag in (f"{W}t", f"{W}tab", f"{W}br"))
        out.append((r.find(f"{W}rPr/{W}rtl") is not None, text))
    return out


_text = st.lists(st.sampled_from(list("ab <>&\"'\t\n{}*#") + ["{{ 7*7 }}", "<b>", "&amp;", "\r\n",
                                                              ARABIC, "é", "1"])).map("".join)


@given(_text)
def test_text_comes_back_as_written_never_as_markup(text):
    p = Para("Normal").add_text(text, bold=True)
    assert "".join(t for _, t in runs(p)) == text.replace("\r\n", "\n")


def test_arabic_gets_its_own_right_to_left_run_with_the_complex_script_font():
    p = Para().add_text(f"Source: {ARABIC}, 28 August 2017")
    assert runs(p) == [(False, "Source: "), (True, ARABIC), (False, ", 28 August 2017")]
    latin, arabic, _ = parse(p.xml())[0].findall(f"{W}r")
    assert latin.find(f"{W}rPr") is None  # only the Arabic run names the complex-script font
    assert arabic.find(f"{W}rPr/{W}rFonts").get(f"{W}cs") == "Noto Naskh Arabic"


def test_isolation_marks_the_text_after_an_arabic_run_only_when_asked():
    p = Para().add_text(f"“{ARABIC}”, 28 August")
    assert runs(p)[2] == (False, "”, 28 August")
    p.isolate_rtl()
    assert runs(p)[2] == (False, LRM + "”, 28 August")


def test_a_run_without_text_does_not_end_the_arabic_context():
    p = Para().add_text(ARABIC)
    p.footnote_reference(3, "FootnoteReference")
    p.add_text("\t")  # a tab only: no text to mark
    p.add_text(" next")
    p.isolate_rtl()
    assert runs(p)[-1] == (False, LRM + " next")


def test_characters_xml_cannot_hold_are_refused():
    with pytest.raises(ValueError, match="XML compatible"):
        Para().add_text("bell \x07")


def test_links_bookmarks_and_fields_are_well_formed():
    p = Para("Heading1", keep_next=True, bidi=True, jc="center")
    p.bookmark_start(1, "src_1")
    p.link_to_bookmark("src_1", "Source 1", style="Hyperlink")
    p.link_to_target("rId9", "https://example.org/?a=1&b=2")
    p.bookmark_end(1)
    p.field("PAGE", "1")
    el = parse(p.xml())[0]
    assert [c.tag.split("}")[1] for c in el.find(f"{W}pPr")] == ["pStyle", "keepNext", "bidi", "jc"]
    links = el.findall(f"{W}hyperlink")
    assert links[0].get(f"{W}anchor") == "src_1"
    assert "".join(links[1].itertext()) == "https://example.org/?a=1&b=2"
    assert el.find(f"{W}r/{W}instrText").text == " PAGE "
