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
