"""Text the PDF cannot draw is found by `check`, located in the desk file that holds it, before
a build fails on it (issue 28, item 11)."""

import shutil

import pytest

from briefgen import resources
from briefgen.writers.pdf.coverage import covered
from briefgen.writers.pdf.fonts import load_fonts

FONTS_HINT = ("not covered by any bundled font in briefgen/resources/fonts/ (hint: remove it, "
              "or add a font that has it to templates/fonts/, as `briefgen docs templates` says)")


@pytest.fixture
def desk(templated_desk):
    return templated_desk


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_what_check_holds_text_to_is_what_the_pdf_writer_draws():
    fonts = load_fonts(resources.FONTS)
    drawn = {c for family in fonts.families for c in family.cmap} | {9, 10, 13}
    assert covered(resources.FONTS) == drawn - {0xFFFF}  # a noncharacter, refused everywhere


@pytest.mark.parametrize("script, text, first", [
    ("CJK", "莫斯科", "U+83AB '莫' (CJK UNIFIED IDEOGRAPH-83AB) and 2 others of this text are"),
    ("emoji", "✈", "U+2708 '✈' (AIRPLANE) is"),
    ("Thai", "มอสโก", "U+0E21 'ม' (THAI CHARACTER MO MA) and 4 others of this text are"),
    ("Devanagari", "मास्को", "U+092E 'म' (DEVANAGARI LETTER MA) and 5 others of this text are"),
])
def test_a_fact_in_a_script_no_font_has_is_located_by_check(cli, desk, script, text, first):
    edit(desk / "facts" / "base.yaml", "Haftar looked to Moscow for arms.",
         f"Haftar looked to Moscow ({text}) for arms.")
    result = cli("check", cwd=desk)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == [
        f"facts/base.yaml:36:16: error: [haftar-moscow-arms] statement: character {first} "
        f"{FONTS_HINT}", "error: fact base has 1 error, 0 warnings"]
    build = cli("build", "--theme", "russian-motives", "--format", "pdf", cwd=desk)
    assert build.returncode == 1 and "is not covered by any bundled font" in build.stderr


def test_text_of_the_desk_s_own_files_is_located_too(cli, desk):
    edit(desk / "templates" / "theme.md.j2", "## {{ words.brief.our_assessment }}",
         "## Our assessment 🛰")
    edit(desk / "templates" / "wording.toml", 'date_day = "{day} {month} {year}"',
         'date_day = "{day} {month} {year} ✓"')
    (desk / "briefgen.toml").write_text('[desk]\nname = "ดีเดสก์"\n', encoding="utf-8")
    edit(desk / "facts" / "base.yaml", "title: NATO returns", "title: NATO 🛰 returns")
    result = cli("check", cwd=desk)
    assert result.stderr.splitlines() == [
        f"briefgen.toml:2:9: error: character U+0E14 'ด' (THAI CHARACTER DO DEK) and 5 others "
        f"of this text are {FONTS_HINT}",
        f"facts/base.yaml:3:12: error: [nato-watch-2013-06] title: character U+1F6F0 '🛰' "
        f"(SATELLITE) is {FONTS_HINT}",
        f"templates/wording.toml:15:34: error: character U+2713 '✓' (CHECK MARK) is {FONTS_HINT}",
        "error: fact base and briefgen.toml and wording.toml have 3 errors, 0 warnings"]


def test_the_template_line_and_a_retracted_fact(cli, desk):
    """A template line is located like any other template error; a retracted fact is never
    printed, so what it holds is no one's problem."""
    edit(desk / "templates" / "theme.md.j2", "## {{ words.brief.our_assessment }}",
         "## Our assessment 🛰")
    edit(desk / "facts" / "base.yaml", "statement: Haftar looked to Moscow for arms.",
         "statement: Haftar looked to Moscow (莫斯科) for arms.\n    retracted: true")
    result = cli("check", cwd=desk)
    assert result.stderr.splitlines()[0] == (
        f"templates/theme.md.j2:{line_of(desk, '🛰')}: error: character U+1F6F0 '🛰' (SATELLITE) is "
        f"{FONTS_HINT}")
    assert len(result.stderr.splitlines()) == 2


def test_a_desk_font_that_has_the_character_makes_it_fine(cli, desk):
    fonts = desk / "templates" / "fonts"
    fonts.mkdir()
    for font in resources.FONTS.glob("NotoSans-*.ttf"):
        shutil.copy(font, fonts)
    edit(desk / "facts" / "base.yaml", "Haftar looked to Moscow for arms.",
         "Haftar looked to Moscow (مسکو) for arms.")
    result = cli("check", cwd=desk)
    assert result.stderr.splitlines()[0] == (
        "facts/base.yaml:36:16: error: [haftar-moscow-arms] statement: character U+0645 'م' "
        "(ARABIC LETTER MEEM) and 3 others of this text are not covered by any bundled font in "
        "templates/fonts/ (hint: remove it, or add a font that has it to templates/fonts/)")
    shutil.copy(resources.FONTS / "NotoNaskhArabic-Regular.ttf", fonts)
    assert cli("check", cwd=desk).returncode == 0


def line_of(desk, text):
    lines = (desk / "templates" / "theme.md.j2").read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_a_fact_the_template_check_does_not_compose_is_held_to_it_too(cli, desk):
    """check composes one fact of each shape; what it holds to the fonts is every fact."""
    same_shape = "\n".join(
        f"  - id: delegation-{n}\n"
        f"    statement: NATO decided to send experts ({'専門家' if n == 3 else n}).\n"
        "    themes: [nato-security-assistance]\n"
        "    date: 2013-06-04\n"
        "    credibility: 2\n"
        "    citations:\n"
        "      - source: nato-watch-2013-06\n"
        "        quote: send an expert-level delegation to Libya" for n in range(1, 4))
    base = desk / "facts" / "base.yaml"
    base.write_text(base.read_text(encoding="utf-8") + same_shape + "\n", encoding="utf-8")
    result = cli("check", cwd=desk)
    assert result.stderr.splitlines() == [
        "facts/base.yaml:62:16: error: [delegation-3] statement: character U+5C02 '専' (CJK "
        f"UNIFIED IDEOGRAPH-5C02) and 2 others of this text are {FONTS_HINT}",
        "error: fact base has 1 error, 0 warnings"]
