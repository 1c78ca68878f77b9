"""`briefgen check` on a new desk (`briefgen init`) broken the ways a new user breaks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """One `briefgen init` desk, copied for each test (init itself is tested elsewhere)."""
    root = tmp_path_factory.mktemp("init")
    assert run_cli("init", "desk", cwd=root).returncode == 0
    return root / "desk"


@pytest.fixture
def desk(made, tmp_path) -> Path:
    import shutil
    return Path(shutil.copytree(made, tmp_path / "desk"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_new_desk_checks_clean(desk):
    proc = run_cli("check", "--strict", cwd=desk)
    assert (proc.returncode, proc.stderr) == (0, "checked 2 facts, 1 source, 1 theme: "
                                                 "0 errors, 0 warnings\n")


# --- a fact file that cannot be read adds no false warnings --------------------------------------

def test_a_file_that_does_not_parse_adds_no_warnings(desk):
    edit(desk / "facts/water-supply.yaml", "    kind: event", "\tkind: event")
    proc = run_cli("check", cwd=desk)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "facts/water-supply.yaml:9:1: error: YAML syntax: found a tab character that violates "
        "indentation (hint: indent with spaces, not tabs)",
        "error: fact base has 1 error, 0 warnings"]


def test_a_misspelt_top_level_key_adds_no_warnings(desk):
    edit(desk / "facts/water-supply.yaml", "\nfacts:", "\nfact:")
    proc = run_cli("check", cwd=desk)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "facts/water-supply.yaml:4:1: error: unknown top-level key 'fact' "
        "(hint: did you mean 'facts'?)",
        "error: fact base has 1 error, 0 warnings"]


def test_a_theme_without_facts_is_still_a_warning_when_every_file_is_read(desk):
    with open(desk / "facts/themes.yaml", "a", encoding="utf-8") as f:
        f.write("  - id: lonely\n    title: Lonely\n")
    proc = run_cli("check", cwd=desk)
    assert (proc.returncode, proc.stderr.splitlines()) == (0, [
        "facts/themes.yaml:8:9: warning: [lonely] theme has no facts "
        "(hint: add facts to it or remove it)",
        "checked 2 facts, 1 source, 2 themes: 0 errors, 1 warning"])


# --- YAML syntax errors say how to fix the common cases ------------------------------------------

def test_a_tab_says_to_indent_with_spaces(desk):
    edit(desk / "facts/water-supply.yaml", "    kind: event", "\tkind: event")
    proc = run_cli("check", cwd=desk)
    assert proc.returncode == 1
    assert ("facts/water-supply.yaml:9:1: error: YAML syntax: found a tab character that violates "
            "indentation (hint: indent with spaces, not tabs)") in proc.stderr.splitlines()


def test_unquoted_colon_says_to_quote(desk):
    edit(desk / "facts/water-supply.yaml", "statement: Reservoirs",
         "statement: Water board: reservoirs")
    proc = run_cli("check", cwd=desk)
    assert proc.returncode == 1
    assert ("facts/water-supply.yaml:6:27: error: YAML syntax: mapping values are not allowed "
            "in this context (hint: put text that contains ': ' in quotes)"
            ) in proc.stderr.splitlines()
