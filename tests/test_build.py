"""`briefgen build` and `weekly` end to end: files written, read back with real readers."""

import json
import shutil
import zipfile

import pytest
from pypdf import PdfReader

from conftest import ROOT, run_process, tiny_factbase, write

TRICKY = """
    facts:
      - id: tricky
        statement: "Data: <b>bold?</b> & {{ 7*7 }} – Ħaftar’s “view”"
        themes: [russian-motives]
        date: 2013-06-04
        citations:
          - source: nato-watch-2013-06
            quote: to identify areas where it can provide security assistance
    """


@pytest.fixture
def project(tmp_path):
    tiny_factbase(tmp_path, TRICKY)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_build_writes_every_theme_in_both_formats(cli, project):
    result = cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "out/theme-nato-security-assistance.docx", "out/theme-nato-security-assistance.pdf",
        "out/theme-russian-motives.docx", "out/theme-russian-motives.pdf"]
    assert "Traceback" not in result.stderr
    pdf = PdfReader(project / "out/theme-russian-motives.pdf")
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Data: <b>bold?</b> & {{ 7*7 }} – Ħaftar’s “view”" in " ".join(text.split())
    with zipfile.ZipFile(project / "out/theme-russian-motives.docx") as z:
        document = z.read("word/document.xml").decode()
    assert "Data: &lt;b&gt;bold?&lt;/b&gt; &amp; {{ 7*7 }} – Ħaftar’s “view”" in document


def test_provenance_record_maps_each_line_to_its_quote(cli, project):
    assert cli("build", "--theme", "russian-motives", "--format", "pdf",
               cwd=project).returncode == 0
    record = json.loads((project / "out/theme-russian-motives.sources.json").read_text())
    assert record["brief"] == "theme-russian-motives"
    lines = {tuple(line["facts"]): line for line in record["lines"]}
    (citation,) = lines[("haftar-moscow-arms",)]["citations"]
    (selector,) = citation["selectors"]
    source_text = (project / "facts/sources/nato.txt").read_text()
    assert source_text[selector["start"]:selector["end"]] == selector["exact"] == \
        "“growing influence” in Libya worried the Alliance — and Haftar looked to Moscow"
    assert selector["prefix"].endswith("Russia’s ")
    import hashlib
    assert citation["sha256"] == hashlib.sha256(source_text.encode()).hexdigest()


def test_builds_are_byte_identical(cli, project):
    # "b" in a process of its own: another hash seed, and no cache warmed by the build of "a"
    for run, out in ((cli, "a"), (run_process, "b")):
        assert run("build", "--out", out, cwd=project).returncode == 0
        assert run("weekly", "--week", "2013-W23", "--out", out, cwd=project).returncode == 0
    assert files(project / "a") == files(project / "b")
    for name in files(project / "a"):
        assert (project / "a" / name).read_bytes() == (project / "b" / name).read_bytes(), name


def test_source_date_epoch_stamps_the_documents(cli, project):
    env = {"SOURCE_DATE_EPOCH": "1576108800"}
    assert cli("build", "--theme", "russian-motives", cwd=project, env=env).returncode == 0
    pdf = PdfReader(project / "out/theme-russian-motives.pdf")
    assert pdf.metadata["/CreationDate"].startswith("D:20191212")
    with zipfile.ZipFile(project / "out/theme-russian-motives.docx") as z:
        assert "2019-12-12T00:00:00Z" in z.read("docProps/core.xml").decode()


def test_a_failed_build_writes_nothing(cli, project):
    (project / "out").mkdir()
    (project / "out" / "theme-russian-motives.pdf").write_bytes(b"previous build")
    write(project / "templates" / "theme.md.j2", """
        {% for theme in themes %}
        {% for fact in theme.facts %}
        - {{ fact.statement }}
        {% endfor %}
        {% endfor %}
        """)
    result = cli("build", cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "templates/theme.md.j2:3: error: this bullet has no citation: “NATO decided to send" \
        in result.stderr
    assert "Traceback" not in result.stderr
    assert files(project / "out") == ["theme-russian-motives.pdf"]
    assert (project / "out" / "theme-russian-motives.pdf").read_bytes() == b"previous build"


def test_a_glyph_no_font_has_fails_the_build_naming_the_fact(cli, project):
    write(project / "facts" / "extra.yaml", TRICKY.replace("Data:", "Data 😀:"))
    result = cli("build", "--format", "pdf", cwd=project)
    assert result.returncode == 1
    assert "[tricky]" in result.stderr and "U+1F600" in result.stderr
    assert files(project / "out") == []


def test_fact_base_errors_stop_the_build(cli, project):
    write(project / "facts" / "extra.yaml", TRICKY.replace("russian-motives", "russian-motive"))
    result = cli("build", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "facts/extra.yaml:4:14: error: [tricky] themes[0]: unknown theme 'russian-motive' "
        "(hint: did you mean 'russian-motives'?)",
        "error: fact base has 1 error, 0 warnings"]
    assert files(project / "out") == []


def test_unknown_theme_is_a_usage_error(cli, project):
    result = cli("build", "--theme", "nope", cwd=project)
    assert result.returncode == 2
    assert result.stderr == ("error: unknown theme 'nope' (themes: nato-security-assistance, "
                             "russian-motives)\n")


def test_weekly_brief_of_a_quiet_week_says_so(cli, project):
    result = cli("weekly", "--week", "2020-W01", "--format", "pdf", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "out/weekly-2020-W01.pdf\n"
    text = PdfReader(project / "out/weekly-2020-W01.pdf").pages[0].extract_text()
    assert text.count("Nothing new this week: NATO security assistance, Russian motives.") == 1


def test_weekly_needs_a_real_week(cli, project):
    result = cli("weekly", "--week", "2019-W53", cwd=project)
    assert result.returncode == 2
    assert result.stderr == "error: 2019-W53 does not exist: 2019 has no ISO week 53\n"


def test_the_library_loads_pydantic_only_when_the_fact_base_is_read():
    """build and weekly fork their writer workers first: the workers must not pay for pydantic;
    every command starts with these modules, so none of them pulls in zipfile either."""
    import subprocess
    import sys

    # a fresh interpreter: only there does sys.modules show what importing the commands loads
    code = ("import sys, briefgen.cli, briefgen.api, briefgen.render; "
            "print(sorted(m for m in ('pydantic', 'briefgen.factbase.models', 'jinja2', "
            "'zipfile', 'importlib.resources') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"


def test_the_date_of_issue_is_the_day_of_the_build_without_source_date_epoch(cli, project):
    from datetime import datetime, timezone

    result = cli("weekly", "--week", "2013-W23", "--format", "pdf", cwd=project,
                 env={"SOURCE_DATE_EPOCH": None})
    assert result.returncode == 0, result.stderr
    today = datetime.now(timezone.utc).date().isoformat()
    record = json.loads((project / "out/weekly-2013-W23.sources.json").read_text())
    assert record["created"] == f"{today}T00:00:00+00:00"


def test_annotated_edition_prints_fact_ids_the_readers_edition_does_not(cli, project):
    """The review copy has its own file names and says so on every page; it adds fact ids."""
    import docx

    (project / "briefgen.toml").write_text('[desk]\nclassification = "OFFICIAL"\n')
    result = cli("build", "--theme", "russian-motives", "--annotated", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["out/theme-russian-motives.annotated.docx",
                                          "out/theme-russian-motives.annotated.pdf"]
    assert cli("build", "--theme", "russian-motives", cwd=project).returncode == 0
    assert sorted(p.name for p in (project / "out").iterdir() if not p.name.startswith(".")) == [
        "theme-russian-motives.annotated.docx", "theme-russian-motives.annotated.pdf",
        "theme-russian-motives.annotated.sources.json", "theme-russian-motives.docx",
        "theme-russian-motives.pdf", "theme-russian-motives.sources.json"]

    def texts(stem):
        pages = [p.extract_text() for p in PdfReader(project / "out" / f"{stem}.pdf").pages]
        document = docx.Document(project / "out" / f"{stem}.docx")
        word = "\n".join(p.text for p in document.paragraphs)
        header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
        squash = [" ".join(t.replace("\u00a0", " ").split()) for t in (" ".join(pages), word)]
        return squash, pages, header

    # the line's grading label ends with the fact id in the desk's edition only
    label = "C3 · assessment · haftar-moscow-arms"
    (pdf, word), pages, header = texts("theme-russian-motives.annotated")
    assert label in pdf and label in word
    notice = "OFFICIAL · REVIEW COPY — NOT FOR DISTRIBUTION"
    assert all(page.count(notice) == 2 for page in pages)  # top and bottom of every page
    assert notice in header
    (pdf, word), pages, header = texts("theme-russian-motives")
    assert label not in pdf and label not in word
    assert "REVIEW COPY" not in " ".join(pages) + header


def test_bad_wording_file_is_located(cli, project):
    from briefgen import resources

    packaged = (resources.TEMPLATES / "wording.toml").read_text()
    path = project / "templates" / "wording.toml"
    path.write_text(packaged.replace('months_short = [', 'months_shrt = [', 1))
    line = packaged[:packaged.index("months_short = [")].count("\n") + 1
    result = cli("build", "--theme", "russian-motives", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"templates/wording.toml:{line}:1: error: [en] months_shrt is not a key of "
        "wording.toml (hint: did you mean 'months_short'?)",
        "error: wording.toml has 1 error, 0 warnings"]
    assert files(project / "out") == []


TWO_THEMES = """
    facts:
      - id: envoy-both-themes
        statement: A Russian envoy met NATO officials about Libya.
        themes: [nato-security-assistance, russian-motives]
        date: 2013-06-05
        credibility: 3
        key: true
        citations:
          - source: nato-watch-2013-06
            quote: Haftar looked to Moscow for arms
      - id: expert-team-both-themes
        statement: The expert team also met Russian diplomats.
        themes: [russian-motives, nato-security-assistance]
        date: 2013-06-06
        credibility: 3
        citations:
          - source: nato-watch-2013-06
            quote: identify areas where it can provide security assistance
    """


def test_the_weekly_prints_each_development_once_in_both_formats(cli, tmp_path):
    import docx

    tiny_factbase(tmp_path, TWO_THEMES)
    result = cli("weekly", "--week", "2013-W23", "--templates", str(ROOT / "templates"),
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = " ".join(" ".join(p.extract_text().split()) for p in
                   PdfReader(tmp_path / "out/weekly-2013-W23.pdf").pages)
    word = " ".join(p.text for p in docx.Document(tmp_path / "out/weekly-2013-W23.docx").paragraphs)
    for statement in ("A Russian envoy met NATO officials about Libya.",
                      "The expert team also met Russian diplomats.",
                      "NATO decided to send experts to Libya to identify where it can help."):
        assert (pdf.count(statement), word.count(statement)) == (1, 1), statement
    # the marked key point is this week's only key development; the other themes point to
    # where their lines are
    for text in (pdf, word):
        assert text.index("This week") < text.index("A Russian envoy") < text.index(
            "NATO security assistance")
        assert "See also: 1 development under Russian motives." in text


def test_a_file_of_another_format_left_from_an_earlier_build_is_said(cli, project):
    """A Word file of Monday beside Tuesday's PDF would be taken for the same edition."""
    assert cli("weekly", "--week", "2019-W50", "--format", "docx", cwd=project).returncode == 0
    result = cli("weekly", "--week", "2019-W50", "--format", "pdf,html", cwd=project)
    assert result.returncode == 0
    assert result.stdout == "out/weekly-2019-W50.html\nout/weekly-2019-W50.pdf\n"
    assert result.stderr.splitlines()[-1] == (
        "warning: out/weekly-2019-W50.docx is from an earlier build, not this one (hint: delete "
        "it, or add docx to --format)")
    assert cli("weekly", "--week", "2019-W50", "--format", "pdf,html,docx",
               cwd=project).stderr.count("earlier build") == 0
