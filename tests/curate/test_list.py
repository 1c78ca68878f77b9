"""`briefgen list`, weeks given as dates, `--theme a,b`, and `weekly --from --to`."""

import json
import shutil

import pytest
from pypdf import PdfReader

from briefgen import resources
from conftest import tiny_factbase


@pytest.fixture
def root(tmp_path):
    tiny_factbase(tmp_path)
    shutil.copytree(resources.TEMPLATES, tmp_path / "templates")  # a desk with its own copies
    return tmp_path


def test_list_facts_json_parsed_back(cli, root):
    result = cli("list", "facts", "--json", cwd=root)
    assert (result.returncode, result.stderr) == (0, "")
    rows = json.loads(result.stdout)
    assert [(r["id"], r["date"], r["grading"], r["themes"]) for r in rows] == [
        ("nato-2013-no-troops", "2013-06-04", "C2", ["nato-security-assistance"]),
        ("nato-2013-delegation", "2013-06-04", "C2", ["nato-security-assistance"]),
        ("haftar-moscow-arms", "2013-06", "C3", ["russian-motives"])]
    assert rows[0]["statement"] == ("NATO ruled out deploying troops; any training would take "
                                    "place outside Libya.")
    assert rows[0]["sources"] == ["nato-watch-2013-06"]


def test_list_themes_and_sources_as_json(cli, root):
    themes = json.loads(cli("list", "themes", "--json", cwd=root).stdout)
    assert [(t["id"], t["facts"], t["first"], t["last"]) for t in themes] == [
        ("nato-security-assistance", 2, "2013-06-04", "2013-06-04"),
        ("russian-motives", 1, "2013-06", "2013-06")]
    sources = json.loads(cli("list", "sources", "--json", "--theme", "russian-motives",
                             cwd=root).stdout)
    assert [(s["id"], s["facts"], s["reliability"], s["published"]) for s in sources] == [
        ("nato-watch-2013-06", 1, "C", "2013-06")]


def test_list_facts_of_a_week_given_as_a_date_as_a_table(cli, root):
    result = cli("list", "facts", "--week", "2013-06-05", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0].split() == ["id", "date", "grade", "kind", "themes", "statement"]
    assert lines[1].startswith("nato-2013-no-troops   2013-06-04  C2     statement")
    assert lines[-1] == "2 facts"
    assert "haftar-moscow-arms" not in result.stdout  # dated to the month only


def test_list_theme_given_as_a_comma_list(cli, root):
    rows = json.loads(cli("list", "facts", "--json", "--theme",
                          "russian-motives,nato-security-assistance", cwd=root).stdout)
    assert len(rows) == 3
    bad = cli("list", "facts", "--theme", "russian-motive", cwd=root)
    assert (bad.returncode, bad.stderr) == (
        2, "error: unknown theme 'russian-motive' (themes: nato-security-assistance, "
           "russian-motives)\n")


def test_build_theme_comma_list(cli, root):
    result = cli("build", "--format", "pdf", "--theme",
                 "russian-motives,nato-security-assistance", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["out/theme-russian-motives.pdf",
                                          "out/theme-nato-security-assistance.pdf"]


def test_weekly_week_given_as_a_date(cli, root):
    result = cli("weekly", "--week", "2013-06-09", "--format", "pdf", cwd=root)
    assert (result.returncode, result.stdout) == (0, "out/weekly-2013-W23.pdf\n")


@pytest.mark.parametrize("week, message", [
    ("٢٠١٩-W٥٠", "is not an ISO week like 2019-W50"),
    ("２０１９-W50", "is not an ISO week like 2019-W50"),
    ("2019-12-١١", "is not an ISO week like 2019-W50"),
    ("2019-13-01", "is not a real calendar date"),
    ("2019-02-30", "is not a real calendar date"),
    ("2019-12-1", "is not an ISO week like 2019-W50"),
    ("2019-W5", "is not an ISO week like 2019-W50 (write 2019-W05: the week has two digits)")])
def test_week_digits_are_ascii_and_dates_real(cli, root, week, message):
    result = cli("weekly", "--week", week, cwd=root)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"briefgen weekly: error: argument --week: '{week}' {message}")
    assert not (root / "out").exists()


def test_weekly_from_to_builds_a_period(cli, root):
    result = cli("weekly", "--from", "2013-06-01", "--to", "2013-06-30", "--format", "pdf",
                 cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "out/period-2013-06-01--2013-06-30.pdf\n"
    text = " ".join(p.extract_text() for p in PdfReader(root / result.stdout.strip()).pages)
    # a period's brief is titled by its dates, as a reader reads them
    assert " ".join(text.split()).startswith("Brief, 1–30 June 2013 All themes Issued ")


@pytest.mark.parametrize("args, message", [
    (["--from", "2013-06-01"], "error: give --from and --to together, and not with --week"),
    (["--from", "2013-06-01", "--to", "2013-06-30", "--week", "2013-W23"],
     "error: give --from and --to together, and not with --week"),
    (["--from", "2013-06-30", "--to", "2013-06-01"],
     "error: --from 2013-06-30 is after --to 2013-06-01"),
])
def test_weekly_period_usage_errors(cli, root, args, message):
    result = cli("weekly", *args, cwd=root)
    assert (result.returncode, result.stderr) == (2, message + "\n")
