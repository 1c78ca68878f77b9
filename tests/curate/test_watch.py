"""`briefgen watch`: a real process picks up a save, and a broken save keeps the last files."""

import gc
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

from pypdf import PdfReader

from briefgen import resources
from conftest import tiny_factbase


class Watcher:
    """`briefgen watch` as a real process, its stdout and stderr lines read as they come: it
    runs until Ctrl-C (SIGINT), and its rebuilds go on while the test edits the files."""

    def __init__(self, root, *args):
        self.proc = subprocess.Popen([sys.executable, "-m", "briefgen", "watch", *args], cwd=root,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        self.err: list[str] = []
        self.out: list[str] = []
        for stream, name in ((self.proc.stdout, "out"), (self.proc.stderr, "err")):
            threading.Thread(target=self._pump, args=(stream, name), daemon=True).start()

    def _pump(self, stream, name):
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def until(self, predicate, timeout=60.0) -> str:
        """Lines until one of stderr satisfies `predicate`; returns that line."""
        end = time.monotonic() + timeout
        while True:
            name, line = self.lines.get(timeout=max(0.1, end - time.monotonic()))
            (self.out if name == "out" else self.err).append(line)
            if name == "err" and predicate(line):
                return line

    def stdout_lines(self, n: int, timeout=30.0) -> list[str]:
        """Wait until stdout has given `n` lines (the two pipes are read apart)."""
        end = time.monotonic() + timeout
        while len(self.out) < n:
            name, line = self.lines.get(timeout=max(0.1, end - time.monotonic()))
            (self.out if name == "out" else self.err).append(line)
        return self.out

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=30)
        time.sleep(0.2)
        while not self.lines.empty():
            name, line = self.lines.get()
            (self.out if name == "out" else self.err).append(line)
        return code


def pdf_text(path) -> str:
    return " ".join(" ".join((p.extract_text() or "") for p in PdfReader(path).pages).split())


def test_watch_rebuilds_on_save_and_keeps_the_last_good_files(tmp_path):
    facts = tiny_factbase(tmp_path)
    shutil.copytree(resources.TEMPLATES, tmp_path / "templates")  # a desk with its own copies
    w = Watcher(tmp_path, "--theme", "nato-security-assistance", "--format", "pdf")
    try:
        first = w.until(lambda line: "rebuilt" in line or "error" in line)
        assert first.startswith("start: rebuilt 1 file in "), w.err
        pdf = tmp_path / "out" / "theme-nato-security-assistance.pdf"
        assert "identify where it can help" in pdf_text(pdf)
        assert w.stdout_lines(1) == ["out/theme-nato-security-assistance.pdf"]

        base = facts / "base.yaml"
        time.sleep(0.05)
        base.write_text(base.read_text().replace("identify where it can help",
                                                 "identify where it could help"))
        line = w.until(lambda line: "rebuilt" in line or "error" in line)
        assert line.startswith("facts/base.yaml: rebuilt 1 file in "), w.err
        assert "identify where it could help" in pdf_text(pdf)
        good = pdf.read_bytes()

        time.sleep(0.05)
        base.write_text(base.read_text().replace("send an expert-level delegation",
                                                 "send an expert delegation"))
        line = w.until(lambda line: "not rebuilt" in line)
        assert line == "facts/base.yaml: not rebuilt; the previous files stay"
        assert w.err[-3:] == [
            "facts/base.yaml:34:16: error: [nato-2013-delegation] citations[0].quote: quote "
            "“send an expert delegation to Libya” not found in the source (hint: add “-level”; "
            "closest passage (82% similar): “send an expert[-level] delegation to Libya”)",
            "error: fact base has 1 error, 0 warnings",
            "facts/base.yaml: not rebuilt; the previous files stay"]
        assert pdf.read_bytes() == good
        assert sorted(os.listdir(tmp_path / "out")) == ["theme-nato-security-assistance.pdf",
                                                        "theme-nato-security-assistance.sources.json"]
    finally:
        code = w.stop()
    assert code == 0
    assert w.err[-1] == "stopped watching"
    assert "Traceback" not in "\n".join(w.err)


def test_watch_refuses_an_unknown_theme_or_week_before_it_starts(cli, tmp_path):
    tiny_factbase(tmp_path)
    proc = cli("watch", "--theme", "nope", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        2, "", "error: unknown theme 'nope' (themes: nato-security-assistance, "
               "russian-motives)\n")
    proc = cli("watch", "--week", "2019-W53", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        2, "", "error: 2019-W53 does not exist: 2019 has no ISO week 53\n")
    assert not (tmp_path / "out").exists()


def test_watch_without_a_fact_base_stops_before_watching(cli, tmp_path):
    proc = cli("watch", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", "error: fact base folder 'facts' not found (hint: run in a desk folder, pass "
                "--facts DIR, or make a desk with briefgen init)\n")


def test_watch_starts_on_a_base_with_errors_and_reports_them(tmp_path):
    facts = tiny_factbase(tmp_path)
    (facts / "broken.yaml").write_text("facts:\n\t- id: x\n", encoding="utf-8")
    w = Watcher(tmp_path, "--theme", "nato-security-assistance", "--format", "pdf")
    try:
        line = w.until(lambda line: "not rebuilt" in line)
        assert w.err == [
            "watching for saves (Ctrl-C to stop)",
            "facts/broken.yaml:2:1: error: YAML syntax: a tab character here "
            "(hint: indent with spaces, not tabs)",
            "error: fact base has 1 error, 0 warnings",
            "start: not rebuilt; the previous files stay"], line
    finally:
        assert w.stop() == 0


def test_a_templates_folder_made_after_the_start_is_watched(tmp_path):
    tiny_factbase(tmp_path)
    w = Watcher(tmp_path, "--theme", "nato-security-assistance", "--format", "pdf")
    try:
        assert w.until(lambda line: "rebuilt" in line).startswith("start: rebuilt 1 file")
        pdf = tmp_path / "out" / "theme-nato-security-assistance.pdf"
        templates = tmp_path / "templates"
        time.sleep(1)  # the watch is under way, not about to start
        templates.mkdir()
        line = w.until(lambda line: "rebuilt" in line)
        assert line.startswith("templates/ created: rebuilt 1 file in "), w.err
        theme = (resources.TEMPLATES / "theme.md.j2").read_text(encoding="utf-8")
        (templates / "theme.md.j2").write_text(theme.replace(
            "{% set title = theme.title %}", "{% set title = theme.title ~ ' (desk)' %}"), encoding="utf-8")
        line = w.until(lambda line: "rebuilt" in line or "error" in line)
        assert line.startswith("templates/theme.md.j2: rebuilt 1 file in "), w.err
        assert "(desk)" in pdf_text(pdf)
    finally:
        assert w.stop() == 0


def test_a_watch_keeps_what_lives_on_out_of_the_collectors_walks(tmp_path, monkeypatch):
    """After each build the watch collects its garbage and freezes what is left (the parsed
    files, the compiled templates): no full collection falls inside the next save → files.
    Once the watch ends, those objects are the caller's collector's again."""
    from briefgen.curate import watch as watching
    from briefgen.desk import Desk

    tiny_factbase(tmp_path)
    stop, frozen, settle = threading.Event(), [], watching.settle

    def settled():
        settle()
        frozen.append(gc.get_freeze_count())
        stop.set()

    monkeypatch.setattr(watching, "settle", settled)
    watching.watch(Desk.find(tmp_path / "facts"), None, None, ("pdf",), lambda *a: None, stop)
    assert frozen[0] > 10_000
    assert gc.get_freeze_count() == 0
