"""The HTML edition's scenarios of bench/run.py: `build --format html` beside pandoc's Markdown
→ HTML of the same brief, and `watch --serve` from a save to the open page reloaded.

    python bench/run.py --only html,serve
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import run
from run import (BUILD_SIZES, TEMPLATES, THEME, Failed, Result, base, brief_markdown, briefgen,
                 briefgen_env, expect_outputs, k, measure, pandoc_path, secs, unavailable)

sys.path.insert(0, str(run.ROOT / "tests"))
SERVE_TARGET = 0.3  # save → page reloaded, 50-line brief


def scenario_html(lines: list[int], runs: int) -> list[dict]:
    """`briefgen build --format html` and `pandoc brief.md -s -t html` of the same brief."""
    pandoc, why_pandoc = pandoc_path()
    rows = []
    for n in lines:
        n_facts, focus = BUILD_SIZES[n]
        facts = base(n_facts, focus)
        row = {"lines": n, "note": f"{n} lines ({k(n_facts)} facts)"}
        r = row["briefgen"] = Result("build --format html", row["note"])
        r.na = unavailable("build")
        if not r.na:
            measure(r, lambda out, facts=facts: briefgen(
                "build", "--facts", str(facts), "--templates", str(TEMPLATES), "--theme", THEME,
                "--format", "html", "--out", str(out)), runs, env=briefgen_env(),
                expect=expect_outputs(".html"))
        work = Path(tempfile.mkdtemp(prefix="briefgen-bench-md-"))
        try:
            md, n_lines, n_notes = brief_markdown(facts, THEME)
            (work / "brief.md").write_text(md, encoding="utf-8")
            p = row["pandoc"] = Result("pandoc md → html", f"{n_lines} lines, {n_notes} footnotes")
            if pandoc:
                measure(p, lambda out, work=work: [pandoc, str(work / "brief.md"), "-f",
                                                    "markdown", "-t", "html", "--standalone",
                                                    "-o", str(out / "brief.html")],
                        runs, cwd=work, expect=expect_outputs(".html"))
            else:
                p.na = why_pandoc
        finally:
            shutil.rmtree(work, ignore_errors=True)
        rows.append(row)
    return rows


def html_table(rows: list[dict]) -> str:
    out = ["| brief | briefgen build --format html | pandoc md → html (standalone) | "
           "briefgen ÷ pandoc |", "| --- | ---: | ---: | ---: |"]
    notes = []
    for row in rows:
        cells = []
        for key in ("briefgen", "pandoc"):
            r = row[key]
            if r.na:
                cells.append("n/a")
                notes.append(f"- {row['note']}, {r.name}: n/a: {r.na}")
            else:
                cells.append(f"{secs(r.median)} ({r.rss_kb / 1024:.0f} MB)")
        b, p = row["briefgen"], row["pandoc"]
        ratio = "n/a" if b.na or p.na else f"{b.median / p.median:.1f}"
        out.append(f"| {row['note']} | {' | '.join(cells)} | {ratio} |")
    return "\n".join(out + ([""] + notes if notes else []))


def scenario_serve(lines: list[int], runs: int) -> list[Result]:
    """`briefgen watch --serve` with the brief open in headless Chromium: from a save of a fact
    file to the page reloaded (its DOMContentLoaded, on the browser's clock), for the default
    formats (the HTML edition beside docx and pdf) and for `--format html` alone."""
    from browser import missing, start_chromium

    results = []
    for n in lines:
        n_facts, focus = BUILD_SIZES[n]
        for formats in ("docx,pdf", "html"):
            r = Result(f"watch --serve --format {formats}: save → page reloaded",
                       f"{n} lines ({k(n_facts)} facts)", target=SERVE_TARGET)
            r.na = unavailable("watch") or (f"no browser: {missing()}" if missing() else None)
            if not r.na:
                _serve_once(r, base(n_facts, focus), formats, runs, start_chromium)
            results.append(r)
    return results


def _serve_once(r: Result, facts: Path, formats: str, runs: int, start_chromium) -> None:
    work = Path(tempfile.mkdtemp(prefix="briefgen-bench-serve-"))
    driver = proc = None
    print(f"run.py: {r.name} [{r.data}] ...", end="", file=sys.stderr, flush=True)
    try:
        shutil.copytree(facts, work / "facts")
        edited = next(p for p in sorted((work / "facts").rglob("*.yaml"))
                      if THEME in p.read_text(encoding="utf-8"))
        proc = subprocess.Popen(
            briefgen("watch", "--facts", str(work / "facts"), "--templates", str(TEMPLATES),
                     "--theme", THEME, "--out", str(work / "out"), "--format", formats,
                     "--serve", "--port", "0"),
            cwd=work, env=briefgen_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True)
        status: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [status.put(line) for line in proc.stderr],
                         daemon=True).start()

        def line_with(word: str) -> str:
            while True:
                line = status.get(timeout=120)
                if word in line or "not rebuilt" in line or "Traceback" in line:
                    return line

        url = line_with("serving").strip().split(" at ")[-1]
        if "rebuilt" not in line_with("rebuilt"):
            raise Failed("watch did not build")
        driver = start_chromium(str(work / "profile"))
        driver.get(f"{url}theme-{THEME}.html")
        for i in range(1 + runs):
            driver.execute_script("window.notReloaded = true")
            time.sleep(0.3)  # a curator's pause: the folders are quiet again
            saved = time.time()
            with open(edited, "a", encoding="utf-8") as f:
                f.write(f"# saved {i}\n")
            while driver.execute_script("return window.notReloaded === true || "
                                        "document.readyState === 'loading'"):
                if time.time() - saved > 60:
                    raise Failed("the page was not reloaded within 60 s")
                time.sleep(0.005)
            loaded = driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return (performance.timeOrigin + n.domContentLoadedEventEnd) / 1000")
            if i:
                r.times.append(loaded - saved)
            print(f" {loaded - saved:.3f}s" if i else " (warm-up)", end="", file=sys.stderr,
                  flush=True)
    except (Failed, queue.Empty) as e:
        r.na, r.times = str(e) or "watch gave no status line", []
    finally:
        if driver is not None:
            driver.quit()
        if proc is not None:
            proc.send_signal(2)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)
        print(file=sys.stderr, flush=True)
