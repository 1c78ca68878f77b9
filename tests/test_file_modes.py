"""A shared desk stays shared: a file briefgen replaces keeps its permissions, and a new file
gets what the umask allows (issue 28, item 16)."""

import os
import stat

import pytest

from conftest import tiny_factbase, write


@pytest.fixture
def umask():
    """Set the process umask for one test (each pytest worker is a process of its own)."""
    saved = os.umask(0o022)
    yield lambda mask: os.umask(mask)
    os.umask(saved)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask, new_mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_source_add_keeps_the_mode_of_the_file_it_replaces(cli, tmp_path, umask, mask, new_mode):
    facts = tiny_factbase(tmp_path)
    sources = facts / "base.yaml"
    sources.chmod(0o664)  # group-writable, for the other analysts of the desk
    write(tmp_path / "note.txt", """
        Ministry statement on the Geneva talks

        The ministry said on Thursday that its delegation would stay in Geneva for a week.
        """)
    umask(mask)
    result = cli("source", "add", "note.txt", "--into", "facts/base.yaml", "--published",
                 "2019-12-12", "--publisher", "Ministry of Foreign Affairs", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    archived = facts / "sources" / "ministry-statement-on-the-geneva-talks-2019-12.txt"
    assert (mode(sources), mode(archived)) == (0o664, new_mode)


def test_build_outputs_follow_the_umask_and_keep_a_replaced_file_s_mode(cli, tmp_path, umask):
    tiny_factbase(tmp_path)
    umask(0o002)
    assert cli("build", "--theme", "russian-motives", "--format", "pdf",
               cwd=tmp_path).returncode == 0
    pdf = tmp_path / "out" / "theme-russian-motives.pdf"
    assert mode(pdf) == 0o664
    pdf.chmod(0o640)
    umask(0o022)
    assert cli("build", "--theme", "russian-motives", "--format", "pdf",
               cwd=tmp_path).returncode == 0
    assert mode(pdf) == 0o640
