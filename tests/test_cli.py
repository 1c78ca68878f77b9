"""The command line: entry points, help, usage errors (exit 2), clear failures (exit 1), schema."""

from __future__ import annotations

import inspect
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import briefgen
from briefgen import cli as cli_module
from briefgen.factbase.yamlpos import load
from conftest import DOCS_EXAMPLE, ROOT, run_process, write

COMMANDS = ("check", "build", "weekly", "send", "schema", "init")

VALID_FACTS = {
    "facts/sources/nato.txt": "NATO said there will be no troop deployment in Libya.\n",
    "facts/base.yaml": """\
        sources:
          - id: nato-watch-2013-06
            title: NATO returns to Libya
            publisher: NATO Watch
            published: 2013-06
            file: sources/nato.txt
        themes:
          - id: nato-security-assistance
            title: NATO security assistance
        facts:
          - id: nato-2013-no-troops
            statement: NATO ruled out deploying troops.
            themes: [nato-security-assistance]
            date: 2013-06-04
            citations:
              - source: nato-watch-2013-06
                quote: there will be no troop deployment
        """,
}


def valid_base(root: Path) -> Path:
    for rel, text in VALID_FACTS.items():
        write(root / rel, text)
    return root


def squash(text: str) -> str:
    return " ".join(text.split())


# --- entry points, version, help ------------------------------------------------------------


def test_main_leaves_the_callers_garbage_collector_alone(cli):
    import gc

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    code, _, _ = cli("schema")
    assert code == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_python_dash_m_briefgen_version():
    proc = run_process("--version")  # a real process: the `python -m briefgen` entry point
    assert proc.returncode == 0
    assert proc.stdout == f"briefgen {briefgen.__version__}\n"
    assert proc.stderr == ""


def test_console_script_is_installed():
    script = shutil.which("briefgen", path=str(Path(sys.executable).parent)) or shutil.which("briefgen")
    if script is None:
        pytest.skip("the briefgen console script is not on PATH (package not installed)")
    proc = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout == f"briefgen {briefgen.__version__}\n"


def test_help_lists_every_command(cli):
    proc = cli("--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: briefgen ")
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s+\S", proc.stdout, re.M), proc.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command_shows_its_docstring(cli, command):
    code, out, err = cli(command, "--help")
    assert code == 0
    doc = inspect.getdoc(getattr(cli_module, command))
    assert doc, f"cli.{command} has no docstring"
    assert squash(doc) in squash(out)
    assert out.startswith(f"usage: briefgen {command}")
    assert err == ""


@pytest.mark.parametrize("command", ["build", "weekly", "send"])
def test_help_of_output_commands_documents_format_and_out(cli, command):
    _, out, _ = cli(command, "--help")
    assert "--format" in out and "--out" in out and "--facts" in out


# --- usage errors: exit 2, a message on stderr, nothing on stdout ---------------------------


def test_unknown_command(cli):
    proc = cli("frobnicate")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert "invalid choice: 'frobnicate'" in proc.stderr
    assert "check" in proc.stderr.splitlines()[-1]  # the choices are listed
    assert "Traceback" not in proc.stderr


def test_no_command(cli):
    code, out, err = cli()
    assert code == 2
    assert out == ""
    assert err.splitlines()[0] == "usage: briefgen [-h] [--version] COMMAND ..."
    commands = [line.split()[0] for line in err.splitlines() if line[:4] == "    " and line[4] != " "]
    assert commands[:3] == ["check", "build", "weekly"]  # the commands, as --help lists them


@pytest.mark.parametrize("value, shown", [("odt", "odt"), ("docx,odt", "odt"), ("PDF,HTML,rtf", "rtf")])
def test_bad_format(cli, value, shown):
    code, out, err = cli("build", "--format", value)
    assert code == 2
    assert out == ""
    assert err.splitlines()[-1] == (f"briefgen build: error: argument --format: unknown format "
                                    f"'{shown}' (choose from docx, pdf, html)")


def test_empty_format(cli):
    code, _, err = cli("weekly", "--format", "")
    assert code == 2
    assert "argument --format: unknown format" in err


@pytest.mark.parametrize("command", ["weekly", "send"])
@pytest.mark.parametrize("week", ["2019-50", "W50", "next week", "2019W5"])
def test_bad_week(cli, command, week):
    code, out, err = cli(command, "--week", week)
    assert code == 2
    assert out == ""
    more = " (write 2019-W05: the week has two digits)" if week == "2019W5" else ""
    assert err.splitlines()[-1] == (f"briefgen {command}: error: argument --week: '{week}' is not "
                                    f"an ISO week like 2019-W50{more}")


@pytest.mark.parametrize("argv", [["build", "--nosuch"], ["source", "add", "a.html", "--nosuch"]])
def test_a_stray_argument_is_shown_under_its_command(cli, argv):
    code, out, err = cli(*argv)
    command = " ".join(argv[:-2] if argv[0] == "source" else argv[:1])
    assert (code, out) == (2, "")
    assert err.startswith(f"usage: briefgen {command} [-h]")
    assert err.splitlines()[-1] == f"briefgen {command}: error: unrecognized arguments: --nosuch"


def test_send_needs_a_week(cli):
    code, _, err = cli("send")
    assert code == 2
    assert "--week" in err.splitlines()[-1]


@pytest.mark.parametrize("week", ["2019-W54", "2019-W60", "2019-W00"])
def test_week_number_that_no_year_has(cli, week):
    code, _, err = cli("weekly", "--week", week)
    assert code == 2
    assert err.splitlines()[-1] == (f"briefgen weekly: error: argument --week: '{week}' does not "
                                    "exist: ISO weeks run from W01 to W52 or W53")


def test_week_that_does_not_exist_in_that_year(cli, tmp_path):
    valid_base(tmp_path)
    proc = cli("weekly", "--week", "2019-W53", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == ["error: 2019-W53 does not exist: 2019 has no ISO week 53"]
    assert not (tmp_path / "out").exists()


def test_build_with_an_unknown_theme(cli, tmp_path):
    valid_base(tmp_path)
    proc = cli("build", "--theme", "russian-motives", "--out", str(tmp_path / "out"),
                   cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == ["error: unknown theme 'russian-motives' "
                                        "(themes: nato-security-assistance)"]
    assert not (tmp_path / "out").exists()


# --- a missing fact base: one clear line, exit 1 ----------------------------------------------


@pytest.mark.parametrize("command", ["check", "build", "weekly"])
def test_facts_folder_that_does_not_exist(cli, tmp_path, command):
    proc = cli(command, "--facts", "nowhere", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == ["error: fact base folder 'nowhere' not found (hint: run in "
                                        "a desk folder, pass --facts DIR, or make a desk with "
                                        "briefgen init)"]


def test_default_facts_folder_missing(cli, tmp_path):
    proc = cli("check", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["error: fact base folder 'facts' not found (hint: run in "
                                        "a desk folder, pass --facts DIR, or make a desk with "
                                        "briefgen init)"]


def test_facts_pointing_to_a_file(cli, tmp_path):
    write(tmp_path / "facts.yaml", "facts: []\n")
    proc = cli("check", "--facts", "facts.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "'facts.yaml'" in lines[0]


def test_check_with_facts_option_elsewhere(cli, tmp_path):
    valid_base(tmp_path / "project")
    proc = cli("check", "--facts", str(tmp_path / "project" / "facts"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line == "checked 1 fact, 1 source, 1 theme: 0 errors, 0 warnings"


# --- schema ------------------------------------------------------------------------------------


@pytest.fixture
def schema_text(cli) -> str:
    proc = cli("schema")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


@pytest.fixture
def schema(schema_text) -> dict:
    return json.loads(schema_text)


def yaml_data(tmp_path: Path, text: str):
    """Fact-file YAML as editors see it: dates stay text, as in briefgen's own loader."""
    path = write(tmp_path / "f.yaml", text)
    doc = load(path)
    assert doc.problems == []
    return doc.data


def is_valid(instance, schema: dict) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(instance)


def test_schema_is_json_schema_2020_12(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {"sources", "themes", "facts", "judgments"}
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_accepts_the_documented_example(tmp_path, schema):
    assert is_valid(yaml_data(tmp_path, DOCS_EXAMPLE), schema)


def test_schema_accepts_every_fact_file_of_the_repository(schema):
    files = sorted((ROOT / "facts").rglob("*.yaml"))
    assert files
    for path in files:
        doc = load(path)
        assert doc.problems == [], path
        assert is_valid(doc.data, schema), f"{path} does not validate against the schema"


@pytest.mark.parametrize("change", [
    lambda d: d.update(notes=[]),  # unknown top-level key
    lambda d: d["facts"][0].update(statment="x"),  # unknown key in a fact
    lambda d: d["facts"][0]["citations"][0].update(page=3),  # ... in a citation
    lambda d: d["sources"][0].update(reliabilty="C"),  # ... in a source
    lambda d: d["themes"][0].update(sumary="x"),  # ... in a theme
    lambda d: d["facts"][0].update(id="Bad_Id"),
    lambda d: d["facts"][0].update(themes=[]),
    lambda d: d["facts"][0].update(citations=[]),
    lambda d: d["facts"][0].update(credibility=7),
    lambda d: d["facts"][0].update(kind="rumour"),
    lambda d: d["facts"][0].update(date="4 June 2013"),
    lambda d: d["facts"][0].update(statement=["a list"]),
    lambda d: d["facts"][0].pop("statement"),
    lambda d: d["sources"][0].update(reliability="G"),
    lambda d: d["sources"][0].update(url="ftp://example.org/a"),
    lambda d: d["sources"][0].pop("file"),
], ids=["top-level", "fact-key", "citation-key", "source-key", "theme-key", "slug", "no-themes",
        "no-citations", "credibility", "kind", "date", "list-statement", "no-statement",
        "reliability", "ftp-url", "no-file"])
def test_schema_rejects_what_check_rejects(tmp_path, schema, change):
    data = yaml_data(tmp_path, DOCS_EXAMPLE)
    change(data)
    assert not is_valid(data, schema)


def test_schema_rejects_an_empty_file(schema):
    assert not is_valid({}, schema)


def test_schema_has_a_human_title(schema):
    assert schema["title"] == "briefgen fact file"


def test_committed_schema_matches_the_command(schema_text):
    committed = ROOT / "facts" / "schema.json"
    assert committed.read_text(encoding="utf-8") == schema_text, (
        "facts/schema.json is stale: regenerate it with `briefgen schema > facts/schema.json`")


def test_schema_writes_only_to_stdout(schema_text):
    assert schema_text.endswith("}\n")
