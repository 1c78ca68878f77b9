"""The words of notes, annex entries and the grading key, from wording.toml (packaged, or the desk's own)."""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from briefgen.compose.apparatus import Apparatus
from briefgen.compose.wordbook import NBSP, load_wordbook
from briefgen.errors import DiagnosticsError
from briefgen.factbase.models import PartialDate
from conftest import ROOT, write

FULL = SimpleNamespace(publisher="Future Center", title="Russia’s role in Libya",
                       author="A. Analyst", published=PartialDate(2017, 8, 28),
                       url="https://example.org/a", file="sources/001_future.txt",
                       reliability="C", archived=PartialDate(2024, 3, 2))
BARE = SimpleNamespace(publisher="Quiet Press", title="Untitled notes", author=None,
                       published=PartialDate(2019, None, None), url=None,
                       file="sources/002_quiet.txt", reliability="F")


def load(templates, annotated: bool = False, yardstick: str = "icd203") -> Apparatus:
    return Apparatus(load_wordbook(templates, "en").judged_with(yardstick), annotated)


def text(runs) -> str:
    return "".join(r.text for r in runs)


@pytest.fixture(scope="module")
def words():
    return load(ROOT / "templates")


def note(words, *citations, lines=()):
    """A note of one or more citations: (source, quote, fact, first, same_as) each."""
    return words.note([words.citation(source, quote, fact, first, "src_1", same_as)
                       for source, quote, fact, first, same_as in citations], lines)


def test_a_note_is_full_the_first_time_and_short_after(words):
    first = note(words, (FULL, "the exact words", "fact-a", True, None))
    later = note(words, (FULL, "other words", "fact-b", False, None))
    assert text(first) == ("Future Center, “Russia’s role in Libya”, A. Analyst, 28 August 2017. "
                           "“the exact words”")
    assert text(later) == "Future Center, 28 August 2017. “other words”"
    assert [r.text for r in later if r.italic] == ["other words"]  # the quote, in italics
    assert first[0].text.startswith("Future Center") and first[0].link == "#src_1"


def test_one_note_holds_every_citation_of_its_line_and_prints_a_quote_once(words):
    both = note(words, (FULL, "the exact words", "fact-a", False, None),
                (BARE, "some words here", "fact-b", False, 3))
    assert text(both) == ("Future Center, 28 August 2017. “the exact words”; Quiet Press, 2019. "
                          "Same passage as note 3.")
    assert [r.link for r in both if r.link] == ["#src_1", "#src_1", "#note_3"]
    judged = note(words, (BARE, "some words here", "f", False, None), lines=(4, 7, 9))
    assert text(judged) == ("Rests on the lines of notes 4, 7 and 9. Quiet Press, 2019. "
                            "“some words here”")
    assert [r.link for r in judged if r.link][:3] == ["#note_4", "#note_7", "#note_9"]


def test_what_a_source_does_not_state_is_left_out(words):
    assert text(note(words, (BARE, "some words here", "f", True, None))) == (
        "Quiet Press, “Untitled notes”, 2019. “some words here”")
    heading, lines = words.entry(BARE, {"some words here": ["f"]}, "0" * 64, [2])
    assert text(heading) == "Quiet Press, “Untitled notes”"
    assert [text(line) for line in lines] == [  # no author, URL or date archived
        "2019 · reliability F (reliability cannot be judged)", "Quoted in note 2."]


def test_annex_entry_of_the_readers_and_the_annotated_edition():
    quotes = {"the exact words": ["fact-a", "fact-b"]}
    words = load(ROOT / "templates")
    readers = words.entry(FULL, quotes, "3fa2c1d4e5f6" + "0" * 52, [1, 4])
    assert words.label(3) == "S3"  # a source's label: never mistaken for note 3
    assert text(readers[0]) == "Future Center, “Russia’s role in Libya”"
    assert [text(line) for line in readers[1]] == [
        "A. Analyst · 28 August 2017 · reliability C (fairly reliable) · archived 2 March 2024",
        "https://example.org/a", "Quoted in notes 1 and 4."]
    assert readers[1][1][0].link == "https://example.org/a"
    assert [r.link for r in readers[1][2] if r.link] == ["#note_1", "#note_4"]
    review = load(ROOT / "templates", annotated=True)
    _, lines = review.entry(FULL, quotes, "3fa2c1d4e5f6" + "0" * 52)
    assert [text(line) for line in lines][2:] == [
        f"“the exact words” cited{NBSP}by fact-a, fact-b",
        "archived copy 001_future.txt · SHA-256 3fa2c1d4e5f6"]
    assert text(note(review, (FULL, "q q q q", "fact-a", False, None))).endswith(" [fact-a]")


def cells(table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in table.rows]


def test_the_grading_key_is_a_table_of_the_scales_and_likelihood_with_judgments(words):
    heading, intro, table, kinds = words.grading_key()
    assert (heading.kind, heading.text) == ("heading", "How to read the gradings")
    assert intro.text.startswith("Each line ends with its grading")
    assert table.kind == "table" and table.header_rows == 1 and table.widths == (1.0, 1.0)
    assert table.keep_together  # read at a glance: on one page
    assert cells(table) == [
        ["Source reliability", "Information credibility"],
        ["A completely reliable", "1 confirmed by other sources"],
        ["B usually reliable", "2 probably true"], ["C fairly reliable", "3 possibly true"],
        ["D not usually reliable", "4 doubtful"], ["E unreliable", "5 improbable"],
        ["F reliability cannot be judged", "6 truth cannot be judged"]]
    assert [r.text for r in table.rows[1][0].lines[0] if r.bold] == ["A"]  # the code in bold
    assert kinds.text.startswith("Kinds of fact: statement:\xa0what") and kinds.text.endswith(".")
    _, _, judged, _ = words.grading_key(judgments=True)
    assert [row[2] for row in cells(judged)] == ["Likelihood (ICD 203)"] + [
        f"{t} {b}\xa0%" for t, b in [
            ("almost no chance", "1–5"), ("very unlikely", "5–20"), ("unlikely", "20–45"),
            ("roughly even chance", "45–55"), ("likely", "55–80"), ("very likely", "80–95"),
            ("almost certain", "95–99")]]
    assert cells(judged)[-1][:2] == ["", ""]  # a shorter scale leaves its cells empty
    _, _, phia, _ = load(ROOT / "templates", yardstick="phia").grading_key(True)
    assert [row[2] for row in cells(phia)][:3] == [
        "Likelihood (PHIA probability yardstick)", "remote chance up to 5\xa0%",
        "highly unlikely 10–20\xa0%"]


def test_what_the_judgments_rest_on_is_a_table_whose_note_numbers_are_links(words):
    heading, table = words.judgment_basis([
        ("Moscow will keep backing Haftar.", "likely", "moderate",
         [("Haftar visited Moscow.", [4]), ("Russia printed the east's dinars.", [7, 9])])])
    assert heading.text == "What our assessments rest on"
    assert cells(table) == [["Judgment", "Likelihood", "Confidence", "Rests on"],
                            ["Moscow will keep backing Haftar.", "likely", "moderate",
                             "Haftar visited Moscow. (note 4)\n"
                             "Russia printed the east’s dinars. (notes 7 and 9)"]]  # typeset
    assert [c.header for c in table.rows[1]] == [True, False, False, False]  # heads its row
    basis = table.rows[1][3].lines
    assert [[(r.text, r.link) for r in line if r.link] for line in basis] == [
        [("4", "#note_4")], [("7", "#note_7"), ("9", "#note_9")]]
    assert words.judgment_basis([]) == ()


def test_a_desk_rewords_notes_and_labels_in_its_own_wording_file(tmp_path):
    shutil.copy(ROOT / "briefgen" / "resources" / "templates" / "wording.toml", tmp_path / "wording.toml")
    path = tmp_path / "wording.toml"
    path.write_text(path.read_text(encoding="utf-8")
                    .replace('short = ["{publisher_short}", "{date}"]', 'short = ["{publisher}"]')
                    .replace('sources = "Sources"', 'sources = "References"'), encoding="utf-8")
    words = load(tmp_path)
    assert text(note(words, (FULL, "q w e r", "f", False, None))) == "Future Center. “q w e r”"
    assert words.words.labels["sources"] == "References"


def test_a_broken_wording_file_is_a_located_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "templates" / "wording.toml", "[en]\nmonths = ]\n")
    with pytest.raises(DiagnosticsError) as err:
        load(tmp_path / "templates")
    assert err.value.lines() == ["templates/wording.toml:2:10: error: not valid TOML: Invalid "
                                 "value", "error: wording.toml has 1 error, 0 warnings"]
    write(tmp_path / "templates" / "wording.toml", "[fr]\nmonths = []\n")
    with pytest.raises(DiagnosticsError) as err:
        load(tmp_path / "templates")
    assert err.value.lines()[0] == ("templates/wording.toml:1:1: error: no words for language "
                                    "'en' (hint: add a [en] table like [en]; tables: fr)")
