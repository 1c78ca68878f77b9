"""Small command-line usage: bare commands, the week's spelling."""

from __future__ import annotations

import pytest

from conftest import tiny_factbase


def test_bare_briefgen_lists_the_commands(cli, tmp_path):
    proc = cli(cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    lines = proc.stderr.splitlines()
    assert lines[0] == "usage: briefgen [-h] [--version] COMMAND ..."
    assert [line.split()[0] for line in lines if line[:4] == "    " and line[4] != " "] == [
        "check", "build", "weekly", "send", "ledger", "impact", "schema", "init", "source",
        "watch", "list", "quote", "docs"]


def test_bare_list_names_what_it_can_list(cli, tmp_path):
    proc = cli("list", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == ("briefgen list: error: the following arguments are "
                                            "required: themes|sources|facts")


@pytest.mark.parametrize("week", ["2013-w23", "2013w23", "2013-W23", "2013-06-04"])
def test_a_week_may_be_written_with_a_lowercase_w(cli, tmp_path, week):
    tiny_factbase(tmp_path)
    proc = cli("list", "facts", "--week", week, "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '"id": "nato-2013-no-troops"' in proc.stdout


NO_FACTS = ("error: fact base folder 'facts' not found (hint: run in a desk folder, pass "
            "--facts DIR, or make a desk with briefgen init)\n")


@pytest.mark.parametrize("args", [["quote", "--any", "some words"], ["check"], ["list", "facts"],
                                  ["source", "add", "article.txt"]])
def test_every_command_gives_the_same_hint_outside_a_desk(cli, tmp_path, args):
    (tmp_path / "article.txt").write_text("An article.\n", encoding="utf-8")
    proc = cli(*args, cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (1, "", NO_FACTS)
