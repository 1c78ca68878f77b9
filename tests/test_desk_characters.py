"""One character policy for every file a desk writes: what fact files refuse, briefgen.toml,
wording.toml and the templates refuse too, where it stands (issue 28, item 18)."""


import pytest


BIDI_HINT = ("delete it; briefgen lays out right-to-left text by itself, and the marks U+200E, "
             "U+200F and U+061C are allowed")
CONTROL_HINT = "delete it; tab and line break are the only control characters allowed"


@pytest.fixture
def desk(templated_desk):
    return templated_desk


@pytest.mark.parametrize("toml, message", [
    ('name = "Desk\\u001b[2J\\u0007"', "briefgen.toml:2:8: error: desk.name: control character "
     f"U+001B is not allowed in briefgen.toml, not even as an escape (hint: {CONTROL_HINT})"),
    ('classification = "OFFICIAL\u202e LAITNEDIFNOC"', "briefgen.toml:2:27: error: "
     "desk.classification: bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE) is not allowed "
     f"in briefgen.toml (hint: {BIDI_HINT})"),
    ('region = "Sahel\u3164"', "briefgen.toml:2:16: error: desk.region: blank character U+3164 "
     "(HANGUL FILLER) is not allowed in briefgen.toml (hint: it looks like a space and is not "
     "one: write a space)"),
])
def test_briefgen_toml_values_are_held_to_the_fact_files_policy(cli, desk, toml, message):
    (desk / "briefgen.toml").write_text(f"[desk]\n{toml}\n", encoding="utf-8")
    for command in (["check"], ["build", "--format", "pdf"]):
        result = cli(*command, cwd=desk)
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr.splitlines() == [message,
                                              "error: briefgen.toml has 1 error, 0 warnings"]
    assert not (desk / "out").exists()


def test_wording_toml_values_are_held_to_it(cli, desk):
    wording = desk / "templates" / "wording.toml"
    text = wording.read_text(encoding="utf-8")
    line = text[:text.index('date_day = "{day} {month} {year}"')].count("\n") + 1
    wording.write_text(text.replace('date_day = "{day} {month} {year}"',
                                    'date_day = "{day} {month}\u2067 {year}"', 1), encoding="utf-8")
    result = cli("check", cwd=desk)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"templates/wording.toml:{line}:26: error: en.date_day: bidirectional control U+2067 "
        f"(RIGHT-TO-LEFT ISOLATE) is not allowed in wording.toml (hint: {BIDI_HINT})",
        "error: wording.toml has 1 error, 0 warnings"]


@pytest.mark.parametrize("line, where", [("## Our assessment \u202eevil", "text"),
                                         ("## {{ 'Our assessment\x07' }}", "a string it prints")])
def test_template_text_is_held_to_it(cli, desk, line, where):
    template = desk / "templates" / "theme.md.j2"
    text = template.read_text(encoding="utf-8")
    number = text[:text.index("## {{ words.brief.our_assessment }}")].count("\n") + 1
    template.write_text(text.replace("## {{ words.brief.our_assessment }}", line), encoding="utf-8")
    ch = "\\u202e" if "\u202e" in line else "\\x07"
    what = ("bidirectional control U+202E (RIGHT-TO-LEFT OVERRIDE)", BIDI_HINT) \
        if "\u202e" in line else ("control character U+0007", CONTROL_HINT)
    for command in (["check"], ["build", "--format", "pdf"]):
        result = cli(*command, cwd=desk)
        assert (result.returncode, result.stdout) == (1, ""), where
        assert result.stderr.splitlines() == [
            f"templates/theme.md.j2:{number}: error: {what[0]} is not allowed in templates "
            f"(hint: {what[1]})", "error: template has 1 error, 0 warnings"], ch
