#!/usr/bin/env python3
"""Time briefgen as a user runs it: whole processes, on generated fact bases.

    python bench/run.py                 # everything (several minutes: the 10k base, LibreOffice)
    python bench/run.py --quick         # 1k-sized data only, 3 runs each
    python bench/run.py --only check    # or build, weekly, compare, miss, quote, watch, html,
                                        # serve (html_bench.py: the HTML edition)

Each scenario runs its command once to warm up (file cache, .pyc, LibreOffice profile), then
N times (5, or 3 with --quick), and reports the median, min and max wall time and the peak RSS
of the process tree (from wait4's rusage). A scenario whose command is not there yet, or fails,
prints "n/a" with the reason; the other scenarios still run. Fact bases come from
bench/make_factbase.py and are kept in bench/data/ (git-ignored) for the next run.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TEMPLATES = ROOT / "templates"
sys.path.insert(0, str(BENCH))

import ab  # noqa: E402
import make_factbase  # noqa: E402

THEME = make_factbase.FOCUS_THEME
WEEK = "2019-W23"
# brief lines -> (facts in the base, facts in the focus theme); the base is twice the brief
BUILD_SIZES = {50: (100, 50), 500: (1000, 500), 5000: (10000, 5000)}
CHECK_SIZES = {1000: 500, 10000: 5000}  # facts -> focus (shared with the build bases)
TARGETS = {("check", 1000): 1.0, ("check", 10000): 5.0, ("build", 50): 0.45,
           ("build", 500): 0.75, ("build", 5000): 7.0, ("weekly", 10000): 6.0,
           ("miss", 20): 0.5, ("quote", 0): 0.3, ("quote", 10000): 1.0, ("watch", 50): 0.15,
           ("watch", 500): 0.5, ("send", 1): 1.5}  # send: a ratio to its limit
SCENARIOS = ("check", "build", "weekly", "compare", "miss", "quote", "watch", "html", "serve",
             "send")
MISS_MB, MISS_WORDS = 20, 300  # the miss scenario: a 300-word quote against a 20 MB source


# --------------------------------------------------------------------------------------------
# Measuring processes
# --------------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    data: str = ""
    times: list[float] = field(default_factory=list)
    rss_kb: int = 0
    target: float | None = None
    na: str | None = None  # why there is no measurement
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times)


class Failed(Exception):
    """A command exited non-zero or did not produce what it should."""


def _reason(stderr: str, code: int, what: str) -> str:
    """The most telling line of a failed command's stderr."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if re.match(r"^[\w.]+(Error|Exception)\b", ln)]
    pick = errors[-1] if errors else next(
        (ln for ln in reversed(lines) if ln.lower().startswith("error")),
        lines[-1] if lines else "")
    return f"{what} exited {code}: {pick[:160]}" if pick else f"{what} exited {code}"


def run_once(cmd: list[str], cwd: Path, env: dict | None = None,
             timeout: float = 1800, ok: tuple = (0,)) -> tuple[float, int, str, str]:
    """Run CMD; return (wall seconds, peak RSS KB of the process tree, stdout, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err)
        killer = threading.Timer(timeout, proc.kill)  # a hung process ends as a failure
        killer.start()
        try:  # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the max so far)
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode not in ok:
        raise Failed(_reason(stderr, proc.returncode, Path(cmd[0]).name if cmd[0] != sys.executable
                             else " ".join(cmd[2:4])))
    return elapsed, usage.ru_maxrss, stdout, stderr


def measure(result: Result, make_cmd, runs: int, cwd: Path = ROOT, env: dict | None = None,
            expect=None, ok: tuple = (0,)) -> Result:
    """Warm up once, then time RUNS runs. MAKE_CMD(outdir) gives the command for a fresh dir;
    EXPECT(outdir, stdout) raises Failed if the run did not produce what it should."""
    return measure_arms([Arm(result, make_cmd, cwd, env, expect, ok)], runs)[0]


@dataclass
class Arm:
    """One command to time among others run alternately (see measure_arms)."""

    result: Result
    make_cmd: object
    cwd: Path = ROOT
    env: dict | None = None
    expect: object = None
    ok: tuple = (0,)


def measure_arms(arms: list[Arm], runs: int) -> list[Result]:
    """Like `measure` for several commands at once, run in turn (A, B, A, B...): a minute of a
    busy machine slows each of them alike. An arm that fails is n/a; the others go on."""
    arms = [a for a in arms if not a.result.na]
    for arm in arms:
        print(f"run.py: {arm.result.name} [{arm.result.data}] ...", file=sys.stderr, flush=True)
    for i in range(1 + runs):
        for arm in arms:
            if arm.result.na:
                continue
            r = arm.result
            outdir = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
            try:
                elapsed, rss, stdout, _ = run_once(arm.make_cmd(outdir), arm.cwd, arm.env,
                                                   ok=arm.ok)
                if arm.expect:
                    arm.expect(outdir, stdout)
            except Failed as e:
                r.na, r.times = str(e), []
                print(f"run.py:   {r.name}: n/a: {e}", file=sys.stderr, flush=True)
                continue
            finally:
                shutil.rmtree(outdir, ignore_errors=True)
            if i:
                r.times.append(elapsed)
            r.rss_kb = max(r.rss_kb, rss)
            print(f"run.py:   {r.name}: {elapsed:.2f}s" if i else
                  f"run.py:   {r.name}: (warm-up)", file=sys.stderr, flush=True)
    return [a.result for a in arms]


def briefgen_env() -> dict:
    return ab.working_tree().env()


def briefgen(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefgen", *args]


_available: dict[tuple[str, Path], str | None] = {}


def unavailable(command: str, revision: ab.Revision | None = None) -> str | None:
    """None if `python -m briefgen COMMAND --help` works (in `revision`), else why not."""
    revision = revision or ab.working_tree()
    if (command, revision.root) not in _available:
        try:
            run_once(briefgen(command, "--help"), revision.root, revision.env(), timeout=120)
            _available[command, revision.root] = None
        except Failed as e:
            _available[command, revision.root] = f"`briefgen {command}` not available ({e})"
    return _available[command, revision.root]


def expect_outputs(*suffixes: str):
    def check(outdir: Path, stdout: str) -> None:
        found = {p.suffix for p in outdir.rglob("*") if p.is_file()}
        missing = [s for s in suffixes if s not in found]
        if missing:
            raise Failed(f"the run wrote no {', '.join(missing)} file under --out")
    return check


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------


def base(n_facts: int, focus: int) -> Path:
    facts_dir, _ = make_factbase.ensure(n_facts, focus)
    return facts_dir


def k(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def named(name: str, revision: ab.Revision, revisions: list[ab.Revision]) -> str:
    """A scenario's name, with the revision when the run times more than one."""
    return name if len(revisions) == 1 else f"{name} ({revision.label})"


def timed(revisions: list[ab.Revision], command: str, name: str, data: str, target, args,
          runs: int, expect=None) -> list[Result]:
    """`briefgen COMMAND` in each revision, alternately; ARGS(revision, out) gives the
    arguments after the command."""
    arms = []
    for rev in revisions:
        r = Result(named(name, rev, revisions), data, target=target)
        r.na = unavailable(command, rev)
        arms.append(Arm(r, lambda out, rev=rev: briefgen(command, *args(rev, out)), rev.root,
                        rev.env(), expect))
    measure_arms(arms, runs)
    return [a.result for a in arms]


def scenario_check(sizes: list[int], runs: int, revisions: list[ab.Revision]) -> list[Result]:
    results = []
    for n in sizes:
        facts = base(n, CHECK_SIZES[n])
        results += timed(revisions, "check", "check", f"{k(n)} facts",
                         TARGETS.get(("check", n)),
                         lambda rev, _: ("--facts", str(rev.base(facts))), runs)
        # The same check without the shared-text detection (corroboration), in the same run:
        # what the detection costs.
        bare = Result("check", f"{k(n)} facts, no shared-text detection")
        bare.na = unavailable("check")
        if not bare.na:
            script = str(ROOT / "bench" / "without_corroboration.py")
            measure(bare, lambda _, facts=facts: [sys.executable, script, "check", "--facts",
                                                  str(facts)], runs, env=briefgen_env())
        results.append(bare)
    return results


def build_args(facts: Path):
    return lambda rev, out: ("--facts", str(rev.base(facts)), "--templates", str(rev.templates),
                             "--theme", THEME, "--format", "docx,pdf", "--out", str(out))


def scenario_build(lines: list[int], runs: int,
                   revisions: list[ab.Revision] | None = None) -> list[Result]:
    """The builds, in order of `lines`: for each size one result per revision."""
    revisions = revisions or [ab.working_tree()]
    results = []
    for n in lines:
        n_facts, focus = BUILD_SIZES[n]
        results += timed(revisions, "build", "build --format docx,pdf",
                         f"{n} lines ({k(n_facts)} facts)", TARGETS.get(("build", n)),
                         build_args(base(n_facts, focus)), runs,
                         expect=expect_outputs(".docx", ".pdf"))
    return results


def scenario_weekly(n_facts: int, runs: int, revisions: list[ab.Revision]) -> list[Result]:
    facts_dir, params = make_factbase.ensure(n_facts, CHECK_SIZES[n_facts])
    in_week = params.get("stats", {}).get("facts_in_2019_W23", "?")
    return timed(revisions, "weekly", f"weekly --week {WEEK}",
                 f"{k(n_facts)} facts ({in_week} that week)", TARGETS.get(("weekly", n_facts)),
                 lambda rev, out: ("--facts", str(rev.base(facts_dir)), "--templates",
                                   str(rev.templates), "--week", WEEK, "--format", "docx,pdf",
                                   "--out", str(out)),
                 runs, expect=expect_outputs(".docx", ".pdf"))


def scenario_send(n_readers: int, runs: int) -> tuple[list[Result], str]:
    """`briefgen send` to a local SMTP server (aiosmtpd, in a process of its own), beside its
    limit: building the distinct briefs once plus a bare smtplib loop sending the same messages
    (those of a dry run) over one connection to the same server. Returns the results and the
    line comparing send to the limit."""
    import yaml

    import send_bench

    facts = base(1000, CHECK_SIZES[1000])
    data = f"{n_readers:,} readers, 10 theme sets, {WEEK}, 1k facts"
    rows = [Result("send --format pdf", data), Result("limit: the distinct briefs built once",
                                                       data),
            Result("limit: smtplib loop, one connection", data)]
    why = unavailable("send")
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        why = why or "aiosmtpd is not installed (pip install aiosmtpd)"
    if why:
        for r in rows:
            r.na = why
        return rows, ""
    themes = [t["id"] for t in yaml.safe_load((facts / "themes.yaml").read_text())["themes"]]
    work = Path(tempfile.mkdtemp(prefix="briefgen-bench-send-"))
    port = send_bench.free_port()
    server = subprocess.Popen([sys.executable, "-c", send_bench.SERVER, str(port)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        if server.stdout.readline().strip() != "ready":
            raise Failed("the SMTP server did not start")
        readers = work / "readers.yaml"
        readers.write_text(send_bench.readers_yaml(n_readers, send_bench.theme_sets(themes)),
                           encoding="utf-8")
        env = {**briefgen_env(), "BRIEFGEN_SMTP_HOST": "127.0.0.1",
               "BRIEFGEN_SMTP_PORT": str(port), "BRIEFGEN_SMTP_SECURITY": "none",
               "BRIEFGEN_FROM": "Briefs <briefs@example.org>"}
        send = briefgen("send", "--facts", str(facts), "--templates", str(TEMPLATES), "--week",
                        WEEK, "--readers", str(readers), "--format", "pdf")
        run_once(send + ["--dry-run", "--out", str(work / "dry")], ROOT, env)
        script = str(BENCH / "send_bench.py")
        measure_arms([
            Arm(rows[0], lambda out: send + ["--out", str(out)], ROOT, env),
            Arm(rows[1], lambda out: [sys.executable, script, "--build-once", str(facts),
                                      str(readers), WEEK, str(out), "pdf"], ROOT, env),
            Arm(rows[2], lambda out: [sys.executable, script, "--smtp-loop", str(port),
                                      str(work / "dry" / "outbox")], ROOT, env)], runs)
    except Failed as e:
        for r in rows:
            r.na = r.na or str(e)
    finally:
        server.stdin.close()
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    if any(r.na for r in rows):
        return rows, ""
    limit = rows[1].median + rows[2].median
    ratio = rows[0].median / limit
    verdict = "ok" if ratio <= TARGETS[("send", 1)] else "SLOW"
    return rows, (f"`send` ÷ its limit (medians): {rows[0].median:.2f} s ÷ ({rows[1].median:.2f} "
                  f"+ {rows[2].median:.2f} s) = {ratio:.2f}; target ≤ "
                  f"{TARGETS[('send', 1)]:g}: {verdict}")


def miss_bases() -> tuple[Path, Path]:
    """Two one-fact bases citing the same 20 MB archived text (the 10k base's texts, end to end):
    one quotes 300 words of it verbatim, the other the same words with every tenth reversed."""
    import unicodedata

    import yaml

    folder = make_factbase.DATA_DIR / f"miss-{MISS_MB}mb-{make_factbase.GENERATOR_VERSION}"
    hit, miss = folder / "hit" / "facts", folder / "miss" / "facts"
    if (miss / "facts.yaml").exists():
        return hit, miss
    facts_dir, _ = make_factbase.ensure(10000, CHECK_SIZES[10000])
    parts = [unicodedata.normalize("NFC", p.read_text(encoding="utf-8"))
             for p in sorted((facts_dir / "sources").glob("*.txt"))]
    chunks, size = [], 0
    while size < MISS_MB * 1_000_000:
        chunks.append(parts[len(chunks) % len(parts)])
        size += len(chunks[-1].encode("utf-8")) + 2
    text = "\n\n".join(chunks)
    words = text[len(text) // 2:].split()[1:1 + MISS_WORDS]
    quotes = {hit: " ".join(words),
              miss: " ".join(w if i % 10 else w[::-1] for i, w in enumerate(words))}
    for base, quote in quotes.items():
        (base / "sources").mkdir(parents=True, exist_ok=True)
        (base / "sources" / "big.txt").write_text(text, encoding="utf-8")
        doc = {"sources": [{"id": "big", "title": "A very long archived text",
                            "publisher": "Bench", "published": "2019", "file": "sources/big.txt"}],
               "themes": [{"id": "t", "title": "T"}],
               "facts": [{"id": "f", "statement": "One fact.", "themes": ["t"], "date": "2019",
                          "citations": [{"source": "big", "quote": quote}]}]}
        (base / "facts.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, width=10_000),
                                         encoding="utf-8")
    return hit, miss


def scenario_miss(runs: int) -> list[Result]:
    """`check` of a base whose one quote is found, and of one whose quote is not: the difference
    is what the closest-passage hint costs."""
    data = f"{MISS_WORDS}-word quote, {MISS_MB} MB source"
    found = Result("check", f"{data}, found")
    missed = Result("check", f"{data}, not found (closest passage shown)")
    cost = Result("cost of the miss (difference of the min times)", data,
                  target=TARGETS[("miss", MISS_MB)])
    found.na = missed.na = cost.na = unavailable("check")
    if not found.na:
        hit, miss = miss_bases()
        measure(found, lambda _: briefgen("check", "--facts", str(hit)), runs, env=briefgen_env())
        measure(missed, lambda _: briefgen("check", "--facts", str(miss)), runs,
                env=briefgen_env(), ok=(1,))
        cost.na = found.na or missed.na
        if not cost.na:
            cost.times, cost.rss_kb = [min(missed.times) - min(found.times)], missed.rss_kb
    return [found, missed, cost]
def scenario_quote(n_facts: int | None, runs: int) -> list[Result]:
    """`briefgen quote` as a curator types it: words remembered with one word changed, in one
    source and in every source (--any), on the bundled base and on a generated one."""
    import yaml

    if n_facts:
        facts_dir = base(n_facts, CHECK_SIZES[n_facts])
        data = yaml.safe_load((facts_dir / "sources.yaml").read_text(encoding="utf-8"))
        source = data["sources"][len(data["sources"]) // 2]
        text = (facts_dir / source["file"]).read_text(encoding="utf-8")
        words = " ".join(text.split("\n\n")[3].split()[:12]).split()
        words[5] = "the"  # remembered, not copied
        label = f"{k(n_facts)} facts, {len(data['sources'])} sources"
    else:
        facts_dir, source = ROOT / "facts", {"id": "nato-watch-2013-06"}
        words = "there will be no troops and training outside Libya".split()
        label = "bundled base"
    results = []
    for scope in (["--any"], [source["id"]]):
        r = Result(f"quote {'--any' if scope == ['--any'] else 'SOURCE_ID'}", label,
                   target=TARGETS.get(("quote", n_facts or 0)))
        r.na = unavailable("quote")
        if not r.na:
            def found(_, stdout):
                if not stdout.startswith("# "):
                    raise Failed("quote printed no passage")
            measure(r, lambda _: briefgen("quote", "--facts", str(facts_dir), *scope,
                                          " ".join(words)), runs, env=briefgen_env(),
                    expect=found)
        results.append(r)
    return results


def scenario_watch(lines: list[int], runs: int) -> list[Result]:
    """`briefgen watch`: from a save of a fact file to both brief files replaced, in one warm
    process; the cold `build` of the same brief on the same copy of the base beside it."""
    import queue

    results = []
    for n in lines:
        n_facts, focus = BUILD_SIZES[n]
        r = Result("watch: save → docx+pdf replaced", f"{n} lines ({k(n_facts)} facts)",
                   target=TARGETS.get(("watch", n)))
        cold = Result("build (cold, same brief)", f"{n} lines ({k(n_facts)} facts)")
        r.na = cold.na = unavailable("watch")
        if r.na:
            results += [r, cold]
            continue
        work = Path(tempfile.mkdtemp(prefix="briefgen-bench-watch-"))
        try:
            shutil.copytree(base(n_facts, focus), work / "facts")
            out = work / "out"
            outputs = [out / f"theme-{THEME}.docx", out / f"theme-{THEME}.pdf"]
            edited = next(p for p in sorted((work / "facts").rglob("*.yaml"))
                          if THEME in p.read_text(encoding="utf-8"))
            proc = subprocess.Popen(
                briefgen("watch", "--facts", str(work / "facts"), "--templates", str(TEMPLATES),
                         "--theme", THEME, "--out", str(out)),
                cwd=work, env=briefgen_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                text=True)
            status: queue.Queue = queue.Queue()
            threading.Thread(target=lambda: [status.put(line) for line in proc.stderr],
                             daemon=True).start()

            def built() -> str:
                while True:
                    line = status.get(timeout=120)
                    if "rebuilt" in line or "not rebuilt" in line or "Traceback" in line:
                        return line

            print(f"run.py: {r.name} [{r.data}] ...", end="", file=sys.stderr, flush=True)
            try:
                first = built()
                if "rebuilt" not in first or "not rebuilt" in first:
                    raise Failed(f"watch did not build: {first.strip()[:160]}")
                for i in range(1 + runs):
                    before = [os.stat(p).st_ino for p in outputs]
                    time.sleep(0.3)  # a curator's pause: the folders are quiet again
                    start = time.perf_counter()
                    with open(edited, "a", encoding="utf-8") as f:
                        f.write(f"# saved {i}\n")
                    while any(os.stat(p).st_ino == b for p, b in zip(outputs, before, strict=True)):
                        if time.perf_counter() - start > 60:
                            raise Failed("the outputs were not replaced within 60 s")
                        time.sleep(0.002)
                    elapsed = time.perf_counter() - start
                    line = built()
                    if "not rebuilt" in line:
                        raise Failed(f"watch failed: {line.strip()[:160]}")
                    if i:
                        r.times.append(elapsed)
                    print(f" {elapsed:.3f}s" if i else " (warm-up)", end="", file=sys.stderr,
                          flush=True)
            except (Failed, queue.Empty) as e:
                r.na, r.times = str(e) or "watch gave no status line", []
            finally:
                proc.send_signal(2)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                print(file=sys.stderr, flush=True)
            measure(cold, lambda o: briefgen("build", "--facts", str(work / "facts"),
                                             "--templates", str(TEMPLATES), "--theme", THEME,
                                             "--format", "docx,pdf", "--out", str(o)),
                    runs, env=briefgen_env(), expect=expect_outputs(".docx", ".pdf"))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        results += [r, cold]
    return results


# -- the route without briefgen: Markdown + pandoc + LibreOffice ------------------------------


def _display(value) -> str:
    months = make_factbase.MONTHS
    if isinstance(value, date):
        return f"{value.day} {months[value.month - 1]} {value.year}"
    text = str(value)
    parts = text.split("-")
    return f"{months[int(parts[1]) - 1]} {parts[0]}" if len(parts) == 2 else text


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|$@^~])", r"\\\1", text)


def brief_markdown(facts_dir: Path, theme: str) -> tuple[str, int, int]:
    """The theme brief as a user would write it by hand: one bullet per fact with a pandoc
    footnote per citation, and a Sources annex with each source's quotes and citing facts.
    Returns (markdown, lines, footnotes)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sources, themes, facts = {}, {}, []
    for path in sorted(facts_dir.rglob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        sources.update((s["id"], s) for s in data.get("sources", []))
        themes.update((t["id"], t) for t in data.get("themes", []))
        facts += data.get("facts", [])
    for f in facts:  # YAML gives dates as date objects; YYYY and YYYY-MM stay int/str
        if not isinstance(f["date"], date):
            parts = [int(p) for p in str(f["date"]).split("-")] + [1, 1]
            f["date"] = date(*parts[:3])
    chosen = sorted((f for f in facts if theme in f["themes"]), key=lambda f: (f["date"], f["id"]))
    numbers: dict[str, int] = {}  # source id -> annex number, in order of first citation
    uses: dict[str, list[tuple[str, str]]] = {}
    t = themes[theme]
    out = [f"---\ntitle: \"{t['title']}\"\nsubtitle: \"Theme brief\"\n---\n"]
    if t.get("summary"):
        out.append(f"*{_md_escape(t['summary'])}*\n")
    month, notes, footnote = None, [], 0
    for f in chosen:
        d = f["date"]
        if (d.year, d.month) != month:
            month = (d.year, d.month)
            out.append(f"\n## {make_factbase.MONTHS[d.month - 1]} {d.year}\n")
        cites = []
        for c in f["citations"]:
            src = sources[c["source"]]
            number = numbers.setdefault(src["id"], len(numbers) + 1)
            uses.setdefault(src["id"], []).append((c["quote"], f["id"]))
            footnote += 1
            cites.append(f"[^{footnote}]")
            notes.append(f"[^{footnote}]: [{_md_escape(src['publisher'])}, "
                         f"“{_md_escape(src['title'])}”, {_display(src['published'])}]"
                         f"(#src-{number}): “{_md_escape(c['quote'])}”")
        grade = f"{sources[f['citations'][0]['source']].get('reliability', 'F')}" \
                f"{f.get('credibility', 6)}"
        out.append(f"- {_md_escape(f['statement'])} *{grade} · {_display(d)}*{''.join(cites)}")
    out.append("\n# Sources\n")
    for sid, number in numbers.items():
        src = sources[sid]
        parts = [f"**{_md_escape(src['publisher'])}**", f"*{_md_escape(src['title'])}*"]
        if src.get("author"):
            parts.append(_md_escape(src["author"]))
        parts.append(_display(src["published"]))
        if src.get("url"):
            parts.append(f"<{src['url']}>")
        parts.append(f"archived as {_md_escape(Path(src['file']).name)}")
        parts.append(f"reliability {src.get('reliability', 'F')}")
        out.append(f"{number}. []{{#src-{number}}}" + ", ".join(parts))
        quotes: dict[str, list[str]] = {}
        for quote, fact_id in uses[sid]:
            quotes.setdefault(quote, []).append(fact_id)
        for quote, ids in quotes.items():
            out.append(f"    - “{_md_escape(quote)}” ({', '.join(ids)})")
    return "\n".join(out + [""] + notes) + "\n", len(chosen), footnote


def pandoc_path() -> tuple[str | None, str]:
    try:
        import pypandoc
    except ImportError:
        if shutil.which("pandoc"):  # Debian's pandoc, say
            return shutil.which("pandoc"), ""
        return None, "pypandoc-binary is not installed (pip install pypandoc-binary)"
    try:
        return pypandoc.get_pandoc_path(), ""
    except OSError as e:
        return None, f"pandoc not found ({e}); pip install pypandoc-binary"


def soffice_path() -> tuple[str | None, str]:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path:
        return path, ""
    return None, "LibreOffice is not installed (apt-get install libreoffice-writer-nogui)"


def scenario_compare(lines: list[int], runs: int, builds: dict[int, Result]) -> list[dict]:
    pandoc, why_pandoc = pandoc_path()
    soffice, why_soffice = soffice_path()
    rows = []
    profile = Path(tempfile.mkdtemp(prefix="briefgen-bench-lo-"))  # private LibreOffice profile
    try:
        for n in lines:
            n_facts, focus = BUILD_SIZES[n]
            facts_dir = base(n_facts, focus)
            row = {"lines": n, "facts": n_facts, "note": f"{n} lines",
                   "pandoc": Result("pandoc md → docx", na="no Markdown"),
                   "soffice": Result("soffice docx → pdf", na="no Markdown")}
            build = builds.get(n)
            if build is None:
                build = scenario_build([n], runs)[0]
            row["briefgen"] = build
            work = Path(tempfile.mkdtemp(prefix="briefgen-bench-md-"))
            try:
                md, n_lines, n_notes = brief_markdown(facts_dir, THEME)
                row["note"] = f"{n_lines} lines, {n_notes} footnotes"
                if n_lines != n:
                    row["note"] += f" (expected {n} lines)"
                (work / "brief.md").write_text(md, encoding="utf-8")
                r = Result("pandoc md → docx", row["note"])
                if pandoc:
                    measure(r, lambda out, work=work: [pandoc, str(work / "brief.md"),
                                                       "-f", "markdown", "-t", "docx",
                                                       "-o", str(out / "brief.docx")],
                            runs, cwd=work, expect=expect_outputs(".docx"))
                else:
                    r.na = why_pandoc
                row["pandoc"] = r
                r = Result("soffice docx → pdf", row["note"])
                if soffice and pandoc and not row["pandoc"].na:
                    run_once([pandoc, "brief.md", "-o", "brief.docx"], work)
                    measure(r, lambda out, work=work: [soffice,
                                            f"-env:UserInstallation={profile.as_uri()}",
                                            "--headless", "--convert-to", "pdf", "--outdir",
                                            str(out), str(work / "brief.docx")],
                            runs, cwd=work, expect=expect_outputs(".pdf"))
                else:
                    r.na = why_soffice or "needs the docx from pandoc"
                row["soffice"] = r
            finally:
                shutil.rmtree(work, ignore_errors=True)
            rows.append(row)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return rows


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def table(results: list[Result]) -> str:
    rows = ["| scenario | data | runs | median | min | max | peak RSS | target | verdict |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        if r.na:
            rows.append(f"| {r.name} | {r.data} | 0 | n/a | | | | {secs(r.target)} | "
                        f"n/a: {r.na.replace('|', '/')} |")
            continue
        verdict = "" if r.target is None else "ok" if r.median <= r.target \
            else f"SLOW ({r.median / r.target:.1f}× target)"
        rows.append(f"| {r.name} | {r.data} | {len(r.times)} | {secs(r.median)} | "
                    f"{secs(min(r.times))} | {secs(max(r.times))} | {r.rss_kb / 1024:.0f} MB | "
                    f"{secs(r.target)} | {verdict} |")
    return "\n".join(rows)


def compare_table(rows: list[dict]) -> str:
    out = ["| brief | briefgen build docx+pdf | pandoc md → docx | soffice docx → pdf | "
           "pandoc + soffice | briefgen ÷ (pandoc + soffice) |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    notes = []
    for row in rows:
        cells = []
        for key in ("briefgen", "pandoc", "soffice"):
            r = row[key]
            if r.na:
                cells.append("n/a")
                notes.append(f"- {row['lines']} lines, {r.name}: n/a: {r.na}")
            else:
                cells.append(f"{secs(r.median)} ({r.rss_kb / 1024:.0f} MB)")
        route = None if row["pandoc"].na or row["soffice"].na \
            else row["pandoc"].median + row["soffice"].median
        ratio = "n/a" if route is None or row["briefgen"].na \
            else f"{row['briefgen'].median / route:.2f}"
        out.append(f"| {row.get('note', row['lines'])} | {' | '.join(cells)} | "
                   f"{secs(route) if route is not None else 'n/a'} | {ratio} |")
    return "\n".join(out + ([""] + notes if notes else []))


def ab_table(results: list[Result], revisions: list[ab.Revision]) -> str:
    """Each scenario timed in both revisions: the working tree's time ÷ the other's."""
    other = revisions[1]
    mine, theirs = f" ({revisions[0].label})", f" ({other.label})"
    rows = [f"| scenario | data | working tree: median / min | {other.label}: median / min | "
            "ratio of medians / of mins |", "| --- | --- | ---: | ---: | ---: |"]
    by_key = {(r.name, r.data): r for r in results}
    for r in results:
        if not r.name.endswith(mine):
            continue
        name = r.name[:-len(mine)]
        o = by_key.get((name + theirs, r.data))
        if o is None:
            continue
        def cell(x: Result) -> str:
            return "n/a" if x.na else f"{secs(x.median)} / {secs(min(x.times))}"
        ratio = "n/a" if r.na or o.na else \
            f"{r.median / o.median:.2f} / {min(r.times) / min(o.times):.2f}"
        rows.append(f"| {name} | {r.data} | {cell(r)} | {cell(o)} | {ratio} |")
    return "\n".join(rows)


FLOOR_IMPORTS = "import pydantic, jinja2, docx, reportlab.pdfgen.canvas"


def import_floor(runs: int) -> Result:
    """The least any `build --format docx,pdf` does: start Python and import the four libraries
    every such build needs (the fact models' pydantic, Jinja2, python-docx, reportlab)."""
    r = Result("import floor: python -c 'import pydantic, jinja2, docx, reportlab'", "—")
    return measure(r, lambda _: [sys.executable, "-c", FLOOR_IMPORTS], runs, env=briefgen_env())


def cpu_reference() -> float:
    """CPU seconds of a fixed pure-Python loop (best of 3): how fast this machine is right now.

    On a shared VM the same work can take twice as long from one minute to the next; this
    number, taken at the start and the end, says which kind of minute a table was measured in.
    """
    best = float("inf")
    for _ in range(3):
        start, total = time.process_time(), 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return best


def header(runs: int, reference: float) -> str:
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip() or "no commit"
    return (f"briefgen benchmark — {time.strftime('%Y-%m-%d %H:%M')}, git {rev}, Python "
            f"{platform.python_version()}, {platform.machine()} × {os.cpu_count()} CPUs; "
            f"median of {runs} runs after 1 warm-up; RSS = largest process of the tree; "
            f"load average {os.getloadavg()[0]:.2f}; CPU reference {reference:.2f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true",
                    help="1k-sized data only (no 10k base), 3 runs")
    ap.add_argument("--only", default=",".join(SCENARIOS),
                    help=f"comma-separated scenarios among {', '.join(SCENARIOS)}")
    ap.add_argument("--runs", type=int, help="timed runs per scenario (default 5, --quick 3)")
    ap.add_argument("--against", metavar="REV",
                    help="also time git revision REV (check, build, weekly), alternating runs "
                         "with the working tree's")
    args = ap.parse_args(argv)
    args.only_given = "--only" in (sys.argv if argv is None else argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in only if s not in SCENARIOS]
    if bad:
        ap.error(f"unknown scenario {', '.join(bad)}; choose among {', '.join(SCENARIOS)}")
    runs = args.runs or (3 if args.quick else 5)

    revisions = [ab.working_tree()]
    if args.against:
        revisions.append(ab.checkout(args.against))
    try:
        return report(args, only, runs, revisions)
    finally:
        for rev in revisions:
            ab.remove(rev)


def report(args, only: list[str], runs: int, revisions: list[ab.Revision]) -> int:
    check_sizes = [1000] if args.quick else [1000, 10000]
    build_lines = [50, 500] if args.quick else [50, 500, 5000]
    weekly_facts = 1000 if args.quick else 10000
    reference = cpu_reference()
    print(header(runs, reference) + "\n", flush=True)
    for rev in revisions[1:]:
        dropped = f", without {', '.join(rev.drop)} (a key it does not know)" if rev.drop else ""
        print(f"A/B: {rev.label} ({rev.rev}) timed beside the working tree, runs alternating; "
              f"it runs its own code and templates on the same bases{dropped}.\n", flush=True)
    results: list[Result] = []
    if "check" in only:
        results += scenario_check(check_sizes, runs, revisions)
    builds: dict[int, Result] = {}
    floor = None
    if "build" in only:
        if 50 in build_lines:
            floor = import_floor(runs)
            results.append(floor)
        for r in scenario_build(build_lines, runs, revisions):
            if r.name == named("build --format docx,pdf", revisions[0], revisions):
                builds[int(r.data.split()[0])] = r
            results.append(r)
    if "weekly" in only:
        results += scenario_weekly(weekly_facts, runs, revisions)
    sent = ""
    if "send" in only:
        rows, sent = scenario_send(1000, runs)
        results += rows
    if "miss" in only and not (args.quick and not args.only_given):
        results += scenario_miss(runs)
    if "watch" in only:
        results += scenario_watch(build_lines[:2], runs)
    if "quote" in only:
        results += scenario_quote(None, runs)
        results += scenario_quote(1000 if args.quick else 10000, runs)
    if "serve" in only:
        import html_bench
        results += html_bench.scenario_serve(build_lines[:1], runs)
    if results:
        print(table(results) + "\n", flush=True)
    if sent:
        print(sent + "\n", flush=True)
    if len(revisions) > 1 and results:
        print(ab_table(results, revisions) + "\n", flush=True)
    if floor and not floor.na and builds.get(50) and not builds[50].na:
        print(f"build ÷ import floor at 50 lines (medians): {builds[50].median:.2f} s ÷ "
              f"{floor.median:.2f} s = {builds[50].median / floor.median:.2f}\n", flush=True)
    if "compare" in only:
        rows = scenario_compare(build_lines, runs, builds)
        print("The same theme brief by hand: Markdown with pandoc footnotes → pandoc → docx, "
              "then LibreOffice docx → pdf (medians, peak RSS).\n")
        print(compare_table(rows) + "\n", flush=True)
    if "html" in only:
        import html_bench
        rows = html_bench.scenario_html(build_lines, runs)
        print("The HTML edition beside pandoc's Markdown → standalone HTML of the same brief "
              "(medians, peak RSS).\n")
        print(html_bench.html_table(rows) + "\n", flush=True)
    end = cpu_reference()
    print(f"CPU reference (a fixed pure-Python loop, lower is faster): {reference:.2f} s at the "
          f"start, {end:.2f} s at the end.")
    if max(reference, end) > 1.25 * min(reference, end):
        print("Note: the machine's speed changed during the run (shared CPU): times are noisy; "
              "min is the better guide, or re-run.")
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
