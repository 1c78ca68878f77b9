"""`briefgen init`: a new desk that checks and builds right away; nothing overwritten unasked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from pypdf import PdfReader

from conftest import ROOT, run_process

DESK_FILES = [
    "desk/.gitignore", "desk/.pre-commit-config.yaml", "desk/briefgen.toml",
    "desk/facts/schema.json", "desk/facts/sources/water-board-2024-03.txt",
    "desk/facts/sources.yaml", "desk/facts/themes.yaml",
    "desk/facts/water-supply.yaml", "desk/readers.yaml"]


def pdf_text(path) -> str:
    return " ".join("".join(p.extract_text() for p in PdfReader(path).pages).split())


def test_init_refuses_to_overwrite_and_writes_nothing(cli, tmp_path):
    assert cli("init", cwd=tmp_path).returncode == 0
    (tmp_path / "readers.yaml").write_text("mine\n")
    (tmp_path / "facts" / "themes.yaml").unlink()
    assert cli("init") == (1, "", "error: .gitignore already exists (and 7 more of the new "
                           "desk's files); nothing was written (hint: pass --force to overwrite "
                           "them)\n")
    assert (tmp_path / "readers.yaml").read_text() == "mine\n"
    assert not (tmp_path / "facts" / "themes.yaml").exists()
    code, out, err = cli("init", "--force")
    assert (code, len(out.splitlines())) == (0, 9)
    assert err == "new desk ready; next: briefgen check && briefgen build\n"
    assert (tmp_path / "readers.yaml").read_text().startswith("# Who gets the weekly brief")


def test_init_into_a_file_and_a_bad_region_are_refused(cli, tmp_path):
    (tmp_path / "desk").write_text("")
    assert cli("init", "desk", cwd=tmp_path) == (1, "", "error: desk exists and is not a "
                                                        "folder\n")
    assert cli("init", "new", "--region", "Tripoli: west") == (
        2, "", "error: --region 'Tripoli: west' must be a place name of letters, digits, "
               "spaces, hyphens, dots or apostrophes, starting with a letter (at most 60)\n")
    assert not (tmp_path / "new").exists()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> str:
    """The wheel users install, built from this checkout as CI builds it."""
    out = tmp_path_factory.mktemp("wheel")
    # from a copy of the checkout: test workers running side by side must not share its build/
    src = out / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "out", "bench", "__pycache__", ".pytest_cache",
        ".hypothesis"))
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(out), str(src)], check=True, capture_output=True, timeout=300)
    (path,) = out.glob("briefgen-*.whl")
    return str(path)


def test_the_wheel_carries_the_packaged_defaults(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    expected = {"briefgen/resources/templates/theme.md.j2",
                "briefgen/resources/templates/weekly.md.j2",
                "briefgen/resources/fonts/OFL.txt", "briefgen/resources/fonts/NotoSans-Regular.ttf",
                "briefgen/resources/init/dot-gitignore", "briefgen/resources/init/facts/themes.yaml",
                "briefgen/resources/init/facts/sources/water-board-2024-03.txt",
                "briefgen/docs/index.md", "briefgen/docs/facts.md"}
    assert expected <= names, sorted(expected - names)
    assert {f"briefgen/docs/{p.name}" for p in (ROOT / "docs").glob("*.md")} <= names


def test_pyproject_lists_every_folder_of_the_package():
    """The wheel's packages are listed by hand (docs/ goes in as briefgen.docs): a new folder
    under briefgen/ must be added there, or the wheel would lack it."""
    from briefgen.factbase.settings import toml_module

    listed = set(toml_module().loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    folders = {".".join(d.relative_to(ROOT).parts) for d in (ROOT / "briefgen").rglob("*")
               if d.is_dir() and d.name != "__pycache__"} | {"briefgen"}
    assert folders | {"briefgen.docs"} == listed


def test_the_declared_pythons_run_from_requires_python_on():
    """.ci/run tests on the first and the last "Python :: 3.N" classifier: the first must be
    the oldest Python that requires-python lets install briefgen, and none may be skipped."""
    from briefgen.factbase.settings import toml_module

    project = toml_module().loads((ROOT / "pyproject.toml").read_text())["project"]
    minors = [int(c.rsplit(".", 1)[1]) for c in project["classifiers"]
              if c.startswith("Programming Language :: Python :: 3.")]
    assert project["requires-python"] == f">=3.{minors[0]}"
    assert minors == list(range(minors[0], minors[0] + len(minors)))
    assert sys.version_info[:2] in [(3, m) for m in minors]  # the Python running these tests


def test_the_installed_wheel_inits_a_desk_that_checks_builds_and_sends(wheel, tmp_path):
    # the wheel's files, not the checkout's, first on the path: a pure-Python wheel installs
    # by unpacking (its dependencies are this environment's); tmp_path is outside the checkout
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as z:
        z.extractall(site)
    env = {"PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import briefgen; print(briefgen.__file__)"],
                           env={**os.environ, **env}, cwd=tmp_path, capture_output=True, text=True)
    assert where.stdout.startswith(str(site)), where

    # processes of their own: the wheel's files first on their path
    result = run_process("init", "desk", "--region", "Cyrenaica", cwd=tmp_path, env=env)
    assert (result.returncode, result.stderr) == (
        0, "new desk ready; next: cd desk && briefgen check && briefgen build\n")
    assert result.stdout.splitlines() == DESK_FILES
    desk = tmp_path / "desk"
    check = run_process("check", "--strict", cwd=desk, env=env)
    assert (check.returncode, check.stderr) == (
        0, "checked 2 facts, 1 source, 1 theme, 1 reader: 0 errors, 0 warnings\n")
    build = run_process("build", cwd=desk, env=env)
    assert build.returncode == 0, build.stderr
    assert build.stdout.splitlines() == ["out/theme-water-supply.docx",
                                         "out/theme-water-supply.pdf"]
    assert "Reservoirs across Cyrenaica held 41 per cent" in \
        pdf_text(desk / "out/theme-water-supply.pdf")
    send = run_process("send", "--week", "2024-W11", "--dry-run", cwd=desk, env=env)
    assert send.returncode == 0, send.stderr
    assert send.stdout.splitlines() == ["out/outbox/2024-W11/reader@example.org.eml"]
    assert [line for line in (desk / ".gitignore").read_text().splitlines()
            if not line.startswith("#")] == ["out/*", "!out/ledger.sqlite", "!out/archive/"]
    assert 'region = "Cyrenaica"' in (desk / "briefgen.toml").read_text()
    docs = run_process("docs", "facts", cwd=desk, env=env)
    assert (docs.returncode, docs.stdout) == (0, (ROOT / "docs/facts.md").read_text())


def test_a_desk_elsewhere_brings_its_templates_and_readers(cli, tmp_path):
    """With --facts pointing into a desk, its templates/ and readers.yaml come along."""
    assert cli("init", "desk", cwd=tmp_path).returncode == 0
    (tmp_path / "desk/templates").mkdir()
    (tmp_path / "desk/templates/theme.md.j2").write_text(
        "{% for t in themes %}{% for f in t.facts %}\n- Desk own: {{ f.id }} {{ cite(f) }}\n"
        "{% endfor %}{% endfor %}\n")
    assert cli("build", "--facts", "desk/facts", "--format", "pdf").returncode == 0
    assert "Desk own: reservoirs-at-41-percent" in pdf_text(
        tmp_path / "desk/out/theme-water-supply.pdf")  # the desk's out/, where its ledger is
    send = cli("send", "--facts", "desk/facts", "--week", "2024-W11", "--dry-run")
    assert (send.returncode, send.stdout.splitlines()) == (
        0, ["desk/out/outbox/2024-W11/reader@example.org.eml"])
    (tmp_path / "other.yaml").write_text("readers:\n  - name: Other\n    email: other@example.org\n")
    send = cli("send", "--facts", "desk/facts", "--week", "2024-W11", "--dry-run",
               "--readers", "other.yaml")
    assert (send.returncode, send.stdout.splitlines()) == (
        0, ["desk/out/outbox/2024-W11/other@example.org.eml"])


def test_the_pre_commit_hook_runs_a_strict_check_of_what_check_reads():
    import re

    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {k: hook[k] for k in ("id", "entry", "language", "pass_filenames")} == {
        "id": "briefgen-check", "entry": "briefgen check --strict", "language": "python",
        "pass_filenames": False}
    desk_config = (ROOT / "briefgen/resources/init/dot-pre-commit-config.yaml").read_text()
    (desk_hook,) = yaml.safe_load(desk_config)["repos"][0]["hooks"]
    assert (desk_hook["id"], desk_hook["entry"]) == (hook["id"], hook["entry"])
    for files in (hook["files"], desk_hook["files"]):
        assert [bool(re.search(files, p)) for p in
                ("facts/a.yaml", "templates/theme.md.j2", "readers.yaml", "briefgen.toml",
                 "README.md", "out/x.pdf", "readers.yaml.bak")] == \
            [True, True, True, True, False, False, False]


@pytest.mark.parametrize("region", ["Côte d'Ivoire", "Île-de-France", "St. Helena", "Yes",
                                    "Kurdistan Region", "Ħal Far", "Tōhoku"])
def test_any_accepted_region_gives_a_desk_that_passes_a_strict_check(tmp_path, region):
    from briefgen import api

    api.init(tmp_path, region=region)
    base = api.check(tmp_path / "facts", strict=True)
    assert region in base.facts["reservoirs-at-41-percent"].statement
    from briefgen.factbase.settings import toml_module

    desk = toml_module().loads((tmp_path / "briefgen.toml").read_text(encoding="utf-8"))["desk"]
    assert (desk["region"], desk["name"]) == (region, f"{region} desk")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_desk_gitignore_keeps_the_ledger_and_archive_tracked(cli, tmp_path):
    """Losing the ledger would send every reader again, losing the archive what they got: git
    must ignore neither."""
    assert cli("init", "desk", cwd=tmp_path).returncode == 0
    desk = tmp_path / "desk"
    subprocess.run(["git", "init", "-q", str(desk)], check=True)
    (desk / "out" / "outbox" / "2024-W11").mkdir(parents=True)
    (desk / "out" / "archive" / "ab").mkdir(parents=True)
    paths = ["out/ledger.sqlite", "out/ledger.sqlite.lock", "out/theme-water-supply.pdf",
             "out/outbox/2024-W11/reader@example.org.eml", "facts/facts.yaml",
             "out/archive/ab/ab12.pdf"]
    for path in paths:
        (desk / path).write_bytes(b"x")
    ignored = subprocess.run(["git", "check-ignore", *paths], cwd=desk, capture_output=True,
                             text=True)
    assert ignored.stdout.splitlines() == [
        "out/ledger.sqlite.lock", "out/theme-water-supply.pdf",
        "out/outbox/2024-W11/reader@example.org.eml"]
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "out"],
                            cwd=desk, capture_output=True, text=True, check=True)
    assert status.stdout == "?? out/archive/ab/ab12.pdf\n?? out/ledger.sqlite\n"
