"""Hostile and careless fact bases: hidden characters, file-system oddities, out-of-range dates,
odd digits and URLs, huge sources. Each is a located error (or is handled), never a crash."""

from __future__ import annotations

import os
import shutil
import zipfile

import pytest
from pypdf import PdfReader

from conftest import NATO_TEXT, ROOT, run_process, tiny_factbase, write
from test_factbase import FACT, SOURCE, assert_errors, check, cite_s_two


# --- item 4 and 7: control, invisible and bidirectional characters --------------------------------


@pytest.mark.parametrize("raw, message", [
    ("\x01", "control character U+0001 is not allowed in fact files (hint: delete it; tab and "
             "line break are the only control characters allowed)"),
    ("\x0c", "control character U+000C is not allowed in fact files (hint: delete it; tab and "
             "line break are the only control characters allowed)"),
    ("\x9b", "control character U+009B is not allowed in fact files (hint: delete it; tab and "
             "line break are the only control characters allowed)"),
    ("\ufffe", "noncharacter U+FFFE is not allowed in fact files (hint: delete it: a reader "
               "could not see it)"),
    ("\U0010ffff", "noncharacter U+10FFFF is not allowed in fact files (hint: delete it: a "
                   "reader could not see it)"),
    ("\u202e", "bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE) is not allowed in fact "
               "files (hint: delete it; briefgen lays out right-to-left text by itself, and the "
               "marks U+200E, U+200F and U+061C are allowed)"),
    ("\u2067", "bidirectional control U+2067 (RIGHT-TO-LEFT ISOLATE) is not allowed in fact "
               "files (hint: delete it; briefgen lays out right-to-left text by itself, and the "
               "marks U+200E, U+200F and U+061C are allowed)"),
    ("\u200b", "invisible character U+200B (ZERO WIDTH SPACE) is not allowed in fact files "
               "(hint: delete it: a reader could not see it)"),
    ("\U000e0041", "invisible character U+E0041 (TAG LATIN CAPITAL LETTER A) is not allowed in "
                   "fact files (hint: delete it: a reader could not see it)"),
    # what the writers would hide or could not draw (issue 28, item 11)
    *[(ch, f"blank character {code} ({name}) is not allowed in fact files (hint: it looks like "
           "a space and is not one: write a space)")
      for ch, code, name in [("\u3164", "U+3164", "HANGUL FILLER"),
                             ("\u115f", "U+115F", "HANGUL CHOSEONG FILLER"),
                             ("\u1160", "U+1160", "HANGUL JUNGSEONG FILLER"),
                             ("\uffa0", "U+FFA0", "HALFWIDTH HANGUL FILLER"),
                             ("\u2800", "U+2800", "BRAILLE PATTERN BLANK")]],
    *[(ch, f"invisible character {code} ({name}) is not allowed in fact files (hint: delete it: "
           "a reader could not see it)")
      for ch, code, name in [("\u034f", "U+034F", "COMBINING GRAPHEME JOINER"),
                             ("\ufe00", "U+FE00", "VARIATION SELECTOR-1"),
                             ("\ufe0f", "U+FE0F", "VARIATION SELECTOR-16"),
                             ("\U000e0100", "U+E0100", "VARIATION SELECTOR-17"),
                             ("\U000e01ef", "U+E01EF", "VARIATION SELECTOR-256"),
                             ("\ufffc", "U+FFFC", "OBJECT REPLACEMENT CHARACTER"),
                             ("\u17b4", "U+17B4", "KHMER VOWEL INHERENT AQ"),
                             ("\u180b", "U+180B", "MONGOLIAN FREE VARIATION SELECTOR ONE")]],
    ("\u0600", "number mark U+0600 (ARABIC NUMBER SIGN) is not allowed in fact files (hint: "
               "delete it: briefs cannot draw it over the digits after it)"),
    # YAML reads these as line ends: said where they stand, not where the parser got lost
    ("\u2028", "line break U+2028 (LINE SEPARATOR) is not allowed in fact files (hint: YAML and "
               "TOML end the line there: write a space or a line break)"),
    ("\u2029", "line break U+2029 (PARAGRAPH SEPARATOR) is not allowed in fact files (hint: YAML "
               "and TOML end the line there: write a space or a line break)"),
])
def test_a_hidden_character_in_a_fact_file_is_located_and_named(tmp_path, monkeypatch, raw,
                                                                 message):
    bad = FACT.replace("NATO ruled out troops.", f"NATO ruled{raw} out troops.")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    # located at the character itself; the rest of the file is still checked
    assert_errors(lines, f"facts/a.yaml:3:26: error: {message}")


def test_a_hidden_character_written_as_an_escape_is_refused_too(tmp_path, monkeypatch):
    bad = FACT.replace("NATO ruled out troops.", '"NATO ruled\\x01 out \\u202e troops.\\uFFFF"')
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:3:16: error: control character U+0001 is not allowed in "
                         "fact files, not even as an escape (hint: delete it; tab and line break "
                         "are the only control characters allowed)")


def test_every_line_with_a_hidden_character_is_reported_with_the_other_errors(tmp_path,
                                                                            monkeypatch):
    bad = (FACT.replace("NATO ruled out troops.", "NATO \x07ruled out troops.")
           .replace("date: 2013-06-04", "date: 2013-13-04")
           .replace("there will be", "there\u202a will be"))
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert [line.split(" (hint")[0] for line in lines if ": error: " in line] == [
        "facts/a.yaml:3:21: error: control character U+0007 is not allowed in fact files",
        "facts/a.yaml:5:11: error: [x-fact] date: '2013-13-04' is not a real calendar date",
        "facts/a.yaml:8:21: error: bidirectional control U+202A (LEFT-TO-RIGHT EMBEDDING) is "
        "not allowed in fact files"]


def test_a_line_separator_in_a_plain_scalar_leaves_the_lines_after_it_where_they_are(
        tmp_path, monkeypatch):
    """YAML ends a line at U+2028; an editor does not: every position after it is the editor's."""
    bad = (FACT.replace("NATO ruled out troops.", "NATO ruled\u2028\u2028 out troops.")
           .replace("date: 2013-06-04", "date: 2013-13-04"))
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert [line.split(" (hint")[0] for line in lines if ": error: " in line] == [
        "facts/a.yaml:3:26: error: line break U+2028 (LINE SEPARATOR) is not allowed in fact "
        "files",
        "facts/a.yaml:5:11: error: [x-fact] date: '2013-13-04' is not a real calendar date"]


def test_joiners_and_direction_marks_are_allowed(tmp_path, monkeypatch):
    fine = FACT.replace("NATO ruled out troops.",
                        "NATO ruled out troops (\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
                        "\u200f, \U0001f468\u200d\U0001f469, \u200e\u061c).")
    assert check(tmp_path, monkeypatch, {"facts/a.yaml": fine}) == []


def test_a_source_with_control_characters_checks_and_builds_cleanly(cli, tmp_path):
    """A form feed (and other controls) inside a quoted passage: white space for matching, and
    what the brief prints is clean."""
    facts = tiny_factbase(tmp_path)
    text = NATO_TEXT.replace("no troop deployment and", "no troop\x0cdeployment\x01\x02 and")
    (facts / "sources" / "nato.txt").write_text(text + "\ufffe\x1b[2J\n", encoding="utf-8")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    result = cli("check", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = cli("build", "--theme", "nato-security-assistance", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    quote = "there will be no troop deployment and any training activities would take place"
    with zipfile.ZipFile(tmp_path / "out/theme-nato-security-assistance.docx") as z:
        footnotes = z.read("word/footnotes.xml").decode()
    assert quote.replace("deployment and", "deployment   and") in footnotes
    pdf = PdfReader(tmp_path / "out/theme-nato-security-assistance.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert quote in " ".join(text.split())
    assert not any(c in text for c in "\x0c\x01\x02\x1b\ufffe")


# --- item 12: what a file says is escaped in messages ------------------------------------------


def test_ids_and_values_with_escapes_and_line_breaks_are_shown_escaped_on_one_line(cli, tmp_path):
    facts = tiny_factbase(tmp_path)
    write(facts / "extra.yaml", """
        facts:
          - id: "evil\\e[2J\\nfake: ok"
            statement: Something.
            themes: ["x\\e]0;owned\\a"]
            date: 2013-06-04
            citations:
              - source: nato-watch-2013-06
                quote: there will be no troop deployment
        """)
    result = cli("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    control = ("control character U+001B is not allowed in fact files, not even as an escape "
               "(hint: delete it; tab and line break are the only control characters allowed)")
    slug = "(hint: use lowercase letters, digits and single hyphens, e.g. 'nato-watch-2013-06')"
    assert result.stderr.splitlines() == [
        f"facts/extra.yaml:2:9: error: [evil\\x1b[2J\\nfake: ok] id: 'evil\\x1b[2J\\nfake: ok' "
        f"is not a slug {slug}",
        f"facts/extra.yaml:2:9: error: {control}",
        f"facts/extra.yaml:4:14: error: [evil\\x1b[2J\\nfake: ok] themes[0]: "
        f"'x\\x1b]0;owned\\x07' is not a slug {slug}",
        f"facts/extra.yaml:4:14: error: {control}",
        "error: fact base has 4 errors, 0 warnings"]


def test_a_command_line_value_with_escapes_is_shown_escaped(cli, tmp_path):
    tiny_factbase(tmp_path)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    result = cli("build", "--theme", "\x1b[31mred\nline", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == ("error: unknown theme '\\x1b[31mred\\nline' (themes: "
                             "nato-security-assistance, russian-motives)\n")


# --- items 9, 10 and 15: dates, digits, URLs, e-mail addresses ---------------------------------


def test_publication_in_december_9999_is_a_date_not_a_crash(tmp_path, monkeypatch):
    late = SOURCE.replace("published: 2013-06-04", "published: 9999-12")
    assert_errors(check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": late})))


@pytest.mark.parametrize("value", ["٢٠١٣-٠٦-٠٤", "２０１３-06-04", "2013-0６"])
def test_dates_with_digits_other_than_ascii_are_refused(tmp_path, monkeypatch, value):
    bad = FACT.replace("date: 2013-06-04", f"date: {value}")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, f"facts/a.yaml:5:11: error: [x-fact] date: '{value}' is written with "
                         "digits other than 0-9 (hint: write a date as YYYY, YYYY-MM or "
                         "YYYY-MM-DD, e.g. 2019-12-11)")


@pytest.mark.parametrize("url, what", [("https://example.org/a b", "a space"),
                                       ("'https://example.org/a\tb'", "white space (U+0009)"),
                                       ("'https://exa mple.org/'", "a space")])
def test_url_with_white_space_is_refused(tmp_path, monkeypatch, url, what):
    bad = SOURCE.replace("    file:", f"    url: {url}\n    file:")
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    shown = url.strip("'").replace("\t", "\\t")
    assert_errors(lines, f"facts/a.yaml:6:10: error: [s-two] url: '{shown}' contains {what}, "
                         "which a URL cannot hold (hint: use the article's http:// or https:// "
                         "address (a space written %20), or leave url out)", only="facts/a.yaml")


def test_email_local_part_over_64_characters_is_refused(tmp_path, monkeypatch):
    from briefgen.distribution.readers import load_readers
    from briefgen.errors import DiagnosticsError

    monkeypatch.chdir(tmp_path)
    local = "a" * 65
    write(tmp_path / "readers.yaml", f"""
        readers:
          - name: Long
            email: {local}@example.org
          - name: Fine
            email: {"b" * 64}@example.org
        """)
    with pytest.raises(DiagnosticsError) as caught:
        load_readers(tmp_path / "readers.yaml", ["russian-motives"])
    assert caught.value.lines() == [
        f"readers.yaml:3:12: error: [{local}@example.org] email: '{local}@example.org' is not a "
        "valid email address: The email address is too long before the @-sign (1 character "
        "too many). (hint: write the address as name@example.org)",
        "error: readers file has 1 error, 0 warnings"]


# --- items 8 and 14: only regular files inside facts/ are read ---------------------------------


def test_odd_files_named_like_fact_files_are_located_errors_and_never_opened(tmp_path,
                                                                           monkeypatch):
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "loop.yaml").symlink_to("loop.yaml")
    (facts / "folder.yaml").mkdir()
    (facts / "dangling.yaml").symlink_to("nowhere.yaml")
    os.mkfifo(facts / "fifo.yaml")  # reading it would wait forever for a writer
    write(tmp_path / "elsewhere" / "secret.yaml", "facts: [TOP-SECRET]\n")
    (facts / "leak.yaml").symlink_to(tmp_path / "elsewhere" / "secret.yaml")
    (facts / "inside.yaml").symlink_to("sources.yaml")  # a link within facts/ is fine
    lines = check(tmp_path, monkeypatch)
    assert "TOP-SECRET" not in "\n".join(lines)
    assert_errors(
        lines,
        "facts/dangling.yaml:1:1: error: not read: a link to 'nowhere.yaml', which does not "
        "exist (hint: point the link at a fact file, or remove it)",
        "facts/fifo.yaml:1:1: error: not read: not a regular file (a pipe, socket or device) "
        "(hint: only plain files are read as fact files: remove it)",
        "facts/folder.yaml:1:1: error: not read: a folder named like a fact file (hint: rename "
        "it: only fact files may end in .yaml)",
        "facts/leak.yaml:1:1: error: not read: a link to a file outside the facts folder (hint: "
        "move or copy the file into the facts folder)",
        "facts/loop.yaml:1:1: error: not read: a symbolic link that loops (hint: point the link "
        "at a fact file, or remove it)",
        "facts/sources.yaml:2:9: error: [nato-watch-2013-06] id: duplicate source id (also at "
        "facts/inside.yaml:2:9) (hint: ids must be unique across all files: rename one)")


def test_a_check_with_a_fifo_finishes_from_the_command_line(tmp_path):
    facts = tiny_factbase(tmp_path)
    os.mkfifo(facts / "fifo.yaml")
    os.mkfifo(facts / "sources" / "pipe.txt")
    write(facts / "extra.yaml", """
        sources:
          - id: piped
            title: A pipe
            publisher: Nobody
            published: 2013
            file: sources/pipe.txt
        """)
    # a process of its own, so that a hang fails on its timeout rather than stopping the suite
    result = run_process("check", cwd=tmp_path)
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if ": error: " in line] == [
        "facts/extra.yaml:6:11: error: [piped] file: file 'sources/pipe.txt' is not a regular "
        "file (a pipe, socket or device) (hint: archive the text as a plain .txt file)",
        "facts/fifo.yaml:1:1: error: not read: not a regular file (a pipe, socket or device) "
        "(hint: only plain files are read as fact files: remove it)"]


@pytest.mark.parametrize("name, message", [
    ('"sources/na\\0to.txt"', "file 'sources/na\\x00to.txt' cannot be a file name (it holds "
                              "U+0000)"),
    ("sources/loop.txt", "file 'sources/loop.txt' is a symbolic link that loops"),
])
def test_a_source_file_that_cannot_be_one_is_located(tmp_path, monkeypatch, name, message):
    (tmp_path / "facts" / "sources").mkdir(parents=True)
    (tmp_path / "facts" / "sources" / "loop.txt").symlink_to("loop.txt")
    bad = SOURCE.replace("sources/nato.txt", name)
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    expected = (f"facts/a.yaml:6:11: error: [s-two] file: {message} (hint: name the archived "
                "text, e.g. 'sources/x.txt')")
    assert expected in lines, "\n".join(lines)


# --- item 16: the size of archived texts and the cost of the closest passage --------------------


def test_an_archived_text_over_the_size_limit_is_refused_without_reading_it(tmp_path,
                                                                          monkeypatch):
    from briefgen.factbase import texts

    (tmp_path / "facts" / "sources").mkdir(parents=True)
    with open(tmp_path / "facts" / "sources" / "huge.txt", "wb") as f:
        f.truncate(texts.MAX_SOURCE_BYTES + 1)  # sparse: costs no disk space
    bad = SOURCE.replace("sources/nato.txt", "sources/huge.txt")
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    assert_errors(lines, "facts/a.yaml:6:11: error: [s-two] file: file 'sources/huge.txt' is "
                         "33,554,433 bytes, larger than the 33,554,432 an archived text may have "
                         "(hint: archive only the part the facts quote, or split it into several "
                         "sources)")


def _long_text(n_words: int, seed: int = 7) -> list[str]:
    """Prose-like filler: sentences of pseudo-words, none of them English."""
    import random

    rng = random.Random(seed)
    vocab = ["".join(rng.choice("aeioubdfgklmnprstvz") for _ in range(rng.randint(2, 10)))
             for _ in range(3000)]
    words = [rng.choice(vocab) for _ in range(n_words)]
    for i in range(0, n_words, 14):
        words[i] = words[i].capitalize()
        words[i - 1] += "."
    return words


PASSAGE = ("The envoy of the western government travelled to Benghazi on Tuesday to meet the "
           "field marshal and discuss a ceasefire.")


@pytest.fixture(scope="module")
def big_source():
    from briefgen.factbase.quotes import SourceText

    words = _long_text(400_000)  # ~2.6 MB: far more than the whole text is searched for
    half = len(words) // 2
    text = " ".join(words[:half]) + "\n" + PASSAGE + "\n" + " ".join(words[half:])
    return SourceText(text.encode())


@pytest.mark.parametrize("quote, closest, similarity", [
    ("envoy of the western governmnet travelled to Benghazi on Tuesday",
     "envoy of the western government travelled to Benghazi on Tuesday", 98),
    ("The envoy of the western government travelled to Benghazi on Wednesday to meet the "
     "field marshal", "The envoy of the western government travelled to Benghazi on Tuesday to "
                     "meet the field marshal", 96),
    ("to Benghazi on Tusday", "to Benghazi on Tuesday", 95),
])
def test_closest_passage_in_a_large_source_is_still_found(big_source, quote, closest,
                                                          similarity):
    from briefgen.factbase import quotes

    assert len(quote) * len(big_source.folded) > quotes.FULL_SEARCH_CELLS  # the bounded search
    miss = big_source.verify(quote)
    assert (miss.closest, round(miss.similarity)) == (closest, similarity)


def test_closest_passage_of_a_long_quote_in_a_large_source(big_source):
    start = big_source.text.index(PASSAGE) - 900
    original = big_source.text[start:].split()[1:301]  # 300 words around the passage
    typed = [w if i % 7 else w.upper() for i, w in enumerate(original)]
    miss = big_source.verify(" ".join(typed))
    assert miss.closest.split()[:4] == original[:4] and miss.similarity > 85


def test_a_quote_like_nothing_in_a_large_source_has_no_closest_passage(big_source):
    miss = big_source.verify("zebras quietly graze near Tobruk at dawn")
    assert (miss.reason, miss.closest) == (
        "quote “zebras quietly graze near Tobruk at dawn” not found in the source", "")


def test_a_bad_format_with_escapes_is_shown_escaped(cli, tmp_path):
    result = cli("build", "--format", "pdf,\x1b]0;x\x07", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == ("briefgen build: error: argument --format: unknown "
                                              "format '\\x1b]0;x\\x07' (choose from docx, pdf, html)")


def test_hidden_characters_in_a_file_parsed_by_the_helper_process(tmp_path, monkeypatch):
    """A large base is parsed on two cores; the file is read again for positions only when a
    problem needs one: it must be read the same way (a raw control character would stop it)."""
    monkeypatch.setattr("briefgen.factbase.files.PARALLEL_BYTES", 0)
    bad = (FACT.replace("NATO ruled out troops.", "NATO ruled\x01 out troops.")
           .replace("themes: [nato-security-assistance]", "themes: [nato-security-assistanc]"))
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert [line.split(" (hint")[0] for line in lines if ": error: " in line] == [
        "facts/a.yaml:3:26: error: control character U+0001 is not allowed in fact files",
        "facts/a.yaml:4:14: error: [x-fact] themes[0]: unknown theme 'nato-security-assistanc'"]
