"""A ledger that is not a file is said to be one, by every command that reads or writes it:
never taken for "no edition was sent" (issue 28, item 20)."""

from __future__ import annotations

import os

import pytest

from .conftest import WEEK, reader_lines

MESSAGE = ("error: the ledger out/ledger.sqlite is {what}, not the file briefgen records sent "
           "messages in (hint: put the ledger back there, or restore it from a backup; a new "
           "ledger would send every reader this week's brief again)")


@pytest.mark.parametrize("what", ["a folder", "a link to nothing",
                                  "not a regular file (a pipe, socket or device)"])
def test_a_ledger_that_is_not_a_file_stops_every_command(cli, project, smtp, what):
    project.readers(reader_lines(("Jane Doe", "jane.doe@example.org")))
    project.out.mkdir()
    if what == "a folder":
        project.ledger.mkdir()
    elif what == "a link to nothing":
        project.ledger.symlink_to(project.out / "moved.sqlite")
    else:
        os.mkfifo(project.ledger)
    server = smtp()
    for command in (["ledger"], ["impact", "russian-envoy-benghazi"],
                    ["send", "--week", WEEK, "--dry-run"], ["send", "--week", WEEK]):
        code, out, err = cli(*command)
        assert (code, out) == (1, ""), command
        assert err.splitlines()[-1] == MESSAGE.format(what=what), command
    assert server.received == []
    assert not (project.out / "outbox").exists()
