"""The weekly a reader finishes in five minutes, and judgments in ICD 203 / PHIA form: read back
from the bundled desk's briefs and from small desks of each yardstick."""

from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pytest
from pypdf import PdfReader

from briefgen import cli
from briefgen.compose.composer import compose
from briefgen.compose.specs import theme_spec, weekly_spec
from conftest import ROOT, tiny_factbase, write

FIRST_DEVELOPMENT = "Pompeo said he reminded Lavrov on 10 December 2019"
# judgments of the bundled base that nothing of 9-15 December 2019 touches
UNTOUCHED = ("Haftar will keep looking to Moscow", "keep backing Haftar while keeping channels",
             "NATO's offer to help build", "Any NATO assistance", "leverage over Europe",
             "Russian private military contractors are fighting")


@pytest.fixture(scope="module")
def bundled():
    from briefgen import pipeline
    from briefgen.desk import Desk

    desk = Desk.find(ROOT / "facts")
    return desk, pipeline.load(desk)


def judgment_lines(brief) -> list[str]:
    return [b.text for b in brief.blocks if b.kind == "judgment"]


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def test_bundled_w50_opens_with_the_weeks_developments_in_both_formats(tmp_path):
    assert cli.main(["weekly", "--facts", str(ROOT / "facts"), "--week", "2019-W50",
                     "--out", str(tmp_path)]) == 0
    pdf = PdfReader(tmp_path / "weekly-2019-W50.pdf")
    pages = [flat(p.extract_text()) for p in pdf.pages]
    assert "Libya weekly brief, 9–15 December 2019 All themes OFFICIAL" in pages[0]
    assert FIRST_DEVELOPMENT in pages[0]
    assert "information cut-off 11 December 2019" in pages[0]
    assert not re.search(r"min read|\d+ facts|\d+ developments|W50", " ".join(pages))
    outline = {o.title: pdf.get_destination_page_number(o) for o in pdf.outline
               if not isinstance(o, list)}
    assert list(outline)[:3] == ["This week", "What it means", "What to watch"]
    assert outline["Sources"] <= 3  # at most 3 pages before the annex
    body = " ".join(pages[:outline["Sources"]])
    assert "Raised from likely to very likely this week." in body
    assert "New this week. We judge it likely (55–80 %) that Washington’s offer" in body
    assert [j for j in UNTOUCHED if j in body] == []
    assert "Our other judgments stand unchanged this week" in body

    word = docx.Document(tmp_path / "weekly-2019-W50.docx")
    texts = [p.text for p in word.paragraphs if p.text.strip()]
    first = next(i for i, t in enumerate(texts) if FIRST_DEVELOPMENT in t)
    assert texts[first - 2] == "This week" and first < texts.index("What it means")
    assert texts[first - 1].startswith("Gradings: the letter rates the source")  # short key
    assert [j for t in texts for j in UNTOUCHED if j in t] == []
    assert "Libya weekly brief, 9–15 December 2019" in texts[:3]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_lays_out_w50s_first_development_on_page_one(tmp_path):
    assert cli.main(["weekly", "--facts", str(ROOT / "facts"), "--week", "2019-W50",
                     "--format", "docx", "--out", str(tmp_path)]) == 0
    result = subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                             "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / "lo"),
                             str(tmp_path / "weekly-2019-W50.docx")],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    pages = [flat(p.extract_text()) for p in PdfReader(tmp_path / "lo/weekly-2019-W50.pdf").pages]
    assert FIRST_DEVELOPMENT in pages[0]
    assert next(i for i, p in enumerate(pages) if "Sources S1" in p) <= 2  # the annex, page 3


def test_a_revision_reads_raised_in_its_week_and_not_in_the_next(bundled):
    _, base = bundled
    w50 = compose(base, ROOT / "templates", weekly_spec(base, "2019-W50"))
    (revised,) = [t for t in judgment_lines(w50) if "raised" in t.lower()]
    assert revised.startswith("Raised from likely to very likely this week. Confidence raised "
                              "from low to moderate.\u00a0Reporting of 11 December added")
    w51 = compose(base, ROOT / "templates", weekly_spec(base, "2019-W51"))
    assert judgment_lines(w51) == []  # nothing of W51 touches a judgment: none is reprinted
    assert not any("aised from" in b.text for b in w51.blocks)
    w49 = compose(base, ROOT / "templates", weekly_spec(base, "2019-W49"))
    assert [t.split(" that ")[0] for t in judgment_lines(w49)] == [  # as judged that week
        "New this week.\u00a0We judge it likely (55–80\u00a0%)"]


def test_likelihood_and_confidence_never_share_a_sentence(bundled):
    _, base = bundled
    specs = [theme_spec(base, t) for t in base.themes] + [weekly_spec(base, "2019-W50")]
    lines = [t for spec in specs for t in judgment_lines(compose(base, ROOT / "templates", spec))]
    assert len(lines) > 8
    for line in lines:
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", line)
        likelihood = [s for s in sentences if re.search(r"\(\d+–\d+\u00a0%\)", s)]
        assert len(likelihood) == 1 and "onfidence" not in likelihood[0], line
        assert any(s.startswith("Confidence: ") for s in sentences), line


def test_a_theme_without_judgments_says_so_and_one_with_them_says_what_to_watch(bundled):
    _, base = bundled
    quiet = compose(base, ROOT / "templates", theme_spec(base, "human-rights-accountability"))
    assert [b.text for b in quiet.blocks[1:3]] == [
        "Our assessment",
        "We have made no assessment on this theme; what follows is what the sources report."]
    backers = compose(base, ROOT / "templates", theme_spec(base, "foreign-backers-arms-embargo"))
    texts = [(b.kind, b.text) for b in backers.blocks]
    at = texts.index(("heading", "What to watch"))
    # the judgment dated to a day (December 2019's embargo call) comes before those known
    # only to the month: its indicators first
    assert texts[at + 1] == ("note", "UN investigators report new deliveries to either side "
                                     "after the Security Council’s December call.")
    key = [t for k, t in texts[:at] if t.startswith("How to read our judgments.")]
    assert key and "very likely 80–95 %" in flat(key[0]) and "low: fragmentary" in key[0]
    assert judgment_lines(backers)[0].endswith("The terms are defined below.")
    assert not judgment_lines(backers)[1].endswith("The terms are defined below.")


YARDSTICK_DESK = """
    judgments:
      - id: stays-out
        statement: The Alliance will keep its forces out of Libya.
        themes: [nato-security-assistance]
        date: 2013-06
        likelihood: {term}
        confidence: moderate
        based_on: [nato-2013-no-troops, nato-2013-delegation]
        rationale: Two NATO statements of June 2013 say so.
        horizon: through 2014
"""


@pytest.mark.parametrize("yardstick, term, printed", [
    ("icd203", "very likely", "We judge it very likely (80–95 %) that the Alliance will keep its "
                              "forces out of Libya."),
    ("phia", "highly likely", "We judge it highly likely (80–90 %) that the Alliance will keep "
                              "its forces out of Libya."),
    ("phia", "realistic possibility", "We judge it a realistic possibility (40–50 %) that the "
                                      "Alliance will keep"),
    ("icd203", "roughly even chance", "We judge there is a roughly even chance (45–55 %) that the "
                                      "Alliance will keep"),
])
def test_each_yardstick_prints_its_own_terms_and_bands(tmp_path, monkeypatch, capsys,
                                                        yardstick, term, printed):
    facts = tiny_factbase(tmp_path, YARDSTICK_DESK.format(term=term))
    write(tmp_path / "briefgen.toml", f'[desk]\nyardstick = "{yardstick}"\n')
    monkeypatch.chdir(tmp_path)
    assert cli.main(["build", "--facts", str(facts), "--format", "pdf",
                     "--theme", "nato-security-assistance"]) == 0, capsys.readouterr().err
    text = flat(" ".join(p.extract_text() for p in
                         PdfReader(tmp_path / "out/theme-nato-security-assistance.pdf").pages))
    assert printed in text
    assert re.search(r"Libya\.[0-9,–]+ Time frame: through 2014\. Confidence: moderate — two "
                     r"NATO statements of June 2013 say so\.", text)  # after its note marker
    name, other = (("ICD 203", "highly likely"), ("PHIA probability yardstick", "very likely"))[
        yardstick == "phia"]
    assert f"how probable we judge it ({name}):" in text
    assert other not in text  # the other yardstick's term for the same band


def test_a_wording_file_without_the_judgment_sentences_is_a_located_error(tmp_path):
    from briefgen.api import check
    from briefgen.errors import BuildError

    facts = tiny_factbase(tmp_path, YARDSTICK_DESK.format(term="likely"))
    wording = (ROOT / "briefgen/resources/templates/wording.toml").read_text(encoding="utf-8")
    write(tmp_path / "t" / "wording.toml",
          wording.replace('sentence = "We judge it {likelihood} ({band}) that {statement}"\n', ""))
    base = check(facts)
    with pytest.raises(BuildError) as error:
        compose(base, tmp_path / "t", theme_spec(base, "nato-security-assistance"))
    assert str(error.value).endswith("wording.toml: error: [judgments] has no 'sentence' "
                                     "(hint: see the bundled wording.toml)")


def test_cutoff_builds_the_brief_as_known_that_day(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["build", "--facts", str(ROOT / "facts"), "--theme",
                     "foreign-backers-arms-embargo", "--format", "pdf", "--out", str(out),
                     "--cutoff", "2019-12-08"]) == 0
    text = flat(" ".join(p.extract_text() for p in
                         PdfReader(out / "theme-foreign-backers-arms-embargo.pdf").pages))
    assert "information cut-off 8 December 2019" in text
    assert ("We judge it likely (55–80 %) that foreign backers of both sides will go on "
            "breaching") in text  # its terms before the reporting of 11 December
    assert "Pompeo said the US had warned" not in text  # a development of 11 December
    with pytest.raises(SystemExit) as stop:
        cli.main(["build", "--facts", str(ROOT / "facts"), "--cutoff", "2019-13-01"])
    assert stop.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "briefgen build: error: argument --cutoff: '2019-13-01' is not a real calendar date")


def test_information_cut_off_is_the_latest_fact_used(bundled):
    _, base = bundled
    assert compose(base, ROOT / "templates",
                   theme_spec(base, "nato-security-assistance")).cover[-1].text.endswith(
        "information cut-off December 2019")  # a fact known to the month
    weekly = compose(base, ROOT / "templates", weekly_spec(base, "2019-W50"))
    assert weekly.cover[-1].text.endswith("information cut-off 11 December 2019")


def test_the_bundled_base_checks_clean_and_strict(tmp_path, capsys):
    assert cli.main(["check", "--facts", str(ROOT / "facts"), "--strict"]) == 0
    assert capsys.readouterr().err.endswith(": 0 errors, 0 warnings\n")

