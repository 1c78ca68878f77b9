"""`briefgen check` on a new desk (`briefgen init`) broken the ways a new user breaks it."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def desk(cli, tmp_path) -> Path:
    """A new `briefgen init` desk (init itself is tested elsewhere)."""
    assert cli("init", "desk", cwd=tmp_path).returncode == 0
    return tmp_path / "desk"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_new_desk_checks_clean(cli, desk):
    proc = cli("check", "--strict", cwd=desk)
    assert (proc.returncode, proc.stderr) == (0, "checked 2 facts, 1 source, 1 theme, "
                                                 "1 reader: 0 errors, 0 warnings\n")


# --- check reads readers.yaml as send does --------------------------------------------------------

BAD_EMAIL = ("readers.yaml:7:12: error: [reader@example] email: 'reader@example' is not a valid "
             "email address: The part after the @-sign is not valid. It should have a period. "
             "(hint: write the address as name@example.org)")


def test_check_reports_a_bad_reader_email(cli, desk):
    edit(desk / "readers.yaml", "email: reader@example.org", "email: reader@example")
    proc = cli("check", cwd=desk)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.splitlines() == [BAD_EMAIL, "error: readers file has 1 error, 0 warnings"]


def test_check_reports_a_reader_theme_that_does_not_exist_with_the_fact_base_errors(cli, desk):
    edit(desk / "readers.yaml", "themes: [water-supply]", "themes: [water-suply]")
    edit(desk / "facts/water-supply.yaml", "date: 2024-03-11", "date: 2024-13-11")
    proc = cli("check", "--strict", cwd=desk)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "facts/water-supply.yaml:8:11: error: [reservoirs-at-41-percent] date: '2024-13-11' is "
        "not a real calendar date (hint: write a date as YYYY, YYYY-MM or YYYY-MM-DD, e.g. "
        "2019-12-11)",
        "readers.yaml:8:14: error: [reader@example.org] themes[0]: unknown theme 'water-suply' "
        "(hint: did you mean 'water-supply'?)",
        "error: fact base and readers file have 2 errors, 0 warnings"]


def test_check_reports_a_settings_error_with_a_reader_error(cli, desk):
    edit(desk / "readers.yaml", "email: reader@example.org", "email: reader@example")
    edit(desk / "briefgen.toml", 'page_size = "A4"', 'page_size = "A5"')
    proc = cli("check", cwd=desk)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "briefgen.toml:8:13: error: desk.page_size: 'A5' is not a valid page size "
        "(hint: write 'A4' or 'Letter')",
        BAD_EMAIL, "error: briefgen.toml and readers file have 2 errors, 0 warnings"]


def test_a_desk_without_readers_checks_clean(cli, desk):
    (desk / "readers.yaml").unlink()
    proc = cli("check", "--strict", cwd=desk)
    assert (proc.returncode, proc.stderr) == (0, "checked 2 facts, 1 source, 1 theme: "
                                                 "0 errors, 0 warnings\n")


def test_check_readers_option_names_the_file(cli, desk):
    (desk / "readers.yaml").rename(desk / "team.yaml")
    edit(desk / "team.yaml", "email: reader@example.org", "email: reader@example")
    proc = cli("check", "--readers", "team.yaml", cwd=desk)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [BAD_EMAIL.replace("readers.yaml", "team.yaml"),
                                        "error: readers file has 1 error, 0 warnings"]
    proc = cli("check", "--readers", "nobody.yaml", cwd=desk)
    assert (proc.returncode, proc.stderr) == (1, "error: readers file 'nobody.yaml' not found "
                                                 "(hint: create it as `briefgen docs distribution` "
                                                 "shows, or pass --readers FILE)\n")


# --- a fact file that cannot be read adds no false warnings --------------------------------------

def test_a_file_that_does_not_parse_adds_no_warnings(cli, desk):
    edit(desk / "facts/water-supply.yaml", "    kind: event", "\tkind: event")
    proc = cli("check", cwd=desk)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "facts/water-supply.yaml:9:1: error: YAML syntax: found a tab character that violates "
        "indentation (hint: indent with spaces, not tabs)",
        "error: fact base has 1 error, 0 warnings"]


def test_a_misspelt_top_level_key_adds_no_warnings(cli, desk):
    edit(desk / "facts/water-supply.yaml", "\nfacts:", "\nfact:")
    proc = cli("check", cwd=desk)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "facts/water-supply.yaml:4:1: error: unknown top-level key 'fact' "
        "(hint: did you mean 'facts'?)",
        "error: fact base has 1 error, 0 warnings"]


def test_a_theme_without_facts_is_still_a_warning_when_every_file_is_read(cli, desk):
    with open(desk / "facts/themes.yaml", "a", encoding="utf-8") as f:
        f.write("  - id: lonely\n    title: Lonely\n")
    proc = cli("check", cwd=desk)
    assert (proc.returncode, proc.stderr.splitlines()) == (0, [
        "facts/themes.yaml:8:9: warning: [lonely] theme has no facts "
        "(hint: add facts to it or remove it)",
        "checked 2 facts, 1 source, 2 themes, 1 reader: 0 errors, 1 warning"])


# --- YAML syntax errors say how to fix the common cases ------------------------------------------

def test_a_tab_says_to_indent_with_spaces(cli, desk):
    edit(desk / "facts/water-supply.yaml", "    kind: event", "\tkind: event")
    proc = cli("check", cwd=desk)
    assert proc.returncode == 1
    assert ("facts/water-supply.yaml:9:1: error: YAML syntax: found a tab character that violates "
            "indentation (hint: indent with spaces, not tabs)") in proc.stderr.splitlines()


def test_unquoted_colon_says_to_quote(cli, desk):
    edit(desk / "facts/water-supply.yaml", "statement: Reservoirs",
         "statement: Water board: reservoirs")
    proc = cli("check", cwd=desk)
    assert proc.returncode == 1
    assert ("facts/water-supply.yaml:6:27: error: YAML syntax: mapping values are not allowed "
            "in this context (hint: put text that contains ': ' in quotes)"
            ) in proc.stderr.splitlines()


# --- an empty fact base builds nothing, and says so -----------------------------------------------

def test_build_of_an_empty_fact_base_says_why_nothing_is_built(cli, desk):
    import shutil
    shutil.rmtree(desk / "facts")
    (desk / "facts").mkdir()
    proc = cli("build", cwd=desk)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", "error: the fact base has no themes: nothing to build (hint: add themes to "
               "facts/themes.yaml, see `briefgen docs facts`)\n")
    proc = cli("build", "--theme", "water-supply", cwd=desk)
    assert (proc.returncode, proc.stderr) == (
        2, "error: unknown theme 'water-supply' (themes: none)\n")
    assert not (desk / "out").exists()
