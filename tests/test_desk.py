"""The desk folder: one rule finds it, from wherever a command runs (docs/commands.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen import resources
from briefgen.desk import Desk


@pytest.fixture
def desk(cli, tmp_path) -> Path:
    """A new desk (briefgen init) with a template of its own, and a folder beside it."""
    assert cli("init", "desk", cwd=tmp_path).returncode == 0
    template = tmp_path / "desk" / "templates" / "theme.md.j2"
    template.parent.mkdir()
    packaged = resources.TEMPLATES / "theme.md.j2"
    template.write_text(packaged.read_text(encoding="utf-8").replace(
        '{% set title = theme.title %}', '{% set title = "DESK TEMPLATE " ~ theme.title %}'),
        encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    return tmp_path / "desk"


def resolved(found: Desk) -> tuple:
    return tuple(Path(p).resolve() for p in (found.root, found.facts, found.templates, found.out,
                                             found.readers, found.settings_file))


def test_facts_dot_inside_facts_and_facts_at_the_root_and_another_folder_are_one_desk(
        desk, monkeypatch):
    expected = (desk, desk / "facts", desk / "templates", desk / "out", desk / "readers.yaml",
                desk / "briefgen.toml")
    monkeypatch.chdir(desk)
    assert resolved(Desk.find(Path("facts"))) == expected
    assert resolved(Desk.find()) == expected
    monkeypatch.chdir(desk / "facts")
    assert resolved(Desk.find(Path("."))) == expected
    assert resolved(Desk.find()) == expected  # the nearest desk upward
    monkeypatch.chdir(desk.parent / "elsewhere")
    assert resolved(Desk.find(Path("../desk/facts"))) == expected
    assert resolved(Desk.find(desk / "facts")) == expected


def test_a_desk_folder_found_upward_is_printed_relative_to_where_the_command_runs(
        desk, monkeypatch):
    monkeypatch.chdir(desk / "facts")
    found = Desk.find()
    assert (found.facts, found.out) == (Path("../facts"), Path("../out"))
    assert Desk.find(Path(".")).out == Path("../out")
    assert Desk.find(desk / "facts").out == desk / "out"  # absolute stays absolute


def test_a_build_inside_facts_uses_the_desks_templates_and_out(cli, desk):
    """`--facts .` inside facts/ used to build with the packaged templates into facts/out/."""
    from pypdf import PdfReader

    code, out, err = cli("build", "--facts", ".", "--format", "pdf", cwd=desk / "facts",
                         env={"SOURCE_DATE_EPOCH": "1710460800"})
    assert (code, out) == (0, "../out/theme-water-supply.pdf\n"), err
    assert not (desk / "facts" / "out").exists()
    assert PdfReader(desk / "out" / "theme-water-supply.pdf").metadata.title.startswith(
        "DESK TEMPLATE ")
    code, out, _ = cli("build", "--facts", "../desk/facts", "--format", "pdf",
                       cwd=desk.parent / "elsewhere")
    assert (code, out) == (0, "../desk/out/theme-water-supply.pdf\n")


def test_a_send_from_inside_facts_finds_the_desks_readers_and_ledger(cli, desk):
    code, _, err = cli("send", "--week", "2024-W11", "--dry-run", cwd=desk / "facts")
    assert code == 0, err
    assert sorted(p.name for p in (desk / "out" / "outbox" / "2024-W11").iterdir()) == [
        "reader@example.org.eml"]
    code, _, err = cli("ledger")
    assert (code, err) == (0, "nothing sent yet from this desk (../out/ledger.sqlite is made by "
                              "the first send that is not a dry run)\n")


def test_no_desk_anywhere_says_how_to_make_one(cli, tmp_path):
    code, out, err = cli("check", cwd=tmp_path)
    assert (code, out) == (1, "")
    assert err == ("error: fact base folder 'facts' not found (hint: run in a desk folder, pass "
                   "--facts DIR, or make a desk with briefgen init)\n")
