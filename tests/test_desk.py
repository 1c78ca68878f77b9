"""The desk folder: one rule finds it, from wherever a command runs (docs/commands.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen import cli
from briefgen.desk import Desk


@pytest.fixture
def desk(tmp_path, monkeypatch) -> Path:
    """A new desk (briefgen init) with a template of its own, and a folder beside it."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init", "desk"]) == 0
    template = tmp_path / "desk" / "templates" / "theme.md.j2"
    template.parent.mkdir()
    packaged = Path(cli.__file__).parent / "resources" / "templates" / "theme.md.j2"
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


def run(*argv: str, capsys) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_build_inside_facts_uses_the_desks_templates_and_out(desk, monkeypatch, capsys):
    """`--facts .` inside facts/ used to build with the packaged templates into facts/out/."""
    from pypdf import PdfReader

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1710460800")
    monkeypatch.chdir(desk / "facts")
    code, out, err = run("build", "--facts", ".", "--format", "pdf", capsys=capsys)
    assert (code, out) == (0, "../out/theme-water-supply.pdf\n"), err
    assert not (desk / "facts" / "out").exists()
    assert PdfReader(desk / "out" / "theme-water-supply.pdf").metadata.title.startswith(
        "DESK TEMPLATE ")
    monkeypatch.chdir(desk.parent / "elsewhere")
    code, out, _ = run("build", "--facts", "../desk/facts", "--format", "pdf", capsys=capsys)
    assert (code, out) == (0, "../desk/out/theme-water-supply.pdf\n")


def test_a_send_from_inside_facts_finds_the_desks_readers_and_ledger(desk, monkeypatch, capsys):
    monkeypatch.chdir(desk / "facts")
    code, _, err = run("send", "--week", "2024-W11", "--dry-run", capsys=capsys)
    assert code == 0, err
    assert sorted(p.name for p in (desk / "out" / "outbox" / "2024-W11").iterdir()) == [
        "reader@example.org.eml"]
    code, _, err = run("ledger", capsys=capsys)
    assert err.startswith("error: no ledger at ../out/ledger.sqlite ")


def test_no_desk_anywhere_says_how_to_make_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("check", capsys=capsys)
    assert (code, out) == (1, "")
    assert err == ("error: fact base folder 'facts' not found (hint: run in a desk folder, pass "
                   "--facts DIR, or make a desk with briefgen init)\n")
