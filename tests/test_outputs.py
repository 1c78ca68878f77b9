"""Outputs of a build appear together or not at all, even when the build is killed (kill -9);
its workers die with it; command-line values that cannot work are plain usage errors."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefgen.atomic import STAGING, _Staging, recover, write_atomically
from conftest import ROOT, tiny_factbase

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="uses /proc and kill -9")


@pytest.fixture
def project(tmp_path):
    tiny_factbase(tmp_path)
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- item 9 and 10: --out and --week values ----------------------------------------------------


def test_out_that_is_a_file_is_a_usage_error(cli, project):
    (project / "afile").write_text("mine")
    for out, shown in (("afile", "'afile'"), ("afile/briefs", "'afile/briefs': 'afile'")):
        result = cli("build", "--out", out, cwd=project)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (f"error: --out {shown} is a file, not a folder "
                                 "(hint: pass a folder, e.g. --out out)\n")
    assert (project / "afile").read_text() == "mine"


@pytest.mark.parametrize("command", [["build"], ["weekly", "--week", "2013-W23"], ["check"],
                                     ["send", "--week", "2013-W23", "--dry-run"]])
def test_templates_that_are_not_a_folder_are_a_usage_error_not_the_packaged_look(cli, project,
                                                                                  command):
    (project / "afile").write_text("mine")
    for given, what in (("templats", "does not exist"), ("afile", "is not a folder")):
        result = cli(*command, "--templates", given, cwd=project)
        assert (result.returncode, result.stdout) == (2, "")
        assert result.stderr == (
            f"error: --templates '{given}' {what} (hint: pass the desk's templates folder, or "
            "leave --templates out to use templates/ beside the fact base, else the packaged "
            "templates)\n")
    assert listing(project / "out") == []


def test_out_that_is_a_dangling_link_is_a_usage_error(cli, project):
    (project / "gone").symlink_to(project / "nowhere")
    result = cli("weekly", "--week", "2013-W23", "--out", "gone", cwd=project)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"error: --out 'gone' is a link to '{project / 'nowhere'}', which "
                             "does not exist (hint: create that folder, or pass another --out)\n")
    assert not (project / "nowhere").exists()


@pytest.mark.parametrize("week, message", [
    ("9999-W52", "error: 9999-W52 is out of range: the last week is 9999-W51"),
    ("0000-W01", "error: 0000-W01 is out of range: years run from 0001 to 9999"),
])
def test_weeks_at_the_ends_of_the_calendar(cli, project, week, message):
    result = cli("weekly", "--week", week, cwd=project)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message + "\n")


def test_the_last_week_of_the_calendar_builds(cli, project):
    result = cli("weekly", "--week", "9999-W51", "--format", "pdf", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "out/weekly-9999-W51.pdf\n"


def test_a_base_dated_on_the_last_day_of_9999_checks_builds_and_walks(cli, project):
    """9999-12-31 is a date a fact file may hold; its week, 9999-W52, is past the last one a
    brief can cover: check composes the last week there is, and impact names no other."""
    base = project / "facts" / "base.yaml"
    text = base.read_text(encoding="utf-8").replace("date: 2013-06-04", "date: 9999-12-31", 1)
    base.write_text(text.replace("published: 2013-06", "published: 9999-12-31") + (
        "judgments:\n"
        "  - id: late-judgment\n"
        "    statement: NATO keeps out of Libya.\n"
        "    themes: [nato-security-assistance]\n"
        "    date: 9999-12\n"
        "    likelihood: likely\n"
        "    confidence: moderate\n"
        "    based_on: [nato-2013-no-troops]\n"), encoding="utf-8")
    check = cli("check", "--strict", cwd=project)
    assert (check.returncode, check.stdout, check.stderr) == (
        0, "", "checked 3 facts, 1 judgment, 1 source, 2 themes: 0 errors, 0 warnings\n")
    impact = cli("impact", "nato-2013-no-troops", cwd=project)
    assert (impact.returncode, impact.stderr) == (0, "")
    assert impact.stdout.splitlines()[:6] == [
        "fact nato-2013-no-troops", "judgments (1):", "  late-judgment", "briefs (5):",
        "  theme-nato-security-assistance", "  weekly-9999-W48"]
    assert impact.stdout.splitlines()[6:9] == ["  weekly-9999-W49", "  weekly-9999-W50",
                                               "  weekly-9999-W51"]
    weekly = cli("weekly", "--from", "9999-12-27", "--to", "9999-12-31", "--format", "pdf",
                 cwd=project)
    assert weekly.stdout == "out/period-9999-12-27--9999-12-31.pdf\n", weekly.stderr


@pytest.mark.parametrize("week", ["0999-W10", "0999-03-10", "0001-01-01"])
def test_a_week_before_the_year_1000_is_written_with_four_digits(cli, project, week):
    for command in (["weekly", "--week", week, "--format", "pdf"], ["list", "facts", "--week", week],
                    ["send", "--dry-run", "--week", week, "--allow-empty"]):
        result = cli(*command, cwd=project)
        assert result.returncode in (0, 1), result.stderr
        assert "internal error" not in result.stderr
    stem = "weekly-0001-W01" if week == "0001-01-01" else "weekly-0999-W10"
    assert (project / "out" / f"{stem}.pdf").is_file()


@pytest.mark.parametrize("week", ["٢٠١٩-W٥٠", "２０１９-W５０", "2019-W٥٠"])
def test_week_with_digits_other_than_ascii_is_refused(cli, project, week):
    result = cli("weekly", "--week", week, cwd=project)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (f"briefgen weekly: error: argument --week: "
                                              f"'{week}' is not an ISO week like 2019-W50")
    assert listing(project / "out") == []


# --- item 5: all or nothing, even on kill -9 ----------------------------------------------------

# Runs briefgen and kills it (SIGKILL, as kill -9) just before its Nth move of a staged file:
# the moment a crash would do the most harm, made exact.
KILL_AT_MOVE = """
import os, signal, sys
from briefgen import cli
real, moves = os.replace, []
def replace(src, dst, **kw):
    if ".briefgen-staging-" in str(src):
        moves.append(src)
        if len(moves) == int(os.environ["KILL_AT_MOVE"]):
            os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst, **kw)
os.replace = replace
sys.exit(cli.main(sys.argv[1:]))
"""

THEME = "nato-security-assistance"
OUTPUTS = [f"theme-{THEME}.docx", f"theme-{THEME}.pdf", f"theme-{THEME}.sources.json"]


def build_killed_at_move(project: Path, n: int) -> None:
    # a process of its own: it is killed
    result = subprocess.run([sys.executable, "-c", KILL_AT_MOVE, "build", "--theme", THEME],
                            cwd=project, env={**os.environ, "KILL_AT_MOVE": str(n)},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr


def edition(project: Path) -> dict[str, str]:
    """Which statement each output of the theme brief carries: 'old' or 'new'."""
    out = project / "out"
    with zipfile.ZipFile(out / OUTPUTS[0]) as z:
        docx = z.read("word/document.xml").decode()
    pdf = " ".join(page.extract_text() for page in PdfReader(out / OUTPUTS[1]).pages)
    texts = {OUTPUTS[0]: docx, OUTPUTS[1]: pdf,
             OUTPUTS[2]: (out / OUTPUTS[2]).read_text()}
    return {name: "new" if "Freshly" in text else "old" for name, text in texts.items()}


def change_a_statement(project: Path) -> None:
    base = project / "facts" / "base.yaml"
    base.write_text(base.read_text().replace("NATO decided to send experts",
                                             "Freshly NATO decided to send experts"))


def test_a_build_killed_while_moving_its_files_is_finished_by_the_next_run(cli, project):
    assert cli("build", "--theme", THEME, cwd=project).returncode == 0
    change_a_statement(project)
    # moves: 1 is the manifest (the point of no return), 2 the first file, 3 the second
    build_killed_at_move(project, 3)
    assert edition(project) == {OUTPUTS[0]: "new", OUTPUTS[1]: "old", OUTPUTS[2]: "old"}
    staging = [p.name for p in (project / "out").iterdir() if p.name.startswith(STAGING)]
    assert len(staging) == 1
    # any later run in that folder, even of another brief, first finishes the killed one's moves
    result = cli("build", "--theme", "russian-motives", cwd=project)
    assert result.returncode == 0, result.stderr
    assert edition(project) == dict.fromkeys(OUTPUTS, "new")
    assert listing(project / "out") == sorted(OUTPUTS + [
        "theme-russian-motives.docx", "theme-russian-motives.pdf",
        "theme-russian-motives.sources.json"])


def test_a_build_killed_before_its_manifest_leaves_the_old_outputs_and_no_debris(cli, project):
    assert cli("build", "--theme", THEME, cwd=project).returncode == 0
    change_a_statement(project)
    build_killed_at_move(project, 1)
    assert edition(project) == dict.fromkeys(OUTPUTS, "old")
    assert len(listing(project / "out")) == 4  # the old outputs and the dead run's staging
    result = cli("build", "--theme", "russian-motives", "--format", "pdf", cwd=project)
    assert result.returncode == 0, result.stderr
    assert edition(project) == dict.fromkeys(OUTPUTS, "old")
    assert listing(project / "out") == sorted(
        OUTPUTS + ["theme-russian-motives.pdf", "theme-russian-motives.sources.json"])


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_kill_9_of_a_build_ends_its_workers_and_the_next_build_is_clean(cli, project):
    # a process of its own, killed with its forked workers
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "build"], cwd=project,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: set[int] = set()
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        workers = children(proc.pid)
        time.sleep(0.005)
    assert len(workers) == 2, "the build should fork one writer worker per format"
    proc.kill()  # SIGKILL: no handler, no cleanup
    proc.wait()
    deadline = time.monotonic() + 10
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(alive, workers)), "the workers outlived the build"
    result = cli("build", cwd=project)
    assert result.returncode == 0, result.stderr
    assert listing(project / "out") == sorted(
        f"theme-{t}{s}" for t in (THEME, "russian-motives") for s in (".docx", ".pdf",
                                                                   ".sources.json"))


def test_a_running_builds_staging_folder_is_left_alone(tmp_path):
    running = _Staging(tmp_path)  # holds its lock, as a live run does
    try:
        recover(tmp_path)
        assert running.folder.is_dir()
    finally:
        running.close()
    assert listing(tmp_path) == []


def test_files_in_several_folders_are_written_together(tmp_path):
    files = {tmp_path / "a.txt": b"a", tmp_path / "sub" / "b.txt": b"b"}
    assert write_atomically(files) == list(files)
    assert (tmp_path / "sub" / "b.txt").read_bytes() == b"b"
    assert listing(tmp_path) == ["a.txt", "sub"]
