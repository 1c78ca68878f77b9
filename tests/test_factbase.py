"""The bad-input corpus of `briefgen check`: one broken file per rule, exact diagnostics.

Each test starts from a small valid fact base (`make_base`), adds or replaces one file, and
asserts the full diagnostic line `path:line:col: severity: [id] field: message (hint: ...)`.
Most tests run the loader in-process (fast); the `run_cli` tests check what a user sees from a
real process: exit codes, stdout/stderr separation, sorting, the summary, no traceback.

Where a diagnostic lacks a hint today, tests match the line up to where a hint would begin, so
adding a hint later does not break them; where it has one, the whole line is asserted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen.factbase.base import load_factbase
from conftest import DOCS_EXAMPLE, run_cli, write

SOURCE_TEXT = """\
NATO returns to Libya but not in a combat role

By Nigel Chamberlain, June 2013

NATO Secretary General Anders Fogh Rasmussen said on 4 June that “there will be no troop
deployment and any training activities would take place outside Libya”.

He added: “NATO has expertise in the reform of security and defence sectors — especially
when it comes to institutional education and training.” He called the Prime Minister’s visit
“truly significant”.
"""

SOURCES_YAML = """\
sources:
  - id: nato-watch-2013-06
    title: NATO returns to Libya but not in a combat role
    publisher: NATO Watch
    published: 2013-06
    url: https://example.org/article
    file: sources/nato.txt
    reliability: C
"""

THEMES_YAML = """\
themes:
  - id: nato-security-assistance
    title: NATO security assistance
"""

FACTS_YAML = """\
facts:
  - id: nato-2013-no-troops
    statement: NATO ruled out deploying troops; any training would take place outside Libya.
    themes: [nato-security-assistance]
    date: 2013-06-04
    kind: statement
    credibility: 2
    attributed_to: Anders Fogh Rasmussen
    citations:
      - source: nato-watch-2013-06
        quote: there will be no troop deployment and any training activities would take place outside Libya
  - id: nato-2013-expertise
    statement: Rasmussen said NATO had expertise in security sector reform and training.
    themes: [nato-security-assistance]
    date: 2013-06
    citations:
      - source: nato-watch-2013-06
        quote: NATO has expertise in the reform of security and defence sectors - especially when
"""

# A fact whose every line and column the tests below rely on (see the numbers on the right).
FACT = """\
facts:
  - id: x-fact
    statement: NATO ruled out troops.
    themes: [nato-security-assistance]
    date: 2013-06-04
    citations:
      - source: nato-watch-2013-06
        quote: there will be no troop deployment
"""
#  line 2: id value at col 9            line 5: date value at col 11
#  line 3: statement value at col 16    line 7: citation source value at col 17
#  line 4: '[' at col 13, item at 14    line 8: quote value at col 16

SOURCE = """\
sources:
  - id: s-two
    title: Second source
    publisher: Somebody
    published: 2013-06-04
    file: sources/nato.txt
"""
#  line 2: id value at col 9   line 5: published value at col 16   line 6: file value at col 11


def make_base(root: Path) -> Path:
    """A valid fact base under root/facts: one source, one theme, two facts; no warnings."""
    facts = root / "facts"
    write(facts / "sources" / "nato.txt", SOURCE_TEXT)
    write(facts / "sources.yaml", SOURCES_YAML)
    write(facts / "themes.yaml", THEMES_YAML)
    write(facts / "facts.yaml", FACTS_YAML)
    return facts


def put(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        if isinstance(content, bytes):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        else:
            write(path, content)


def check(tmp_path: Path, monkeypatch, files: dict[str, str | bytes] | None = None) -> list[str]:
    """Every diagnostic of the valid base plus `files`, as sorted lines with relative paths."""
    make_base(tmp_path)
    put(tmp_path, files or {})
    monkeypatch.chdir(tmp_path)
    base = load_factbase(Path("facts"))
    return [str(d) for d in sorted(base.diagnostics)]


def _matches(line: str, expected: str) -> bool:
    return line == expected or line.startswith(expected + " (hint: ")


def _show(lines: list[str]) -> str:
    return "\n".join(lines) or "(no diagnostics)"


def assert_reported(lines: list[str], *expected: str) -> None:
    """Each expected line is reported (exactly, or exactly up to a hint it does not show)."""
    for e in expected:
        assert any(_matches(line, e) for line in lines), f"missing:\n{e}\n\ngot:\n{_show(lines)}"


def assert_errors(lines: list[str], *expected: str, only: str | None = None) -> None:
    """Exactly these errors, in this (sorted) order: nothing missing, no noise.

    `only` restricts the comparison to the errors of one file, for tests whose other files
    get follow-on errors (see test_an_invalid_item_is_not_also_reported_as_undefined).
    """
    errors = [line for line in lines if ": error: " in line
              and (only is None or line.startswith(only + ":"))]
    ok = len(errors) == len(expected) and all(map(_matches, errors, expected))
    assert ok, "expected errors:\n" + "\n".join(expected) + f"\n\ngot:\n{_show(lines)}"


def warnings_of(lines: list[str]) -> list[str]:
    return [line for line in lines if ": warning: " in line]


# --- the valid base and the documented example ----------------------------------------------------


def test_valid_base_has_no_diagnostics(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch) == []
    base = load_factbase(Path("facts"))
    assert list(base.facts) == ["nato-2013-no-troops", "nato-2013-expertise"]
    assert list(base.sources) == ["nato-watch-2013-06"]
    assert list(base.themes) == ["nato-security-assistance"]
    exact = base.verified[("nato-2013-no-troops", 0)].exact
    assert exact == ("there will be no troop\ndeployment and any training activities would "
                     "take place outside Libya")




def test_spec_example_fact_file_is_valid(tmp_path, monkeypatch):
    write(tmp_path / "facts" / "example.yaml", DOCS_EXAMPLE)
    write(tmp_path / "facts" / "sources" / "002_nato-watch.txt", SOURCE_TEXT)
    monkeypatch.chdir(tmp_path)
    base = load_factbase(Path("facts"))
    assert [str(d) for d in base.diagnostics] == []
    fact = base.facts["nato-2013-no-troops"]
    assert (fact.kind, fact.credibility, fact.date.display()) == ("statement", 2, "4 June 2013")
    assert base.sources["nato-watch-2013-06"].published.display() == "June 2013"


# --- unknown keys ----------------------------------------------------------------------------


def test_unknown_top_level_key_suggests_the_close_one(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "themes: []\nfact:\n  - id: x\n"})
    assert_errors(lines,
                  "facts/a.yaml:2:1: error: unknown top-level key 'fact' "
                  "(hint: did you mean 'facts'?)")


def test_unknown_top_level_key_lists_the_allowed_ones(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "notes: []\n"})
    assert_errors(lines,
                  "facts/a.yaml:1:1: error: unknown top-level key 'notes' "
                  "(hint: allowed: sources, themes, facts, judgments)")


def test_unknown_key_in_a_fact(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": FACT.replace("    date:", "    dat:")})
    assert_reported(lines, "facts/a.yaml:5:5: error: [x-fact] unknown key 'dat' "
                           "(hint: did you mean 'date'?)")


def test_unknown_key_in_a_fact_without_a_close_match_lists_the_keys(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch,
                  {"facts/a.yaml": FACT.replace("    date:", "    page: 3\n    date:")})
    assert_errors(lines,
                  "facts/a.yaml:5:5: error: [x-fact] unknown key 'page' (hint: allowed: id, "
                  "statement, themes, date, kind, credibility, attributed_to, actors, tags, key, "
                  "retracted, citations)")


def test_unknown_key_in_a_source(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": SOURCE + "    reliabilty: C\n"})
    assert_errors(lines,
                  "facts/a.yaml:7:5: error: [s-two] unknown key 'reliabilty' "
                  "(hint: did you mean 'reliability'?)")


@pytest.mark.parametrize("kind", ["source", "theme"])
def test_an_invalid_item_is_not_also_reported_as_undefined(tmp_path, monkeypatch, kind):
    if kind == "source":
        files = {"facts/a.yaml": SOURCE + "    reliabilty: C\n",
                 "facts/b.yaml": FACT.replace("nato-watch-2013-06", "s-two")}
    else:
        files = {"facts/a.yaml": "themes:\n  - id: t-two\n    title: T\n    sumary: x\n",
                 "facts/b.yaml": FACT.replace("nato-security-assistance", "t-two")}
    lines = check(tmp_path, monkeypatch, files)
    assert [line for line in lines if ": error: " in line and "facts/b.yaml" in line] == [], \
        _show(lines)


def test_unknown_key_in_a_citation(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": FACT.replace("quote:", "qoute:")})
    assert_reported(lines, "facts/a.yaml:8:9: error: [x-fact] citations[0]: unknown key 'qoute' "
                           "(hint: did you mean 'quote'?)")


def test_unknown_key_in_a_theme(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/themes.yaml": THEMES_YAML + "    sumary: x\n"})
    assert_errors(lines,
                  "facts/themes.yaml:4:5: error: [nato-security-assistance] unknown key 'sumary' "
                  "(hint: did you mean 'summary'?)", only="facts/themes.yaml")


# --- wrong types -----------------------------------------------------------------------------


def test_a_list_where_a_string_goes(tmp_path, monkeypatch):
    bad = FACT.replace("statement: NATO ruled out troops.", "statement: [NATO ruled out troops.]")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:3:16: error: [x-fact] statement: must be text, got a list "
                         "(hint: write plain text (quote it if it contains ': '))")


def test_a_string_where_a_list_goes(tmp_path, monkeypatch):
    bad = FACT.replace("themes: [nato-security-assistance]", "themes: nato-security-assistance")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:4:13: error: [x-fact] themes: must be a list, got "
                         "'nato-security-assistance' (hint: write [a, b] or one '- item' per line)")


def test_a_mapping_where_a_string_goes(tmp_path, monkeypatch):
    bad = SOURCE.replace("title: Second source", "title:\n      en: Second source")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_reported(lines, "facts/a.yaml:4:7: error: [s-two] title: must be text, got a mapping")


@pytest.mark.parametrize("value, message", [
    ("high", "must be a whole number, got 'high'"),
    ("'2'", "must be a whole number, got '2'"),
    ("2.5", "must be a whole number, got 2.5"),
    ("true", "must be a whole number, got True"),
])
def test_credibility_must_be_a_number(tmp_path, monkeypatch, value, message):
    bad = FACT.replace("    citations:", f"    credibility: {value}\n    citations:")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, f"facts/a.yaml:6:18: error: [x-fact] credibility: {message}")


def test_a_number_where_a_quote_goes(tmp_path, monkeypatch):
    bad = FACT.replace("quote: there will be no troop deployment", "quote: 2013")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:8:16: error: [x-fact] citations[0].quote: must be text, "
                         "got 2013")


# --- slugs -----------------------------------------------------------------------------------

SLUG_HINT = "(hint: use lowercase letters, digits and single hyphens, e.g. 'nato-watch-2013-06')"


def test_bad_slugs_in_ids_and_references(tmp_path, monkeypatch):
    bad = (FACT.replace("id: x-fact", "id: X_Fact")
           .replace("[nato-security-assistance]", "[Nato Security]")
           .replace("source: nato-watch-2013-06", "source: nato--watch"))
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines,
                  f"facts/a.yaml:2:9: error: [X_Fact] id: 'X_Fact' is not a slug {SLUG_HINT}",
                  f"facts/a.yaml:4:14: error: [X_Fact] themes[0]: 'Nato Security' is not a slug "
                  f"{SLUG_HINT}",
                  f"facts/a.yaml:7:17: error: [X_Fact] citations[0].source: 'nato--watch' is not "
                  f"a slug {SLUG_HINT}")


@pytest.mark.parametrize("slug", ["trailing-", "-leading", "under_score", "café", "dot.ted"])
def test_bad_theme_id(tmp_path, monkeypatch, slug):
    lines = check(tmp_path, monkeypatch,
                  {"facts/a.yaml": f"themes:\n  - id: '{slug}'\n    title: T\n"})
    assert_errors(lines, f"facts/a.yaml:2:9: error: [{slug}] id: '{slug}' is not a slug "
                         f"{SLUG_HINT}")


def test_bad_language_tag(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/sources.yaml": SOURCES_YAML.replace(
        "    reliability: C", "    language: english\n    reliability: C")})
    assert_errors(lines, "facts/sources.yaml:8:15: error: [nato-watch-2013-06] language: "
                         "'english' is not a BCP 47 language tag (hint: e.g. 'en', 'ar', 'fr-BE')",
                  only="facts/sources.yaml")


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, message", [
    ("2013-13-01", "'2013-13-01' is not a real calendar date"),
    ("2019-12-32", "'2019-12-32' is not a real calendar date"),
    ("2019-02-30", "'2019-02-30' is not a real calendar date"),
    ("2019-02-29", "'2019-02-29' is not a real calendar date"),
    ("2013-06-31", "'2013-06-31' is not a real calendar date"),
    ("2013-6-4", "'2013-6-4' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("4 June 2013", "'4 June 2013' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("04/06/2013", "'04/06/2013' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
    ("2013-06-04 10:00:00", "'2013-06-04 10:00:00' is not a date written YYYY, YYYY-MM or "
                            "YYYY-MM-DD"),
    ("13", "'13' is not a date written YYYY, YYYY-MM or YYYY-MM-DD"),
])
def test_bad_fact_date(tmp_path, monkeypatch, value, message):
    bad = FACT.replace("date: 2013-06-04", f"date: {value}")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, f"facts/a.yaml:5:11: error: [x-fact] date: {message}")


def test_empty_date(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": FACT.replace("date: 2013-06-04", "date:")})
    assert_errors(lines, "facts/a.yaml:5:10: error: [x-fact] date: must be a date written YYYY, "
                         "YYYY-MM or YYYY-MM-DD")


def test_leap_day_is_a_good_date(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": FACT.replace("2013-06-04", "2012-02-29")})
    assert_errors(lines)


def test_bad_publication_date(tmp_path, monkeypatch):
    bad = SOURCES_YAML.replace("published: 2013-06", "published: 2013-02-30")
    lines = check(tmp_path, monkeypatch, {"facts/sources.yaml": bad})
    assert_reported(lines, "facts/sources.yaml:5:16: error: [nato-watch-2013-06] published: "
                           "'2013-02-30' is not a real calendar date")


# --- duplicate ids ---------------------------------------------------------------------------

DUP_HINT = "(hint: ids must be unique across all files: rename one)"


def test_duplicate_fact_id_in_one_file_names_both_places(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": FACT + FACT.removeprefix("facts:\n")})
    assert_errors(lines, f"facts/a.yaml:9:9: error: [x-fact] id: duplicate fact id "
                         f"(also at facts/a.yaml:2:9) {DUP_HINT}")


def test_duplicate_fact_id_across_files_names_both_places(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch,
                  {"facts/zz/late.yaml": FACT.replace("x-fact", "nato-2013-expertise")})
    assert_errors(lines, f"facts/zz/late.yaml:2:9: error: [nato-2013-expertise] id: duplicate "
                         f"fact id (also at facts/facts.yaml:12:9) {DUP_HINT}")


def test_duplicate_theme_id_across_files(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/more-themes.yaml": THEMES_YAML})
    assert_errors(lines, f"facts/themes.yaml:2:9: error: [nato-security-assistance] id: "
                         f"duplicate theme id (also at facts/more-themes.yaml:2:9) {DUP_HINT}")


def test_duplicate_source_id_across_files(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch,
                  {"facts/z.yaml": SOURCE.replace("s-two", "nato-watch-2013-06")})
    assert_errors(lines, f"facts/z.yaml:2:9: error: [nato-watch-2013-06] id: duplicate source id "
                         f"(also at facts/sources.yaml:2:9) {DUP_HINT}")


def test_same_id_for_a_fact_and_a_theme_is_allowed(tmp_path, monkeypatch):
    """Ids are unique per kind."""
    lines = check(tmp_path, monkeypatch,
                  {"facts/a.yaml": FACT.replace("x-fact", "nato-security-assistance")})
    assert_errors(lines)


# --- references --------------------------------------------------------------------------------


def test_unknown_theme_close_to_an_existing_one(tmp_path, monkeypatch):
    bad = FACT.replace("[nato-security-assistance]", "[nato-security-assistanc]")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:4:14: error: [x-fact] themes[0]: unknown theme "
                         "'nato-security-assistanc' (hint: did you mean 'nato-security-assistance'?)")


def test_unknown_theme_with_nothing_close(tmp_path, monkeypatch):
    bad = FACT.replace("[nato-security-assistance]", "[nato-security-assistance, russian-motives]")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:4:40: error: [x-fact] themes[1]: unknown theme "
                         "'russian-motives' (hint: define it under 'themes:')")


def test_unknown_source(tmp_path, monkeypatch):
    bad = FACT.replace("source: nato-watch-2013-06", "source: nato-watch-2013-6")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:7:17: error: [x-fact] citations[0].source: unknown source "
                         "'nato-watch-2013-6' (hint: did you mean 'nato-watch-2013-06'?)")


def test_unknown_source_with_nothing_close(tmp_path, monkeypatch):
    bad = FACT.replace("source: nato-watch-2013-06", "source: wagner-2019")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:7:17: error: [x-fact] citations[0].source: unknown source "
                         "'wagner-2019' (hint: define it under 'sources:')")


# --- source files ------------------------------------------------------------------------------

OUTSIDE_HINT = "(hint: archive the text under facts/sources/)"


def cite_s_two(files: dict) -> dict:
    """Add a fact citing s-two so no 'cited by no fact' warning muddles the test."""
    return {**files, "facts/b.yaml": FACT.replace("nato-watch-2013-06", "s-two")}


def test_missing_source_file(tmp_path, monkeypatch):
    bad = SOURCE.replace("sources/nato.txt", "sources/nope.txt")
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    assert_errors(lines, "facts/a.yaml:6:11: error: [s-two] file: file 'sources/nope.txt' not "
                         "found (hint: paths are relative to the facts folder, e.g. 'sources/x.txt')")
    assert warnings_of(lines) == []  # the quote is not checked against a missing text


def test_source_file_outside_facts_with_dot_dot(tmp_path, monkeypatch):
    write(tmp_path / "x.txt", SOURCE_TEXT)  # it exists: being outside is the problem
    bad = SOURCE.replace("sources/nato.txt", "../x.txt")
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    assert_errors(lines, f"facts/a.yaml:6:11: error: [s-two] file: file '../x.txt' is outside the "
                         f"facts folder {OUTSIDE_HINT}")


def test_source_file_given_as_absolute_path(tmp_path, monkeypatch):
    outside = write(tmp_path / "elsewhere" / "x.txt", SOURCE_TEXT)
    bad = SOURCE.replace("sources/nato.txt", str(outside))
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    assert_errors(lines, f"facts/a.yaml:6:11: error: [s-two] file: file '{outside}' must be "
                         "relative to the facts folder (hint: write it as e.g. 'sources/x.txt')")


def test_absolute_path_inside_facts_is_still_not_relative(tmp_path, monkeypatch):
    inside = (tmp_path / "facts" / "sources" / "nato.txt").resolve()
    bad = SOURCE.replace("sources/nato.txt", str(inside))
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(
        f"facts/a.yaml:6:11: error: [s-two] file: file '{inside}' "), _show(lines)


def test_source_file_escaping_through_a_symlink(tmp_path, monkeypatch):
    outside = write(tmp_path / "elsewhere" / "x.txt", SOURCE_TEXT)
    link = tmp_path / "facts" / "sources" / "link.txt"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    bad = SOURCE.replace("sources/nato.txt", "sources/link.txt")
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    assert_errors(lines, f"facts/a.yaml:6:11: error: [s-two] file: file 'sources/link.txt' is "
                         f"outside the facts folder {OUTSIDE_HINT}")


def test_source_file_that_is_a_folder(tmp_path, monkeypatch):
    bad = SOURCE.replace("sources/nato.txt", "sources")
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    assert_errors(lines, "facts/a.yaml:6:11: error: [s-two] file: file 'sources' is a folder, "
                         "not a text file (hint: name the archived .txt file inside it)")


def test_source_text_that_is_not_utf8(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/sources/nato.txt": "Café ".encode("latin-1")
                                          + SOURCE_TEXT.encode("utf-8")})
    assert_errors(lines, "facts/sources.yaml:7:11: error: [nato-watch-2013-06] file: file "
                         "'sources/nato.txt' is not UTF-8 text (invalid continuation byte at "
                         "byte 3) (hint: save it as UTF-8)")


# --- URLs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://example.org/a.txt", "'javascript:alert(1)'",
                                 "https:/example.org", "example.org/article",
                                 "file:///etc/passwd", "mailto:someone@example.org"])
def test_url_that_is_not_http(tmp_path, monkeypatch, url):
    bad = SOURCE.replace("    file:", f"    url: {url}\n    file:")
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    shown = url.strip("'")
    assert_errors(lines, f"facts/a.yaml:6:10: error: [s-two] url: '{shown}' is not an http(s) URL",
                  only="facts/a.yaml")


@pytest.mark.parametrize("url", ["http://example.org", "https://example.org/a?b=1&c=2#x"])
def test_http_urls_are_fine(tmp_path, monkeypatch, url):
    bad = SOURCE.replace("    file:", f"    url: {url}\n    file:")
    assert_errors(check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad})))


# --- quotes ------------------------------------------------------------------------------------


def with_quote(quote: str) -> dict:
    return {"facts/a.yaml": FACT.replace("quote: there will be no troop deployment",
                                         f"quote: {quote}")}


def test_quote_not_found_shows_the_closest_passage_and_its_similarity(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch,
                  with_quote("there will be no troops deployment and any training activities"))
    assert_errors(lines,
                  "facts/a.yaml:8:16: error: [x-fact] citations[0].quote: quote “there will be no "
                  "[troops] deployment and any training activities” not found in the source (hint: "
                  "“troops” → “troop”; closest passage (98% similar): “there will be no [troop] "
                  "deployment and any training activities”)")


def test_quote_matching_is_case_sensitive(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, with_quote("There will be no troop deployment"))
    assert_reported(lines, "facts/a.yaml:8:16: error: [x-fact] citations[0].quote: quote "
                           "“[There] will be no troop deployment” not found in the source (hint: "
                           "“There” → “there”; closest passage (97% similar): “[there] will be "
                           "no troop deployment”)")


def test_quote_of_nothing_like_the_source(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, with_quote("zebras quietly graze near Tobruk"))
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1, _show(lines)
    assert errors[0].startswith("facts/a.yaml:8:16: error: [x-fact] citations[0].quote: quote "
                                "“zebras quietly graze near Tobruk” not found in the source")


def test_quote_under_four_words(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, with_quote("no troop deployment"))
    assert_errors(lines, "facts/a.yaml:8:16: error: [x-fact] citations[0].quote: quote has 3 "
                         "words; at least 4 are needed to pin it to one passage")


def test_ellipsis_alone_does_not_count_as_words(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, with_quote("'there will ... be'"))
    assert_errors(lines, "facts/a.yaml:8:16: error: [x-fact] citations[0].quote: quote has 3 "
                         "words; at least 4 are needed to pin it to one passage")


def test_ellipsis_fragments_out_of_order(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, with_quote(
        "institutional education and training ... there will be no troop deployment"))
    assert_errors(lines, "facts/a.yaml:8:16: error: [x-fact] citations[0].quote: fragment “there "
                         "will be no troop deployment” occurs only before the previous fragment; "
                         "ellipsis fragments must appear in source order")


@pytest.mark.parametrize("quote", [
    "there will be no troop deployment ... institutional education and training",
    "there will be no troop deployment … institutional education and training",
    "'“there will be no troop deployment and any training activities'",  # curly opening quote
    "security and defence sectors – especially when",  # en dash where the text has an em dash
    "He called the Prime Minister's visit",  # straight apostrophe, curly in the text
    "'there   will be\tno troop'",  # white space runs fold
])
def test_quotes_that_match_after_folding(tmp_path, monkeypatch, quote):
    assert_errors(check(tmp_path, monkeypatch, with_quote(quote)))


def test_a_broken_source_file_is_reported_once_not_at_every_quote(tmp_path, monkeypatch):
    bad = SOURCES_YAML.replace("sources/nato.txt", "sources/gone.txt")
    lines = check(tmp_path, monkeypatch, {"facts/sources.yaml": bad})
    assert_errors(lines, "facts/sources.yaml:7:11: error: [nato-watch-2013-06] file: file "
                         "'sources/gone.txt' not found")


# --- ranges and choices ----------------------------------------------------------------------

CRED_HINT = "(hint: credibility runs from 1 (confirmed) to 6 (cannot be judged))"


@pytest.mark.parametrize("value", ["0", "7", "-1"])
def test_credibility_out_of_range(tmp_path, monkeypatch, value):
    bad = FACT.replace("    citations:", f"    credibility: {value}\n    citations:")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, f"facts/a.yaml:6:18: error: [x-fact] credibility: {value} is out of "
                         f"range {CRED_HINT}")


@pytest.mark.parametrize("value", ["G", "c", "1", "A1"])
def test_reliability_out_of_range(tmp_path, monkeypatch, value):
    bad = SOURCES_YAML.replace("reliability: C", f"reliability: {value}")
    lines = check(tmp_path, monkeypatch, {"facts/sources.yaml": bad})
    assert_errors(lines, f"facts/sources.yaml:8:18: error: [nato-watch-2013-06] reliability: "
                         f"'{value}' is not one of 'A', 'B', 'C', 'D', 'E' or 'F'",
                  only="facts/sources.yaml")


def test_kind_not_in_the_list(tmp_path, monkeypatch):
    bad = FACT.replace("    citations:", "    kind: rumour\n    citations:")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:6:11: error: [x-fact] kind: 'rumour' is not one of "
                         "'event', 'statement', 'assessment' or 'allegation'")


# --- required keys and non-empty lists ---------------------------------------------------------


def test_missing_statement(tmp_path, monkeypatch):
    bad = FACT.replace("    statement: NATO ruled out troops.\n", "")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:2:5: error: [x-fact] required key 'statement' is missing")


def test_missing_keys_of_a_source_are_each_reported(tmp_path, monkeypatch):
    bad = "sources:\n  - id: s-two\n    title: Second source\n"
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines,
                  "facts/a.yaml:2:5: error: [s-two] required key 'file' is missing",
                  "facts/a.yaml:2:5: error: [s-two] required key 'published' is missing",
                  "facts/a.yaml:2:5: error: [s-two] required key 'publisher' is missing")


def test_missing_quote_in_a_citation(tmp_path, monkeypatch):
    bad = FACT.replace("        quote: there will be no troop deployment\n", "")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:7:9: error: [x-fact] citations[0]: required key 'quote' "
                         "is missing")


def test_missing_id_of_a_theme(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "themes:\n  - title: T\n"})
    assert_errors(lines, "facts/a.yaml:2:5: error: required key 'id' is missing")


def test_empty_themes_list(tmp_path, monkeypatch):
    bad = FACT.replace("[nato-security-assistance]", "[]")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:4:13: error: [x-fact] themes: must have at least one entry")


def test_empty_citations_list(tmp_path, monkeypatch):
    bad = FACT.split("    citations:")[0] + "    citations: []\n"
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:6:16: error: [x-fact] citations: must have at least one "
                         "entry")


def test_empty_statement(tmp_path, monkeypatch):
    bad = FACT.replace("statement: NATO ruled out troops.", "statement: '  '")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:3:16: error: [x-fact] statement: must not be empty")


# --- warnings ----------------------------------------------------------------------------------


def test_source_cited_by_no_fact(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": SOURCE})
    assert lines == ["facts/a.yaml:2:9: warning: [s-two] source is cited by no fact "
                     "(hint: cite it or remove it)"]


def test_theme_with_no_facts(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "themes:\n  - id: lonely\n    title: L\n"})
    assert lines == ["facts/a.yaml:2:9: warning: [lonely] theme has no facts "
                     "(hint: add facts to it or remove it)"]


@pytest.mark.parametrize("date, warned", [
    ("2013-07-01", "2013-07-01"),
    ("2014", "2014"),
    ("2013-07", "2013-07"),
    ("2013-06-30", None),  # within the month the source is dated to
    ("2013", None),  # a year that includes the publication month
    ("2013-06", None),
])
def test_fact_dated_after_its_source(tmp_path, monkeypatch, date, warned):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": FACT.replace("2013-06-04", date)})
    expected = [] if warned is None else [
        f"facts/a.yaml:5:11: warning: [x-fact] date: dated {warned} but source "
        f"'nato-watch-2013-06' was published 2013-06 "
        f"(hint: a source cannot report what happened after it)"]
    assert lines == expected


@pytest.mark.parametrize("words, warned", [(60, False), (61, True)])
def test_statement_over_sixty_words(tmp_path, monkeypatch, words, warned):
    statement = " ".join(["word"] * words)
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": FACT.replace(
        "NATO ruled out troops.", statement)})
    expected = [f"facts/a.yaml:3:16: warning: [x-fact] statement: statement has {words} words; a "
                f"brief line has at most 60 (hint: split it into two facts)"]
    assert lines == (expected if warned else [])


@pytest.mark.parametrize("kind, attributed_to, warned", [
    ("statement", None, True),
    ("allegation", None, True),
    ("assessment", None, True),
    ("statement", "Anders Fogh Rasmussen", False),
    ("assessment", "NATO Watch", False),
    ("event", None, False),  # an event is nobody's view
])
def test_view_without_attributed_to(tmp_path, monkeypatch, kind, attributed_to, warned):
    extra = f"    kind: {kind}\n" + (f"    attributed_to: {attributed_to}\n" if attributed_to else "")
    fact = FACT.replace("    citations:\n", extra + "    citations:\n")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": fact})
    expected = [f"facts/a.yaml:6:11: warning: [x-fact] kind: {kind} fact has no attributed_to "
                f"(hint: add 'attributed_to:' naming whose {kind} it is: a person, a body or a "
                f"publication)"]
    assert lines == (expected if warned else [])


# --- robustness: files that are not fact files ---------------------------------------------------

NOT_A_FACT_FILE = ("error: a fact file must be a mapping with one or more of the keys sources, "
                   "themes, facts, judgments (hint: start the file with 'facts:')")


def test_yaml_syntax_error(tmp_path, monkeypatch):
    bad = FACT.replace("statement: NATO ruled out troops.", "statement: NATO said: no troops")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:3:25: error: YAML syntax: mapping values are not allowed "
                         "in this context (hint: put text that contains ': ' in quotes)")


def test_tab_indented_line(tmp_path, monkeypatch):
    bad = FACT.replace("    statement:", "\tstatement:")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:3:1: error: YAML syntax: found a tab character that "
                         "violates indentation (hint: indent with spaces, not tabs)")


@pytest.mark.parametrize("bad, line", [
    ("facts:\n\t- id: x-fact\n\t  statement: x\n", 2),
    (FACT.replace("    date: 2013-06-04", "\tdate: 2013-06-04"), 5),
])
def test_tab_indented_file_says_tab(tmp_path, monkeypatch, bad, line):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(f"facts/a.yaml:{line}:1: error: "), \
        _show(lines)
    assert "tab" in errors[0].split("(hint:")[0], _show(lines)


def test_unclosed_quote_points_at_where_it_starts(tmp_path, monkeypatch):
    bad = FACT.replace("statement: NATO ruled out troops.", 'statement: "NATO ruled out troops.')
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:3:16: error: YAML syntax: this quoted text is never closed "
                         "(hint: add the closing quote (the file ends at line 9))")


def test_file_that_is_not_utf8(tmp_path, monkeypatch):
    bad = FACT.replace("NATO ruled out troops.", "NATO a refusé des troupes.").encode("latin-1")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:3:28: error: not UTF-8 (byte 0xe9) "
                         "(hint: save the file as UTF-8)")


def test_alias_bomb_is_refused_at_once(tmp_path, monkeypatch):
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "\n".join(levels) + "\n"})
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"{elapsed:.1f}s: aliases are being expanded"
    assert_reported(lines, "facts/a.yaml:2:8: error: YAML alias *a is not allowed in fact files "
                           "(hint: write the value out in full)")
    assert len(lines) < 200  # one line per alias at most, never per expanded node


def test_simple_alias_is_refused(tmp_path, monkeypatch):
    text = ("themes:\n  - &t\n    id: t-one\n    title: T\n  - *t\n"
            "facts:\n" + FACT.removeprefix("facts:\n").replace("nato-security-assistance", "t-one"))
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": text})
    assert_reported(lines, "facts/a.yaml:5:5: error: YAML alias *t is not allowed in fact files "
                           "(hint: write the value out in full)")


def test_alias_gives_one_error_not_a_follow_on(tmp_path, monkeypatch):
    text = "themes:\n  - &t\n    id: t-one\n    title: T\n  - *t\n"
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": text})
    assert_errors(lines, "facts/a.yaml:5:5: error: YAML alias *t is not allowed in fact files "
                         "(hint: write the value out in full)")


def test_duplicate_key_in_a_fact(tmp_path, monkeypatch):
    bad = FACT.replace("    citations:", "    date: 2013-06-05\n    citations:")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:6:5: error: duplicate key 'date' (first at line 5) "
                         "(hint: remove one of them)")


def test_duplicate_top_level_key(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "themes: []\nfacts: []\nthemes: []\n"})
    assert_reported(lines, "facts/a.yaml:3:1: error: duplicate key 'themes' (first at line 1) "
                           "(hint: remove one of them)")


def test_more_than_one_yaml_document(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "---\n" + FACT + "---\nthemes: []\n"})
    assert_errors(lines, "facts/a.yaml:10:1: error: more than one YAML document ('---') in the "
                         "file (hint: keep one document per file)")


def test_one_document_with_a_start_marker_is_fine(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch, {"facts/a.yaml": "---\n" + FACT + "...\n"}) == []


@pytest.mark.parametrize("text", ["", "\n\n", "# all commented out\n# facts:\n", "{}\n"])
def test_empty_file(tmp_path, monkeypatch, text):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": text})
    assert_errors(lines, f"facts/a.yaml:1:1: {NOT_A_FACT_FILE}")


@pytest.mark.parametrize("text", ["- id: x\n  title: y\n", "just some words\n", "42\n"])
def test_file_that_is_not_a_mapping(tmp_path, monkeypatch, text):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": text})
    assert_errors(lines, f"facts/a.yaml:1:1: {NOT_A_FACT_FILE}")


def test_section_that_is_not_a_list(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "facts:\n  id: x-fact\n"})
    assert_errors(lines, "facts/a.yaml:2:3: error: 'facts' must be a list (items start with '- ')")


def test_item_that_is_not_a_mapping(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "facts:\n  - just a sentence\n"})
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1, _show(lines)
    assert errors[0].startswith("facts/a.yaml:2:5: error: "), errors[0]
    assert "instance of" not in errors[0] and "dictionary" not in errors[0], errors[0]
    assert "'just a sentence'" in errors[0] and "mapping" in errors[0], errors[0]


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    from briefgen.factbase.yamlpos import MAX_FILE_BYTES

    make_base(tmp_path)
    with open(tmp_path / "facts" / "huge.yaml", "wb") as f:  # sparse: no disk, no time
        f.truncate(MAX_FILE_BYTES + 1)
    start = time.perf_counter()
    lines = check(tmp_path, monkeypatch)
    assert time.perf_counter() - start < 5
    assert_errors(lines, f"facts/huge.yaml:1:1: error: file is {MAX_FILE_BYTES + 1:,} bytes, "
                         f"larger than the {MAX_FILE_BYTES:,} a fact file may have "
                         f"(hint: split it into smaller files)")


def test_yml_file_is_ignored_with_a_warning(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/extra.yml": "facts: [broken\n"})
    assert lines == ["facts/extra.yml:1:1: warning: ignored: fact files must end in .yaml "
                     "(hint: rename it to .yaml)"]


def test_files_in_subfolders_are_read(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/2013/june/a.yaml": FACT.replace("date: ", "dat: ")})
    assert_reported(lines, "facts/2013/june/a.yaml:5:5: error: [x-fact] unknown key 'dat'")


def test_byte_order_mark_is_fine(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": b"\xef\xbb\xbf" + FACT.encode()})
    assert lines == []


def test_control_character_is_located(tmp_path, monkeypatch):
    bad = FACT.replace("NATO ruled out troops.", "NATO ruled\x07 out troops.")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and "\n" not in errors[0], _show(lines)
    assert errors[0].startswith("facts/a.yaml:3:26: error: "), errors[0]
    assert "<unicode string>" not in errors[0]


def test_moderate_nesting_is_answered(tmp_path, monkeypatch):
    depth = 600
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "facts: " + "[" * depth + "]" * depth})
    assert [line for line in lines if ": error: " in line], _show(lines)


def _limit_memory():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.skipif(sys.platform != "linux", reason="memory limit via RLIMIT_AS")
def test_deep_nesting_is_one_error_not_a_memory_blowup(tmp_path):
    make_base(tmp_path)
    depth = 5_000  # 1 s and 130 MB today; 100_000 needs more than the 1 GB allowed here
    put(tmp_path, {"facts/a.yaml": "facts: " + "[" * depth + "]" * depth + "\n"})
    proc = subprocess.run([sys.executable, "-m", "briefgen", "check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("facts/a.yaml:1:") and "nest" in first.lower(), first


# --- the hint rule -------------------------------------------------------------------------------


def test_every_error_says_what_to_do(tmp_path, monkeypatch):
    files = {
        "facts/a.yaml": FACT.replace("NATO ruled out troops.", "[a list]")
                            .replace("2013-06-04", "2013-13-01")
                            .replace("    citations:", "    kind: rumour\n    credibility: high\n"
                                                       "    citations:"),
        "facts/b.yaml": "sources:\n  - id: s-two\n    title: T\n    url: ftp://x.org/y\n",
        "facts/d.yaml": FACT.replace("x-fact", "d-fact").split("    citations:")[0]
                        + "    citations: []\n",
        "facts/e.yaml": "? [a]\n: b\n",
    }
    lines = check(tmp_path, monkeypatch, files)
    bare = [line for line in lines if ": error: " in line and "(hint: " not in line]
    assert not bare, "errors without a hint:\n" + "\n".join(bare)


# --- what the user sees: real runs of `briefgen check` -------------------------------------------


def test_check_of_a_valid_base(tmp_path):
    make_base(tmp_path)
    proc = run_cli("check", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert re.fullmatch(r"checked 2 facts, 1 sources?, 1 themes?: 0 errors, 0 warnings", line), line


def test_summary_uses_singulars(tmp_path):
    make_base(tmp_path)
    write(tmp_path / "facts" / "facts.yaml", FACTS_YAML.split("  - id: nato-2013-expertise")[0])
    proc = run_cli("check", cwd=tmp_path)
    assert proc.stderr.splitlines()[-1] == "checked 1 fact, 1 source, 1 theme: 0 errors, 0 warnings"


def broken_base(root: Path) -> None:
    """Several errors in several files, plus one warning."""
    make_base(root)
    put(root, {
        "facts/b-dates.yaml": FACT.replace("2013-06-04", "2013-13-01")
                                  .replace("x-fact", "b-fact")
                                  .replace("    citations:", "    credibilty: 2\n    citations:"),
        "facts/a-syntax.yaml": "facts:\n  - id: a-fact\n    statement: a: b\n",
        "facts/c-refs.yaml": FACT.replace("x-fact", "c-fact")
                                 .replace("source: nato-watch-2013-06", "source: nobody-2013")
                                 .replace("[nato-security-assistance]", "[nato, nato-security-assistance]"),
        "facts/themes.yaml": THEMES_YAML + "  - id: lonely\n    title: Lonely\n",
    })


BROKEN_LINES = [
    "facts/a-syntax.yaml:3:17: error: YAML syntax: mapping values are not allowed in this context "
    "(hint: put text that contains ': ' in quotes)",
    "facts/b-dates.yaml:5:11: error: [b-fact] date: '2013-13-01' is not a real calendar date",
    "facts/b-dates.yaml:6:5: error: [b-fact] unknown key 'credibilty' "
    "(hint: did you mean 'credibility'?)",
    "facts/c-refs.yaml:4:14: error: [c-fact] themes[0]: unknown theme 'nato' "
    "(hint: define it under 'themes:')",
    "facts/c-refs.yaml:7:17: error: [c-fact] citations[0].source: unknown source 'nobody-2013' "
    "(hint: define it under 'sources:')",
    # no "[lonely] theme has no facts": a-syntax.yaml, unread, may hold its facts
]


def test_check_reports_every_problem_of_every_file_in_one_run(tmp_path):
    broken_base(tmp_path)
    proc = run_cli("check", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-1] == "error: fact base has 5 errors, 0 warnings"
    body = lines[:-1]
    assert len(body) == len(BROKEN_LINES), proc.stderr
    for line, expected in zip(body, BROKEN_LINES, strict=True):
        assert _matches(line, expected), f"{line}\n!=\n{expected}\n\nall:\n{proc.stderr}"


def test_diagnostics_are_sorted_by_path_then_line(tmp_path):
    broken_base(tmp_path)
    lines = run_cli("check", cwd=tmp_path).stderr.splitlines()[:-1]

    def key(line):
        path, row, col = line.split(":")[:3]
        return path, int(row), int(col)
    assert [key(line) for line in lines] == sorted(key(line) for line in lines)


def warn_only_base(root: Path) -> None:
    make_base(root)
    put(root, {"facts/themes.yaml": THEMES_YAML + "  - id: lonely\n    title: Lonely\n",
               "facts/z.yaml": FACT.replace("2013-06-04", "2013-08-01"),
               "facts/a.yaml": SOURCE})


WARN_LINES = [
    "facts/a.yaml:2:9: warning: [s-two] source is cited by no fact (hint: cite it or remove it)",
    "facts/themes.yaml:4:9: warning: [lonely] theme has no facts (hint: add facts to it or remove it)",
    "facts/z.yaml:5:11: warning: [x-fact] date: dated 2013-08-01 but source 'nato-watch-2013-06' "
    "was published 2013-06 (hint: a source cannot report what happened after it)",
]


def test_warnings_alone_pass_without_strict(tmp_path):
    warn_only_base(tmp_path)
    proc = run_cli("check", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert sorted(lines[:-1]) == sorted(WARN_LINES)
    assert lines[-1] == "checked 3 facts, 2 sources, 2 themes: 0 errors, 3 warnings"


def test_warnings_fail_with_strict(tmp_path):
    warn_only_base(tmp_path)
    proc = run_cli("check", "--strict", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == WARN_LINES + ["error: fact base has 0 errors, 3 warnings"]


def test_warnings_alone_are_sorted_too(tmp_path):
    warn_only_base(tmp_path)
    proc = run_cli("check", cwd=tmp_path)
    assert proc.stderr.splitlines()[:-1] == WARN_LINES


def test_check_of_the_repository_fact_base_has_no_errors():
    proc = run_cli("check")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("checked ")


# --- a large base is parsed on two cores: the same diagnostics, wherever a file was parsed ----

# One broken file per kind of problem whose position the main process must find again after a
# forked helper parsed the file (it sends back events without positions).
TWO_PROCESS_CASES = {
    "unknown key": {"facts/a.yaml": FACT.replace("    date:", "    dat:")},
    "missing key": {"facts/a.yaml": FACT.replace("    statement: NATO ruled out troops.\n", "")},
    "bad date": {"facts/a.yaml": FACT.replace("2013-06-04", "2013-13-04")},
    "bad slug": {"facts/a.yaml": FACT.replace("x-fact", "X_fact")},
    "unknown theme": {"facts/a.yaml": FACT.replace("[nato-security-assistance]", "[nope]")},
    "quote not found": {"facts/a.yaml": FACT.replace("no troop", "NO troop")},
    "duplicate id": {"facts/a.yaml": FACT, "facts/b.yaml": FACT},
    "yaml syntax": {"facts/a.yaml": FACT.replace("NATO ruled out troops.", '"NATO ruled')},
    "tab": {"facts/a.yaml": FACT.replace("    date:", "\tdate:")},
    "not utf-8": {"facts/a.yaml": FACT.replace("troops.", "troupes é.").encode("latin-1")},
    "source file missing": cite_s_two({"facts/a.yaml": SOURCE.replace("nato.txt", "nope.txt")}),
    "uncited source": {"facts/a.yaml": SOURCE},
}
PADDING = "# " + "padding " * 4000 + "\n"  # makes themes.yaml the largest file, parsed locally


@pytest.mark.parametrize("case", TWO_PROCESS_CASES)
def test_two_processes_report_exactly_what_one_does(tmp_path, monkeypatch, case):
    from briefgen.factbase import files as factbase_files

    files = {**TWO_PROCESS_CASES[case], "facts/themes.yaml": THEMES_YAML + PADDING}
    one = check(tmp_path, monkeypatch, files)
    assert any(": error: " in line or ": warning: " in line for line in one)
    monkeypatch.setattr(factbase_files, "PARALLEL_BYTES", 0)
    paths = sorted(Path("facts").rglob("*.yaml"))
    remote = [str(p) for p, events in zip(paths, factbase_files.parse_files(paths), strict=True)
              if events[0] == ("doc", None)]  # parsed by the helper: no positions came back
    assert remote == [str(p) for p in paths if p.name != "themes.yaml"]
    two = [str(d) for d in sorted(load_factbase(Path("facts")).diagnostics)]
    assert two == one


# --- ... and its archived texts are read, folded and verified partly by the helper ---------------

THREE_SOURCES = SOURCE + "".join(SOURCE.replace("sources:\n", "").replace("s-two", f"s-{n}")
                                 .replace("nato.txt", f"{n}.txt") for n in ("three", "four"))
QUOTING = FACT.replace("nato-watch-2013-06", "s-two").replace(
    "there will be no troop deployment", "NATO has expertise in the reform")


TEXT_CASES = {
    "all verified": {},
    "quote not found, closest passage": {"facts/c.yaml": FACT.replace("no troop", "no troops")},
    "quote in another source": {"facts/c.yaml": QUOTING.replace("s-two", "s-four")},
    "text not UTF-8": {"facts/sources/three.txt": b"\xff" + SOURCE_TEXT.encode()},
    "quote too short": {"facts/c.yaml": FACT.replace("there will be no troop deployment", "none")},
}


TEXT_ERRORS = {
    "all verified": [],
    "quote not found, closest passage": [
        "[c-fact] citations[0].quote: quote “there will be no [troops] deployment” not found in "
        "the source (hint: “troops” → “troop”; closest passage (97% similar): “there will be "
        "no [troop] deployment”)"],
    "quote in another source": [
        "[c-fact] citations[0].quote: quote “NATO has expertise in the reform” not found in the "
        "source (hint: found in source 's-two'; did you cite the wrong source?)"],
    "text not UTF-8": [
        "[s-three] file: file 'sources/three.txt' is not UTF-8 text (invalid start byte at byte "
        "0) (hint: save it as UTF-8)"],
    "quote too short": [
        "[c-fact] citations[0].quote: quote has 1 word; at least 4 are needed to pin it to one "
        "passage (hint: copy the passage verbatim from the archived text)"],
}


@pytest.mark.parametrize("case", TEXT_CASES)
def test_texts_verified_by_the_helper_give_exactly_what_one_process_gives(tmp_path, monkeypatch,
                                                                          case):
    from briefgen.factbase import files as factbase_files
    from briefgen.factbase import texts as factbase_texts

    files = {"facts/a.yaml": THREE_SOURCES, "facts/b.yaml": QUOTING,
             "facts/sources/three.txt": SOURCE_TEXT,
             "facts/sources/four.txt": "Other. " * 9 + SOURCE_TEXT.split("He added")[0],
             **TEXT_CASES[case]}
    files["facts/c.yaml"] = files.get("facts/c.yaml", FACT).replace("x-fact", "c-fact")
    make_base(tmp_path)
    put(tmp_path, files)
    one = load_factbase(tmp_path / "facts")
    monkeypatch.setattr(factbase_files, "PARALLEL_BYTES", 0)
    sent = []
    monkeypatch.setattr(factbase_texts, "split", lambda targets, sizes, share: (
        sent.extend(targets[::2]) or (targets[::2], targets[1::2])))
    two = load_factbase(tmp_path / "facts")
    assert [str(d).split(": ", 2)[-1] for d in one.errors] == TEXT_ERRORS[case]
    assert len(sent) == 2  # nato-watch-2013-06 and s-three of the four texts
    assert [str(d) for d in two.diagnostics] == [str(d) for d in one.diagnostics]
    assert two.verified == one.verified and len(one.verified) >= 3 - (case != "all verified")
