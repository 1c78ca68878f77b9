"""Work that grows with the input: linear where it must be, a documented limit where not.

Work is counted, not timed: the Python lines a command runs and the functions it calls
(sys.settrace), at n and at 4n. Linear work grows about 4-fold; the quadratic walks these
tests stand guard against grew 8- to 16-fold.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from conftest import tiny_factbase

TESTS = Path(__file__).resolve().parent


# Counts the Python lines and calls of what `measured` runs, in a fresh interpreter (what
# earlier tests left in this one, threads and caches, stays out of the count), after `setup`
# has run it once: imports and fonts are read once per process.
STEPS = """
import sys
count = 0

def trace(frame, event, arg):
    global count
    count += 1
    return trace

from briefgen.cli import main
{setup}
sys.settrace(trace)
{measured}
sys.settrace(None)
print(count)
"""


def steps(measured: str, setup: str = "", cwd: Path | None = None) -> int:
    """How many Python lines and calls the statements `measured` run (see STEPS)."""
    import subprocess

    program = STEPS.format(setup=setup, measured=measured)
    done = subprocess.run([sys.executable, "-c", program], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(TESTS)})
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split()[-1])


def judgment_chain(root: Path, n: int, newest_first: bool = False) -> Path:
    """The tiny fact base and n judgments, each resting on the one before it; the first rests
    on a fact. Listed oldest first, or newest first (each judgment before its basis)."""
    tiny_factbase(root)
    lines = ["judgments:"]
    for k in range(n - 1, -1, -1) if newest_first else range(n):
        basis = "nato-2013-no-troops" if k == 0 else f"link-{k - 1}"
        lines += [f"  - id: link-{k}", f"    statement: Judgment {k} holds.",
                  "    themes: [nato-security-assistance]", "    date: 2019-12-13",
                  "    likelihood: likely", "    confidence: moderate",
                  f"    based_on: [{basis}]"]
    (root / "facts" / "chain.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def growth(tmp_path: Path, args: list[str], n: int, **chain) -> float:
    """How many times more steps `briefgen ARGS` takes on a chain of 4n judgments than of n
    (each run once first, to warm the process)."""
    run = f"assert main({args!r}) == 0"
    counts = [steps(run, setup=run, cwd=judgment_chain(tmp_path / str(size), size, **chain))
              for size in (n, 4 * n)]
    return counts[1] / counts[0]


def test_check_of_a_chain_of_judgments_is_linear(tmp_path, cli):
    assert growth(tmp_path, ["check"], 300) < 5
    result = cli("check", cwd=tmp_path / "1200")
    assert result.stderr == ("checked 3 facts, 1200 judgments, 1 source, 2 themes: 0 errors, "
                             "0 warnings\n")


def test_impact_down_a_chain_of_judgments_is_linear(tmp_path, cli):
    assert growth(tmp_path, ["impact", "nato-2013-no-troops"], 300, newest_first=True) < 5
    result = cli("impact", "nato-2013-no-troops", cwd=tmp_path / "1200")
    assert "judgments (1200):\n  link-1199\n" in result.stdout


def dry_run_peak(root: Path, readers: int, cli) -> tuple[int, int]:
    """(peak traced memory, size of one message) of `send --dry-run` to `readers` readers."""
    import tracemalloc

    tiny_factbase(root)
    (root / "readers.yaml").write_text("readers:\n" + "".join(
        f"  - name: Reader {i}\n    email: reader{i}@example.org\n" for i in range(readers)),
        encoding="utf-8")
    tracemalloc.start()
    try:
        result = cli("send", "--week", "2013-W23", "--dry-run", cwd=root,
                     env={"BRIEFGEN_FROM": "Briefs <briefs@example.org>"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"wrote {readers} messages to out/outbox/2013-W23 (of {readers} " \
                            "readers; dry run, nothing sent)\n"
    messages = sorted((root / "out" / "outbox" / "2013-W23").glob("*.eml"))
    assert len(messages) == readers
    return peak, messages[0].stat().st_size


def test_a_dry_run_holds_one_message_at_a_time(tmp_path, cli):
    import gc

    # As the console script runs it, without the cycle collector: garbage that only the
    # collector would free (a cycle per message) stays, as it would for 10,000 readers.
    gc.collect()
    gc.disable()
    try:
        # The first run of a process loads what it keeps: fonts, templates, and the names of
        # the outbox's files, which pathlib interns (a one-off growth of the interned table)
        dry_run_peak(tmp_path / "warm", 160, cli)
        small, size = dry_run_peak(tmp_path / "small", 40, cli)
        large, _ = dry_run_peak(tmp_path / "large", 160, cli)
    finally:
        gc.enable()
    # 120 more readers: holding their messages would add 120 messages' worth (10 MB)
    assert large - small < 10 * size


def long_line(chars: int):
    """A brief of one paragraph of `chars` characters ending in one note: one text block of
    chars/80 lines over as many pages as it takes."""
    from dataclasses import replace

    from briefgen.compose.model import Block, Run
    from conftest import one_cite, sample_brief, worded

    brief = sample_brief()
    nato = brief.sources[0]
    text = ("NATO ruled out deploying troops; any training would take place outside Libya. "
            * (chars // 78 + 1))[:chars]
    line = Block("paragraph", (Run(text), one_cite(1, nato, "nato-2013-no-troops",
                                                   nato.quotes[0].text, "4 June 2013")),
                 fact_ids=("nato-2013-no-troops",))
    return worded(replace(brief, blocks=(line,)))


def test_a_pdf_lays_out_a_long_line_in_linear_work():
    import io

    from pypdf import PdfReader

    from briefgen import resources
    from briefgen.writers.pdf.writer import render_pdf

    setup = ("from briefgen import resources\nfrom briefgen.writers.pdf.writer import "
             "render_pdf\nfrom test_scaling import long_line\n"
             "render_pdf(long_line(1000), resources.FONTS)\nbrief = long_line({})")
    work = [steps("render_pdf(brief, resources.FONTS)", setup=setup.format(chars))
            for chars in (50_000, 200_000)]
    assert work[1] / work[0] < 5
    pages = []
    for chars in (50_000, 200_000):
        reader = PdfReader(io.BytesIO(render_pdf(long_line(chars), resources.FONTS)))
        pages.append(len(reader.pages))
        assert "1 NATO Watch" in reader.pages[-2].extract_text() + \
            reader.pages[-1].extract_text()  # the note, on the page of its marker
    assert pages[1] > 3.5 * pages[0] > 30


def test_a_statement_longer_than_a_brief_can_hold_is_refused_where_it_stands(tmp_path, cli):
    from briefgen.factbase.base import MAX_STATEMENT_CHARS

    desk = tiny_factbase(tmp_path).parent
    base = desk / "facts" / "base.yaml"
    long = ("NATO decided to send experts to Libya. " * (MAX_STATEMENT_CHARS // 39 + 1)).strip()
    base.write_text(base.read_text(encoding="utf-8").replace(
        "statement: NATO decided to send experts to Libya to identify where it can help.",
        f"statement: {long}"), encoding="utf-8")
    message = (f"facts/base.yaml:28:16: error: [nato-2013-delegation] statement: statement has "
               f"{len(long):,} characters; a statement may have at most 100,000 (hint: a brief "
               "line has at most 60 words: split it into facts, and quote the long text from "
               "its source)\n")
    for command in ("check", "build"):
        result = cli(command, cwd=desk)
        assert result.returncode == 1
        assert result.stderr.startswith(message), result.stderr[:400]
    assert not (desk / "out").exists()
