"""readers.yaml: checked like fact files, every problem located, nothing sent while one is wrong."""

from __future__ import annotations

import pytest

from briefgen.distribution.readers import Reader, load_readers
from briefgen.errors import BriefgenError, DiagnosticsError

from .conftest import ROOT, THEMES, WEEK, write


def test_readers_are_read_with_their_themes_in_fact_base_order(tmp_path):
    path = write(tmp_path / "readers.yaml", """
        readers:
          - name: Jane Doe
            email: jane.doe@example.org
            themes: [migration-europe, russian-motives, migration-europe]
          - name: '  Omar   Ali '
            email: Omar.Ali@EXAMPLE.org
          - name: Ann Lee
            email: ann.lee@example.org
            themes: [migration-europe, nato-security-assistance, russian-motives]
        """)
    assert load_readers(path, THEMES) == [
        Reader("Jane Doe", "jane.doe@example.org", ("russian-motives", "migration-europe")),
        Reader("Omar Ali", "Omar.Ali@example.org", None),
        # every theme, listed: still the list (a theme added later is not followed)
        Reader("Ann Lee", "ann.lee@example.org", THEMES),
    ]


def test_every_problem_is_reported_at_its_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "readers.yaml", r"""
        readers:
          - name: Jane Doe
            email: jane.doe@example
          - name: "Eve\r\nBcc: victim@example.org"
            email: eve@example.org
          - name: Omar Ali
            email: omar.ali@example.org
            themes: [russian-motive, nato-security-assistance, brexit]
          - name: Ann Lee
            email: ann.lee@example.org
          - name: Ann Lee (work)
            email: Ann.Lee@EXAMPLE.org
          - name: Typo
            emial: typo@example.org
          - name: "Bell\a"
            email: "bell@example.org\n"
          - name: ""
            email: empty@example.org
            themes: []
          - Just a string
          - name: Number
            email: 12
            themes: russian-motives
          - name: "Right\u202eto left"
            email: rtl@example.org
        """)
    with pytest.raises(DiagnosticsError) as caught:
        load_readers(path, THEMES)
    assert caught.value.lines() == [
        "readers.yaml:3:12: error: [jane.doe@example] email: 'jane.doe@example' is not a valid "
        "email address: The part after the @-sign is not valid. It should have a period. "
        "(hint: write the address as name@example.org)",
        "readers.yaml:4:11: error: [eve@example.org] name: contains a line break (U+000D) "
        "(hint: write it on one line)",
        "readers.yaml:8:14: error: [omar.ali@example.org] themes[0]: unknown theme "
        "'russian-motive' (hint: did you mean 'russian-motives'?)",
        "readers.yaml:8:56: error: [omar.ali@example.org] themes[2]: unknown theme 'brexit' "
        "(hint: themes: russian-motives, nato-security-assistance, migration-europe)",
        "readers.yaml:12:12: error: [Ann.Lee@example.org] email: duplicate reader (also at "
        "readers.yaml:10:12) (hint: list each address once; merge the themes into one entry)",
        "readers.yaml:13:5: error: [Typo] required key 'email' is missing",
        "readers.yaml:14:5: error: [Typo] unknown key 'emial' (hint: did you mean 'email'?)",
        "readers.yaml:15:11: error: [bell@example.org\\n] name: contains the control "
        "character U+0007 (hint: remove the invisible character)",
        "readers.yaml:16:12: error: [bell@example.org\\n] email: contains a line break "
        "(U+000A) (hint: write it on one line)",
        "readers.yaml:17:11: error: [empty@example.org] name: must not be empty",
        "readers.yaml:19:13: error: [empty@example.org] themes: must list at least one theme "
        "(hint: remove 'themes' to follow every theme)",
        "readers.yaml:20:5: error: a reader must be a mapping with 'name' and 'email' "
        "(hint: write '- name: Jane Doe' and, below it, 'email: jane@example.org')",
        "readers.yaml:22:12: error: [Number] email: input should be a valid string, got 12",
        "readers.yaml:23:13: error: [Number] themes: must be a list of theme ids "
        "(hint: write it as [russian-motives])",
        "readers.yaml:24:11: error: [rtl@example.org] name: contains the control character "
        "U+202E (hint: remove the invisible character)",
        "error: readers file has 15 errors, 0 warnings",
    ]


@pytest.mark.parametrize("text, expected", [
    ("", "readers.yaml:1:1: error: a readers file must be a mapping with the key 'readers' "
         "(hint: start the file with 'readers:')"),
    ("readers: []\n", "readers.yaml:1:10: error: 'readers' must be a list with at least one "
     "reader (hint: add items like '- name: Jane Doe' with 'email: jane@example.org')"),
    ("readers:\n  - name: A\n    email: a@example.org\nextra: 1\n",
     "readers.yaml:4:1: error: unknown top-level key 'extra' (hint: the only top-level key is "
     "'readers')"),
    ("readers:\n  - name: [A\n", "readers.yaml:3:1: error: YAML syntax: did not find expected "
     "',' or ']' (hint: check indentation, colons and quoting around this point)"),
])
def test_file_level_problems(tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "readers.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DiagnosticsError) as caught:
        load_readers(tmp_path / "readers.yaml", THEMES)
    assert caught.value.lines()[0] == expected


def test_missing_readers_file(cli, project):
    code, out, err = cli("send", "--week", WEEK, "--dry-run")
    assert (code, out) == (1, "")
    assert err == ("error: readers file 'readers.yaml' not found (hint: create it as "
                   "`briefgen docs distribution` shows, or pass --readers FILE)\n")
    with pytest.raises(BriefgenError):
        load_readers(project.root / "nowhere.yaml", THEMES)


def test_nothing_is_sent_while_any_reader_is_invalid(cli, project, smtp):
    project.readers("""
        readers:
          - name: Jane Doe
            email: jane.doe@example.org
          - name: "Mallory\\r\\nBcc: everyone@example.org"
            email: mallory@example.org
        """)
    server = smtp()
    code, out, err = cli("send", "--week", WEEK)
    assert (code, out) == (1, "")
    assert err == ("readers.yaml:4:11: error: [mallory@example.org] name: contains a line break "
                   "(U+000D) (hint: write it on one line)\n"
                   "error: readers file has 1 error, 0 warnings\n")
    assert server.received == [] and server.mailbox.data_commands == 0
    assert not project.ledger.exists()


def test_the_sample_distribution_list_matches_the_bundled_themes():
    """readers.yaml at the repository root is valid for the bundled fact base's themes."""
    import yaml

    themes = [t["id"] for t in yaml.safe_load((ROOT / "facts" / "themes.yaml").read_text(
        encoding="utf-8"))["themes"]]
    readers = load_readers(ROOT / "readers.yaml", themes)
    assert len(readers) >= 3
    assert len({r.themes for r in readers}) >= 3
    assert all(r.address.endswith("@example.org") for r in readers)
