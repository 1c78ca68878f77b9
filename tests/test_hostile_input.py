"""Hostile and careless fact bases: hidden characters, file-system oddities, out-of-range dates,
odd digits and URLs, huge sources. Each is a located error (or is handled), never a crash."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import NATO_TEXT, ROOT, run_cli, tiny_factbase, write
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
        "facts/a.yaml:5:11: error: [x-fact] date: '2013-13-04' is not a date written YYYY, "
        "YYYY-MM or YYYY-MM-DD",
        "facts/a.yaml:8:21: error: bidirectional control U+202A (LEFT-TO-RIGHT EMBEDDING) is "
        "not allowed in fact files"]


def test_joiners_and_direction_marks_are_allowed(tmp_path, monkeypatch):
    fine = FACT.replace("NATO ruled out troops.",
                        "NATO ruled out troops (\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
                        "\u200f, \U0001f468\u200d\U0001f469, \u200e\u061c).")
    assert check(tmp_path, monkeypatch, {"facts/a.yaml": fine}) == []


def test_a_source_with_control_characters_checks_and_builds_cleanly(tmp_path):
    """A form feed (and other controls) inside a quoted passage: white space for matching, and
    what the brief prints is clean."""
    facts = tiny_factbase(tmp_path)
    text = NATO_TEXT.replace("no troop deployment and", "no troop\x0cdeployment\x01\x02 and")
    (facts / "sources" / "nato.txt").write_text(text + "\ufffe\x1b[2J\n", encoding="utf-8")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    result = run_cli("check", "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    result = run_cli("build", "--theme", "nato-security-assistance", cwd=tmp_path)
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


def test_ids_and_values_with_escapes_and_line_breaks_are_shown_escaped_on_one_line(tmp_path):
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
    result = run_cli("check", cwd=tmp_path)
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


def test_a_command_line_value_with_escapes_is_shown_escaped(tmp_path):
    tiny_factbase(tmp_path)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    result = run_cli("build", "--theme", "\x1b[31mred\nline", cwd=tmp_path)
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
