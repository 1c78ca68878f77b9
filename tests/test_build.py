"""`briefgen build` and `weekly` end to end: files written, read back with real readers."""

import json
import shutil
import zipfile

import pytest
from pypdf import PdfReader

from conftest import ROOT, run_cli, tiny_factbase, write

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


def test_build_writes_every_theme_in_both_formats(project):
    result = run_cli("build", cwd=project)
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


def test_provenance_record_maps_each_line_to_its_quote(project):
    assert run_cli("build", "--theme", "russian-motives", "--format", "pdf",
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


def test_builds_are_byte_identical(project):
    for out in ("a", "b"):
        assert run_cli("build", "--out", out, cwd=project).returncode == 0
        assert run_cli("weekly", "--week", "2013-W23", "--out", out, cwd=project).returncode == 0
    assert files(project / "a") == files(project / "b")
    for name in files(project / "a"):
        assert (project / "a" / name).read_bytes() == (project / "b" / name).read_bytes(), name


def test_source_date_epoch_stamps_the_documents(project):
    env = {"SOURCE_DATE_EPOCH": "1576108800"}
    assert run_cli("build", "--theme", "russian-motives", cwd=project, env=env).returncode == 0
    pdf = PdfReader(project / "out/theme-russian-motives.pdf")
    assert pdf.metadata["/CreationDate"].startswith("D:20191212")
    with zipfile.ZipFile(project / "out/theme-russian-motives.docx") as z:
        assert "2019-12-12T00:00:00Z" in z.read("docProps/core.xml").decode()


def test_a_failed_build_writes_nothing(project):
    (project / "out").mkdir()
    (project / "out" / "theme-russian-motives.pdf").write_bytes(b"previous build")
    write(project / "templates" / "theme.md.j2", """
        {% for theme in themes %}
        {% for fact in theme.facts %}
        - {{ fact.statement }}
        {% endfor %}
        {% endfor %}
        """)
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "templates/theme.md.j2:3: error: this bullet has no citation: “NATO decided to send" \
        in result.stderr
    assert "Traceback" not in result.stderr
    assert files(project / "out") == ["theme-russian-motives.pdf"]
    assert (project / "out" / "theme-russian-motives.pdf").read_bytes() == b"previous build"


def test_a_glyph_no_font_has_fails_the_build_naming_the_fact(project):
    write(project / "facts" / "extra.yaml", TRICKY.replace("Data:", "Data 😀:"))
    result = run_cli("build", "--format", "pdf", cwd=project)
    assert result.returncode == 1
    assert "[tricky]" in result.stderr and "U+1F600" in result.stderr
    assert files(project / "out") == []


def test_fact_base_errors_stop_the_build(project):
    write(project / "facts" / "extra.yaml", TRICKY.replace("russian-motives", "russian-motive"))
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "facts/extra.yaml:4:14: error: [tricky] themes[0]: unknown theme 'russian-motive' "
        "(hint: did you mean 'russian-motives'?)",
        "error: fact base has 1 error, 0 warnings"]
    assert files(project / "out") == []


def test_unknown_theme_is_a_usage_error(project):
    result = run_cli("build", "--theme", "nope", cwd=project)
    assert result.returncode == 2
    assert result.stderr == ("error: unknown theme 'nope' (themes: nato-security-assistance, "
                             "russian-motives)\n")


def test_weekly_brief_of_a_quiet_week_says_so(project):
    result = run_cli("weekly", "--week", "2020-W01", "--format", "pdf", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "out/weekly-2020-W01.pdf\n"
    text = PdfReader(project / "out/weekly-2020-W01.pdf").pages[0].extract_text()
    assert text.count("Nothing new this week.") == 2


def test_weekly_needs_a_real_week(project):
    result = run_cli("weekly", "--week", "2019-W53", cwd=project)
    assert result.returncode == 2
    assert result.stderr == "error: 2019-W53 does not exist: 2019 has no ISO week 53\n"


def test_bundled_weekly_brief_of_2019_w50_has_developments(tmp_path):
    result = run_cli("weekly", "--week", "2019-W50", "--format", "pdf", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    pdf = PdfReader(tmp_path / "weekly-2019-W50.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Key points" in text and "Pompeo" in text
    assert [o.title for o in pdf.outline if not isinstance(o, list)][:2] == \
        ["Key points", "Russian motives"]


def test_the_library_loads_pydantic_only_when_the_fact_base_is_read():
    """build and weekly fork their writer workers first: the workers must not pay for pydantic."""
    import subprocess
    import sys

    code = ("import sys, briefgen.api, briefgen.output; "
            "print(sorted(m for m in ('pydantic', 'briefgen.factbase.models', 'jinja2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"
