"""Shared test builders: fact bases on disk, sample briefs, and the command runners."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import NamedTuple

import pytest
from hypothesis import settings

from briefgen.compose.model import (Block, Brief, Cell, Citation, Cite, QuoteUse, Run,
                                    SourceEntry)
from briefgen.factbase.models import PartialDate
from browser import browser  # noqa: F401 (the fixture: a headless Chromium, see browser.py)

# Property tests check what holds, not how fast: on a shared, busy machine a time limit per
# example only makes them fail now and then.
settings.register_profile("briefgen", deadline=None)
settings.load_profile("briefgen")

ROOT = Path(__file__).resolve().parent.parent

TRICKY = "Data, not markup: <b>bold?</b> & {{ 7*7 }} {% if x %} — “curly” ‘quotes’, café, Ħaftar"
ARABIC = "مركز المستقبل للأبحاث والدراسات المتقدمة"


def one_cite(number: int, source: SourceEntry, fact_id: str, quote: str, date: str) -> Cite:
    """A line's note marker with one citation (its words added by `worded`)."""
    return Cite(number, (Citation(source, fact_id, quote, date),))


def sample_sources() -> tuple[SourceEntry, ...]:
    """Two annex entries: one Latin with a URL, one with an Arabic publisher and no URL."""
    nato = SourceEntry(
        id="nato-watch-2013-06", number=1, anchor="src_1", publisher="NATO Watch",
        title="NATO returns to Libya but not in a combat role", author="Nigel Chamberlain",
        published="June 2013", url="https://example.org/nato-watch?a=1&b=2",
        file_name="002_nato-watch.txt", reliability="C", language="en",
        quotes=(QuoteUse("there will be no troop deployment and any training activities "
                         "would take place outside Libya", ("nato-2013-no-troops",)),),
    )
    futures = SourceEntry(
        id="futures-centre-2017", number=2, anchor="src_2", publisher=ARABIC,
        title="Haftar’s motives for rapprochement with Russia (Future for Advanced Research)",
        author=None, published="28 August 2017", url=None,
        file_name="001_futures.txt", reliability="B", language="en",
        quotes=(QuoteUse("to confront regional and international pressures",
                         ("haftar-pressures", "tricky-fact")),),
    )
    return nato, futures


def sample_brief(lines: int = 4, name: str = "theme-sample") -> Brief:
    """A small but complete brief: title block, headings, notes, cited bullets and paragraphs.

    `lines` cited bullets are spread over two sections; texts include markup-like characters,
    curly quotes, accents and Arabic so writers are exercised on what real fact files hold.
    """
    nato, futures = sample_sources()
    blocks: list[Block] = [
        Block("heading", (Run("NATO security assistance"),), level=2, origin="t.md.j2:3"),
        Block("note", (Run("What NATO offers Libya and on what terms."),), origin="t.md.j2:4"),
    ]
    n = 0
    for i in range(lines):
        if i == lines // 2:
            blocks.append(Block("heading", (Run("Haftar’s motives"),), level=2, origin="t.md.j2:3"))
        src = nato if i % 2 == 0 else futures
        fact = "nato-2013-no-troops" if src is nato else "tricky-fact"
        text = (f"NATO ruled out deploying troops; training would be outside Libya ({i + 1})."
                if src is nato else f"{TRICKY} ({i + 1}).")
        n += 1
        blocks.append(Block(
            "bullet",
            (Run(text), Run(" "), Run(f"{src.reliability}2 · 4 June 2013", italic=True),
             one_cite(n, src, fact, src.quotes[0].text, "4 June 2013")),
            fact_ids=(fact,), origin="t.md.j2:6",
        ))
    n += 1
    blocks.append(Block(
        "paragraph",
        (Run("Assessment: ", bold=True), Run(f"Haftar sought Russian backing. {ARABIC}."),
         one_cite(n, futures, "haftar-pressures", futures.quotes[0].text, "August 2017")),
        fact_ids=("haftar-pressures",), origin="t.md.j2:9",
    ))
    return worded(Brief(
        name=name, title="NATO security assistance", subtitle="Theme brief · as of 28 August 2017",
        subject="Libya: NATO security assistance", keywords=("Libya", "NATO"),
        author="briefgen", created=datetime(2017, 8, 28, tzinfo=timezone.utc),
        blocks=tuple(blocks), sources=(nato, futures),
    ))


def logo_png() -> bytes:
    """A 40 x 20 PNG in the desk's navy: a logo for the writers."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), (31, 58, 95)).save(out, "PNG")
    return out.getvalue()


def full_sample() -> Brief:
    """The sample brief with all a writer lays out and tags: contents, a logo with alt text,
    headings of three model levels, Arabic, a classification and marking, a running head."""
    from dataclasses import replace

    from briefgen.compose.composer import outline
    from briefgen.compose.model import Block, Run, Style

    brief = sample_brief(lines=6)
    blocks = (Block("heading", (Run("Overview"),), level=1),
              Block("heading", (Run("Detail"),), level=3)) + tuple(
        replace(b, level=2) if b.kind == "heading" else b for b in brief.blocks)
    blocks = tuple(outline(list(blocks)))  # the levels as the composer sets them: 1, 2, 2, 2
    return replace(brief, blocks=blocks, toc=True, classification="OFFICIAL", marking="OFFICIAL",
                   running_head="Libya desk", organisation="Example Institute",
                   author="Libya desk, Example Institute",
                   style=Style(logo=logo_png(), logo_alt="The desk's emblem: a blue bar"))


def table_brief():
    """The sample brief with a captioned table in its body (its first column heads each row)
    and, in its annex, a table of 70 rows of two paragraphs each: it continues over pages."""
    brief = sample_brief()
    head = tuple(Cell(((Run(t),),), header=True) for t in ("Column one", "Column two"))
    linked = Cell(((Run("a "), Run("link", link="#note_1")),))
    short = (head, (Cell(((Run("Row one"),),), header=True), linked))
    long = (head,) + tuple((Cell(((Run(f"row {n} first"),), (Run(f"row {n} second"),))),
                            Cell(((Run(f"cell {n}"),),))) for n in range(1, 71))
    return replace(brief, blocks=brief.blocks + (
        Block("table", (Run("A captioned table"),), rows=short, widths=(1, 2)),),
        annex=(Block("heading", (Run("A long table"),), level=2),
               Block("table", (), rows=long, widths=(2, 1))))


SOURCE_FACTS = {  # what the fact files of the sample sources would say (for the wording)
    "nato-watch-2013-06": dict(published=PartialDate(2013, 6, None),
                               file="sources/002_nato-watch.txt"),
    "futures-centre-2017": dict(published=PartialDate(2017, 8, 28),
                                file="sources/001_futures.txt"),
}


def worded(brief: Brief, annotated: bool = False) -> Brief:
    """The brief with the notes, annex entries, grading key and labels the composer words."""
    from dataclasses import replace

    from briefgen.compose.apparatus import Apparatus
    from briefgen.compose.wordbook import load_wordbook

    words = Apparatus(load_wordbook(ROOT / "templates", "en"), annotated)
    sources = {s.id: SimpleNamespace(**{**s.__dict__, **SOURCE_FACTS.get(s.id, {})})
               for s in brief.sources}
    quoted: dict[str, list[int]] = {}  # source id -> the notes that cite it
    for cite in brief.cites:
        for c in cite.citations:
            quoted.setdefault(c.source.id, []).append(cite.number)
    entries = {}
    for s in brief.sources:
        uses = {q.text: list(q.fact_ids) for q in s.quotes}
        heading, lines = words.entry(sources[s.id], uses, "ab" * 32, quoted.get(s.id, []))
        entries[s.id] = replace(s, heading=heading, lines=lines, label=words.label(s.number))
    seen: set[str] = set()
    blocks = []
    for b in brief.blocks:
        inlines = []
        for i in b.inlines:
            if isinstance(i, Cite):
                parts = []
                for c in i.citations:
                    parts.append(words.citation(sources[c.source.id], c.quote, c.fact_id,
                                                c.source.id not in seen, c.source.anchor))
                    seen.add(c.source.id)
                i = replace(i, citations=tuple(replace(c, source=entries[c.source.id])
                                               for c in i.citations), note=words.note(parts))
            inlines.append(i)
        blocks.append(replace(b, inlines=tuple(inlines)))
    from briefgen.compose.composer import outline

    return replace(brief, blocks=tuple(outline(blocks)),
                   sources=tuple(entries[s.id] for s in brief.sources),
                   labels=words.words.labels, annex=words.grading_key())


@pytest.fixture
def brief() -> Brief:
    return sample_brief()


@pytest.fixture(scope="module")
def bundled_pdfs(tmp_path_factory) -> list[Path]:
    """Every bundled theme brief and the 2019-W50 weekly, as PDF, built once per module as a
    desk builds them."""
    import shutil

    from briefgen import cli

    desk = tmp_path_factory.mktemp("desk")
    for name in ("facts", "templates"):
        shutil.copytree(ROOT / name, desk / name)
    shutil.copy(ROOT / "briefgen.toml", desk)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(desk)
        mp.setenv("SOURCE_DATE_EPOCH", "1577836800")
        assert cli.main(["build", "--format", "pdf"]) == 0
        assert cli.main(["weekly", "--week", "2019-W50", "--format", "pdf"]) == 0
    return sorted((desk / "out").glob("*.pdf"))


def text_lines(page) -> list[tuple[float, float, str]]:
    """(baseline y, font size, text) of every piece of text a PDF page (pypdf) draws."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale = abs(tm[3]) or 1
            found.append((tm[5] * (cm[3] or 1) + cm[5], round(size * scale, 1), text))

    page.extract_text(visitor_text=visit)
    return found


def write(path: Path, text: str) -> Path:
    """Write dedented UTF-8 text, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


class Result(NamedTuple):
    """What a command gave: its exit code and everything it wrote to stdout and stderr."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `briefgen ARGS` in this process, as a user would in a shell: `cli("build", cwd=desk)`.

    `cwd` and `env` (a value of None removes the variable) hold until the test ends; without
    `cwd` the command runs in the test's current folder. argparse's SystemExit becomes the
    exit code, as in the console script.
    """
    from briefgen.cli import main

    def run(*args: str, cwd: Path | None = None, env: dict[str, str | None] | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        for name, value in (env or {}).items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        capsys.readouterr()  # only this command's output
        try:
            code = main(list(args))
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


def run_process(*args: str, cwd: Path | None = None, env: dict | None = None) -> Result:
    """Run `python -m briefgen ARGS` as a process of its own: only for tests of the process
    itself (entry points, signals, exit, a fresh interpreter); everything else uses `cli`."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "briefgen", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, env=full_env, timeout=300)
    return Result(proc.returncode, proc.stdout, proc.stderr)


# The fact file format's full example (every key of sources, themes and facts of docs/facts.md).
DOCS_EXAMPLE = """\
sources:
  - id: nato-watch-2013-06            # slug
    title: NATO returns to Libya but not in a combat role
    publisher: NATO Watch
    author: Nigel Chamberlain         # optional
    published: 2013-06                # YYYY, YYYY-MM or YYYY-MM-DD
    url: https://example.org/article  # optional; http or https only
    file: sources/002_nato-watch.txt  # archived text, relative to facts/; must exist inside facts/
    language: en                      # BCP 47 tag, default en
    reliability: C                    # source reliability, Admiralty scale A-F, default F

themes:
  - id: nato-security-assistance
    title: NATO security assistance
    summary: What NATO offers Libya and on what terms.   # optional, editorial

facts:
  - id: nato-2013-no-troops
    statement: NATO ruled out deploying troops; any training would take place outside Libya.
    themes: [nato-security-assistance]   # at least one; each must exist
    date: 2013-06-04                     # when it happened: YYYY, YYYY-MM or YYYY-MM-DD
    kind: statement                      # event | statement | assessment | allegation (default event)
    credibility: 2                       # information credibility, Admiralty scale 1-6, default 6
    attributed_to: Anders Fogh Rasmussen   # whose view or claim it is; expected for statement,
                                         # allegation and assessment (warning when missing)
    actors: [NATO, Anders Fogh Rasmussen]  # optional
    tags: []                             # optional
    citations:                           # at least one
      - source: nato-watch-2013-06
        quote: there will be no troop deployment and any training activities would take place outside Libya
"""


NATO_TEXT = (
    "NATO returns to Libya but not in a combat role\n\nOn the morning of the 4 June Secretary "
    "General Anders Fogh Rasmussen confirmed that NATO had decided to send an expert-level "
    "delegation to Libya to identify areas where it can provide security assistance. The "
    "General Secretary said there will be no troop deployment and any training activities "
    "would take place outside Libya.\n\nRussia’s “growing influence” in Libya worried the "
    "Alliance — and Haftar looked to Moscow for arms.\n"
)


@pytest.fixture
def templated_desk(tmp_path) -> Path:
    """The tiny desk (tiny_factbase) with its own copy of the packaged templates, to edit."""
    import shutil

    from briefgen import resources

    tiny_factbase(tmp_path)
    shutil.copytree(resources.TEMPLATES, tmp_path / "templates")
    return tmp_path


def tiny_factbase(root: Path, extra_facts: str = "") -> Path:
    """A valid fact base under root/facts: one source, two themes, three facts (+ extra YAML)."""
    facts = root / "facts"
    (facts / "sources").mkdir(parents=True, exist_ok=True)
    (facts / "sources" / "nato.txt").write_text(NATO_TEXT, encoding="utf-8")
    write(facts / "base.yaml", """
        sources:
          - id: nato-watch-2013-06
            title: NATO returns to Libya but not in a combat role
            publisher: NATO Watch
            author: Nigel Chamberlain
            published: 2013-06
            url: https://example.org/nato?a=1&b=2
            file: sources/nato.txt
            reliability: C
        themes:
          - id: nato-security-assistance
            title: NATO security assistance
            summary: What NATO offers Libya and on what terms.
          - id: russian-motives
            title: Russian motives
        facts:
          - id: nato-2013-no-troops
            statement: NATO ruled out deploying troops; any training would take place outside Libya.
            themes: [nato-security-assistance]
            date: 2013-06-04
            kind: statement
            credibility: 2
            attributed_to: Anders Fogh Rasmussen
            citations:
              - source: nato-watch-2013-06
                quote: there will be no troop deployment and any training activities would take place outside Libya
          - id: nato-2013-delegation
            statement: NATO decided to send experts to Libya to identify where it can help.
            themes: [nato-security-assistance]
            date: 2013-06-04
            credibility: 2
            citations:
              - source: nato-watch-2013-06
                quote: send an expert-level delegation to Libya
          - id: haftar-moscow-arms
            statement: Haftar looked to Moscow for arms.
            themes: [russian-motives]
            date: 2013-06
            kind: assessment
            credibility: 3
            attributed_to: NATO Watch
            citations:
              - source: nato-watch-2013-06
                quote: “growing influence” in Libya worried the Alliance – and Haftar looked to Moscow
        """)
    if extra_facts:
        write(facts / "extra.yaml", extra_facts)
    return facts

