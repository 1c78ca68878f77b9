"""Every pattern of wording.toml is checked when it is read: known fields only, `{field}` and
nothing more of Python's format language; each mistake located, for check, build and watch
alike (issue 28, item 7: they crashed, ran for minutes, or printed Python internals)."""

import time

import pytest

from curate.test_watch import Watcher

DATE_FIELDS = "{day}, {month}, {month_short}, {year}"


@pytest.fixture
def desk(templated_desk):
    return templated_desk


def reword(desk, old: str, new: str) -> int:
    """Change the desk's wording.toml; the line the change is on."""
    wording = desk / "templates" / "wording.toml"
    text = wording.read_text(encoding="utf-8")
    assert old in text
    wording.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old.lstrip("\n"), text.index(old))].count("\n") + 1


CASES = [
    ('date_day = "{day} {month} {year}"', 'date_day = "{nope} {month} {year}"',
     "12: error: [en] date_day {nope} is not a field of this pattern (hint: its fields: "
     f"{DATE_FIELDS})"),
    ('date_day = "{day} {month} {year}"', 'date_day = "{dya} {month} {year}"',
     "12: error: [en] date_day {dya} is not a field of this pattern (hint: did you mean "
     f"{{day}}? its fields: {DATE_FIELDS})"),
    ('date_day = "{day} {month} {year}"', 'date_day = "{0} {month} {year}"',
     "12: error: [en] date_day {0} is not a field of this pattern (hint: its fields: "
     f"{DATE_FIELDS})"),
    ('date_day = "{day} {month} {year}"', 'date_day = "{day} {month {year}"',
     "12: error: [en] date_day has a brace that opens or closes no field (hint: a field is "
     f"written {{name}} ({DATE_FIELDS}); write {{{{ or }}}} for a brace)"),
    ('date_day = "{day} {month} {year}"', 'date_day = "{day:>300000000} {month} {year}"',
     "12: error: [en] date_day {day:>300000000} formats its field, which a pattern cannot "
     "do (hint: write the field alone, as {day})"),
    ('date_day = "{day} {month} {year}"', 'date_day = "{day.__class__.__mro__} {month}"',
     "12: error: [en] date_day {day.__class__.__mro__} reads inside its field, which a "
     "pattern cannot do (hint: write the field alone, as {day})"),
    ('page = "Page {page} of {pages}"', "page = 5",
     "8: error: [en.labels] page must be text, not 5 (hint: write it in double quotes, with "
     "its fields: {page}, {pages})"),
    ('\nseparator = ", "', "\nseparator = 2",
     "13: error: [en.notes] separator must be text, not 2 (hint: write it in double quotes)"),
    ('raised = "Raised from {before} to {after} this week."',
     'raised = "Raised from {before!r} to {after} this week."',
     "10: error: [en.judgments.change] raised {before!r} formats its field, which a "
     "pattern cannot do (hint: write the field alone, as {before})"),
]


@pytest.mark.parametrize("old, new, message", CASES)
def test_a_bad_pattern_is_located_by_check_and_build(cli, desk, old, new, message):
    line = reword(desk, old, new)
    for command in (["check"], ["build", "--format", "pdf"], ["weekly", "--week", "2013-W23"]):
        started = time.monotonic()
        result = cli(*command, cwd=desk)
        assert time.monotonic() - started < 30  # `{day:>300000000}` ran 114 s at 7.3 GB
        assert (result.returncode, result.stdout) == (1, ""), result.stderr
        assert result.stderr.splitlines() == [f"templates/wording.toml:{line}:{message}",
                                              "error: wording.toml has 1 error, 0 warnings"]
    assert not (desk / "out").exists()


def test_watch_reports_a_bad_pattern_and_keeps_watching(desk):
    line = reword(desk, 'date_day = "{day} {month} {year}"', 'date_day = "{day.__class__} {month}"')
    w = Watcher(desk, "--theme", "nato-security-assistance", "--format", "pdf")
    try:
        w.until(lambda line: "not rebuilt" in line)
        assert w.err[1:] == [
            f"templates/wording.toml:{line}:12: error: [en] date_day {{day.__class__}} reads "
            "inside its field, which a pattern cannot do (hint: write the field alone, as {day})",
            "error: wording.toml has 1 error, 0 warnings",
            "start: not rebuilt; the previous files stay"]
    finally:
        assert w.stop() == 0
    assert "Traceback" not in "\n".join(w.err)


def test_the_packaged_patterns_pass():
    from briefgen.compose.wordbook import load_wordbook

    assert load_wordbook(None, "en").table["date_day"] == "{day} {month} {year}"


@pytest.mark.parametrize("old, new, message", [
    ('date_day = "{day} {month} {year}"', 'date_dya = "{day} {month} {year}"',
     "1: error: [en] date_dya is not a key of wording.toml (hint: did you mean 'date_day'?)"),
    ("[en.brief]", "[en.breif]",
     "1: error: [en] breif is not a key of wording.toml (hint: did you mean 'brief'?)"),
    ('\nfact = "{n} fact"', '\nfatc = "{n} fact"',
     "1: error: [en.brief] fatc is not a key of wording.toml (hint: did you mean 'fact'?)"),
])
def test_a_mistyped_key_is_named_where_it_stands(cli, desk, old, new, message):
    """A typo would leave briefgen's own words in the brief without a word of warning."""
    line = reword(desk, old, new)
    result = cli("check", cwd=desk)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [f"templates/wording.toml:{line}:{message}",
                                          "error: wording.toml has 1 error, 0 warnings"]


def test_the_desks_own_words_for_its_own_templates_pass(cli, desk):
    reword(desk, "[en.brief]", '[en.brief]\nour_regional_note = "From the field office"')
    assert cli("check", cwd=desk).returncode == 0
