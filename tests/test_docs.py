"""The documentation in docs/ and README: every option documented, every link resolves, examples true."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml

from briefgen.cli import _parser
from briefgen.factbase.quotes import Miss, SourceText, Verified
from conftest import ROOT

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md")) + [ROOT / "README.md"]
# Pages written in another branch: linked already, checked once they exist.
PENDING = {DOCS / "curating.md"}
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def prose(path: Path) -> str:
    """A page without its fenced code blocks (links and headings there are examples)."""
    return _FENCE.sub("", path.read_text(encoding="utf-8"))


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", prose(path), re.M):
        slug = anchor(heading)
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def test_anchor_follows_github():
    assert anchor("Trying it out: `--dry-run`") == "trying-it-out---dry-run"
    assert anchor("`briefgen source add`") == "briefgen-source-add"
    assert anchor("Grading: reliability and credibility") == "grading-reliability-and-credibility"


def broken_links(page: Path, text: str) -> list[str]:
    broken = []
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # an external address
        file, _, frag = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        if dest in PENDING and not dest.exists():
            continue
        if not dest.exists():
            broken.append(f"{page.name}: {target} (no such file)")
        elif frag and frag not in anchors(dest):
            broken.append(f"{page.name}: {target} (no heading with that anchor)")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page):
    assert broken_links(page, prose(page)) == []


def test_every_docs_page_is_on_the_map():
    linked = {t.partition("#")[0] for t in _LINK.findall(prose(DOCS / "index.md"))}
    assert {p.name for p in DOCS.glob("*.md")} - {"index.md"} <= linked


def test_hints_in_the_code_name_docs_pages_that_exist():
    """Messages send users to `briefgen docs PAGE`, which works where briefgen is installed
    (an installed wheel has no docs/ folder beside the user's desk)."""
    pages = set()
    for path in (ROOT / "briefgen").rglob("*"):
        if path.suffix in (".py", ".yaml", ".toml", ".j2"):
            pages |= set(re.findall(r"`briefgen docs ([a-z-]+)`", path.read_text()))
    assert {"facts", "templates", "settings", "distribution"} <= pages
    assert {p for p in pages if not (DOCS / f"{p}.md").is_file()} == set()


def test_briefgen_docs_prints_a_page_or_names_the_pages_there_are(cli):
    page = cli("docs", "settings")
    assert (page.returncode, page.stderr) == (0, "")
    assert page.stdout == (DOCS / "settings.md").read_text(encoding="utf-8")
    assert cli("docs").stdout == (DOCS / "index.md").read_text(encoding="utf-8")
    wrong = cli("docs", "fact")
    pages = ", ".join(sorted(p.stem for p in DOCS.glob("*.md")))
    assert (wrong.returncode, wrong.stdout, wrong.stderr) == (
        2, "", f"error: no documentation page 'fact' (pages: {pages}) "
               "(hint: did you mean 'facts'?)\n")


def subcommands(parser=None, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every command's parser by name; a group such as `source` gives `source add`."""
    (sub,) = [a for a in (parser or _parser())._actions
              if isinstance(a, argparse._SubParsersAction)]
    out = {}
    for name, p in sub.choices.items():
        nested = any(isinstance(a, argparse._SubParsersAction) for a in p._actions)
        out.update(subcommands(p, f"{prefix}{name} ") if nested else {prefix + name: p})
    return out


def section(page: str, title: str) -> str:
    """The text of a page's `## title` section, up to the next `## ` heading."""
    text = (DOCS / page).read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, f"{page} has no section '## {title}'"
    return m.group(1)


@pytest.mark.parametrize("name", sorted(subcommands()))
def test_every_option_of_every_command_is_documented_in_its_section(name):
    text = section("commands.md", f"`briefgen {name}`")
    for action in subcommands()[name]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        words = action.option_strings or [action.metavar or action.dest]
        for word in words:
            assert re.search(rf"`[^`]*{re.escape(word)}(?![\w-])[^`]*`", text), \
                f"{word} of `briefgen {name}` is not in its section of docs/commands.md"


def test_commands_page_lists_every_command_in_its_map():
    head = (DOCS / "commands.md").read_text().split("## Conventions")[0]
    for name in subcommands():
        assert f"(#briefgen-{name.replace(' ', '-')})" in head


def _table_after(text: str, intro: str) -> list[tuple[str, str]]:
    block = text.split(intro, 1)[1].split("\n\n", 2)[1]
    rows = [r for r in block.splitlines() if r.startswith("| `")]
    return [tuple(c.strip() for c in r.strip("|").split(" | ", 1)) for r in rows]


def test_quote_examples_of_the_facts_page_are_true():
    text = (DOCS / "facts.md").read_text(encoding="utf-8")
    source = " ".join(line[2:] for line in text.split("With the archived text\n\n", 1)[1]
                      .split("\n\n", 1)[0].splitlines())
    archived = SourceText(source.replace("Libya. The", "Libya.\nThe").encode())
    match = _table_after(text, "these quotes match:")
    no_match = _table_after(text, "and these do not:")
    assert len(match) >= 4 and len(no_match) >= 4
    for quote, _ in match:
        assert isinstance(archived.verify(quote.strip("`")), Verified), quote
    for quote, _ in no_match:
        assert isinstance(archived.verify(quote.strip("`")), Miss), quote


def test_no_file_of_the_project_points_outside_it():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    # spelled in parts, so that this file does not name what it looks for
    shared, spec = "../" + "shared", "SP" + "EC"
    outside = re.compile(rf"{re.escape(shared)}|\b{spec}\b|{spec}\.md|{spec}'s")
    offenders = []
    for name in files:
        path = ROOT / name
        if path.suffix in (".ttf", ".png", ".docx", ".pdf") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if outside.search(text):
            offenders.append(name)
    assert offenders == []


def test_every_key_of_every_kind_is_in_the_facts_page():
    from briefgen.factbase.models import KINDS, Citation

    text = (DOCS / "facts.md").read_text(encoding="utf-8")
    for kind, model in {**KINDS, "citations": Citation}.items():
        missing = [k for k in model.model_fields if f"| `{k}` |" not in text]
        assert missing == [], f"docs/facts.md lacks the {kind} keys {missing}"


def test_the_examples_of_the_facts_page_are_valid_fact_files():
    from briefgen.factbase.models import FactFile

    text = (DOCS / "facts.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"^```yaml\n(.*?)^```", text, re.S | re.M)
              if re.match(r"(sources|themes|facts|judgments):", b)]
    assert [next(iter(yaml.safe_load(b))) for b in blocks] == [
        "sources", "themes", "facts", "judgments"]
    for block in blocks:
        data = yaml.safe_load(block)
        for item in next(iter(data.values())):  # dates as the loader keeps them: text
            for key in ("published", "date", "status_date"):
                if isinstance(item.get(key), datetime.date):
                    item[key] = item[key].isoformat()
        FactFile.model_validate(data)


def test_every_template_variable_is_in_the_templates_page():
    from briefgen.compose.views import FactView, JudgmentView, ThemeView

    text = (DOCS / "templates.md").read_text(encoding="utf-8")
    names = [f.name for view in (FactView, ThemeView, JudgmentView)
             for f in dataclasses.fields(view)]
    names += ["themes", "desk", "words", "issued", "annotated", "week", "start", "end",
              "developments", "key_points", "best_graded", "judgments", "all_themes",
              "standing", "cutoff", "judged"]
    assert [n for n in names if f"`{n}`" not in text] == []
