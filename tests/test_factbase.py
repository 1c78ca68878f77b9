"""`briefgen check` on what a case file cannot hold: bytes that are not UTF-8, absolute
paths and links, sizes and timings, rules every message keeps, and the forked helper's share.

The corpus of one broken file per rule, with the exact lines `check` prints, is in
cases/diagnostics/ (run by test_diagnostics.py). The tests here start from the same valid desk
(cases/desk: one source, one theme, two facts), add or replace files, and run the loader
in-process. Where a diagnostic lacks a hint today, they match the line up to where a hint would
begin, so adding a hint later does not break them; where it has one, the whole line is asserted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen.factbase.base import load_factbase
from conftest import DOCS_EXAMPLE, ROOT, write

DESK = Path(__file__).parent / "cases" / "desk"
SOURCE_TEXT = (DESK / "facts" / "sources" / "nato.txt").read_text(encoding="utf-8")
THEMES_YAML = (DESK / "facts" / "themes.yaml").read_text(encoding="utf-8")

# A fact whose every line and column the tests below rely on (see the numbers on the right).
FACT = """\
facts:
  - id: x-fact
    statement: NATO ruled out troops.
    themes: [nato-security-assistance]
    date: 2013-06-04
    citations:
      - source: nato-watch-2013-06
        quote: there will be no troop deployment
"""
#  line 2: id value at col 9            line 5: date value at col 11
#  line 3: statement value at col 16    line 7: citation source value at col 17
#  line 4: '[' at col 13, item at 14    line 8: quote value at col 16

SOURCE = """\
sources:
  - id: s-two
    title: Second source
    publisher: Somebody
    published: 2013-06-04
    file: sources/nato.txt
"""
#  line 2: id value at col 9   line 5: published value at col 16   line 6: file value at col 11


def make_base(root: Path) -> Path:
    """The valid desk under root: one source, one theme, two facts; no warnings."""
    shutil.copytree(DESK, root, dirs_exist_ok=True)
    return root / "facts"


def put(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        if isinstance(content, bytes):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        else:
            write(path, content)


def check(tmp_path: Path, monkeypatch, files: dict[str, str | bytes] | None = None) -> list[str]:
    """Every diagnostic of the valid base plus `files`, as sorted lines with relative paths."""
    make_base(tmp_path)
    put(tmp_path, files or {})
    monkeypatch.chdir(tmp_path)
    base = load_factbase(Path("facts"))
    return [str(d) for d in sorted(base.diagnostics)]


def _matches(line: str, expected: str) -> bool:
    return line == expected or line.startswith(expected + " (hint: ")


def _show(lines: list[str]) -> str:
    return "\n".join(lines) or "(no diagnostics)"


def assert_reported(lines: list[str], *expected: str) -> None:
    """Each expected line is reported (exactly, or exactly up to a hint it does not show)."""
    for e in expected:
        assert any(_matches(line, e) for line in lines), f"missing:\n{e}\n\ngot:\n{_show(lines)}"


def assert_errors(lines: list[str], *expected: str, only: str | None = None) -> None:
    """Exactly these errors, in this (sorted) order: nothing missing, no noise.

    `only` restricts the comparison to the errors of one file, for tests whose other files
    get follow-on errors.
    """
    errors = [line for line in lines if ": error: " in line
              and (only is None or line.startswith(only + ":"))]
    ok = len(errors) == len(expected) and all(map(_matches, errors, expected))
    assert ok, "expected errors:\n" + "\n".join(expected) + f"\n\ngot:\n{_show(lines)}"


# --- the valid base and the documented example ----------------------------------------------------


def test_valid_base_has_no_diagnostics(tmp_path, monkeypatch):
    assert check(tmp_path, monkeypatch) == []
    base = load_factbase(Path("facts"))
    assert list(base.facts) == ["nato-2013-no-troops", "nato-2013-expertise"]
    assert list(base.sources) == ["nato-watch-2013-06"]
    assert list(base.themes) == ["nato-security-assistance"]
    exact = base.verified[("nato-2013-no-troops", 0)].exact
    assert exact == ("there will be no troop\ndeployment and any training activities would "
                     "take place outside Libya")


def test_spec_example_fact_file_is_valid(tmp_path, monkeypatch):
    write(tmp_path / "facts" / "example.yaml", DOCS_EXAMPLE)
    write(tmp_path / "facts" / "sources" / "002_nato-watch.txt", SOURCE_TEXT)
    monkeypatch.chdir(tmp_path)
    base = load_factbase(Path("facts"))
    assert [str(d) for d in base.diagnostics] == []
    fact = base.facts["nato-2013-no-troops"]
    assert (fact.kind, fact.credibility, fact.date.display()) == ("statement", 2, "4 June 2013")
    assert base.sources["nato-watch-2013-06"].published.display() == "June 2013"


# --- source files ------------------------------------------------------------------------------

OUTSIDE_HINT = "(hint: archive the text under facts/sources/)"


def cite_s_two(files: dict) -> dict:
    """Add a fact citing s-two so no 'cited by no fact' warning muddles the test."""
    return {**files, "facts/b.yaml": FACT.replace("nato-watch-2013-06", "s-two")}


def test_source_file_given_as_absolute_path(tmp_path, monkeypatch):
    outside = write(tmp_path / "elsewhere" / "x.txt", SOURCE_TEXT)
    bad = SOURCE.replace("sources/nato.txt", str(outside))
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    assert_errors(lines, f"facts/a.yaml:6:11: error: [s-two] file: file '{outside}' must be "
                         "relative to the facts folder (hint: write it as e.g. 'sources/x.txt')")


def test_absolute_path_inside_facts_is_still_not_relative(tmp_path, monkeypatch):
    inside = (tmp_path / "facts" / "sources" / "nato.txt").resolve()
    bad = SOURCE.replace("sources/nato.txt", str(inside))
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(
        f"facts/a.yaml:6:11: error: [s-two] file: file '{inside}' "), _show(lines)


def test_source_file_escaping_through_a_symlink(tmp_path, monkeypatch):
    outside = write(tmp_path / "elsewhere" / "x.txt", SOURCE_TEXT)
    link = tmp_path / "facts" / "sources" / "link.txt"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside)
    bad = SOURCE.replace("sources/nato.txt", "sources/link.txt")
    lines = check(tmp_path, monkeypatch, cite_s_two({"facts/a.yaml": bad}))
    assert_errors(lines, f"facts/a.yaml:6:11: error: [s-two] file: file 'sources/link.txt' is "
                         f"outside the facts folder {OUTSIDE_HINT}")


def test_source_text_that_is_not_utf8(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/sources/nato.txt": "Café ".encode("latin-1")
                                          + SOURCE_TEXT.encode("utf-8")})
    assert_errors(lines, "facts/sources.yaml:7:11: error: [nato-watch-2013-06] file: file "
                         "'sources/nato.txt' is not UTF-8 text (invalid continuation byte at "
                         "byte 3) (hint: save it as UTF-8)")


# --- robustness: files that are not fact files ---------------------------------------------------


@pytest.mark.parametrize("bad, line", [
    ("facts:\n\t- id: x-fact\n\t  statement: x\n", 2),
    (FACT.replace("    date: 2013-06-04", "\tdate: 2013-06-04"), 5),
])
def test_tab_indented_file_says_tab(tmp_path, monkeypatch, bad, line):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(f"facts/a.yaml:{line}:1: error: "), \
        _show(lines)
    assert "tab" in errors[0].split("(hint:")[0], _show(lines)


def test_file_that_is_not_utf8(tmp_path, monkeypatch):
    bad = FACT.replace("NATO ruled out troops.", "NATO a refusé des troupes.").encode("latin-1")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    assert_errors(lines, "facts/a.yaml:3:28: error: not UTF-8 (byte 0xe9) "
                         "(hint: save the file as UTF-8)")


def test_alias_bomb_is_refused_at_once(tmp_path, monkeypatch):
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "\n".join(levels) + "\n"})
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"{elapsed:.1f}s: aliases are being expanded"
    assert_reported(lines, "facts/a.yaml:2:8: error: YAML alias *a is not allowed in fact files "
                           "(hint: write the value out in full)")
    assert len(lines) < 200  # one line per alias at most, never per expanded node


def test_item_that_is_not_a_mapping(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "facts:\n  - just a sentence\n"})
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1, _show(lines)
    assert errors[0].startswith("facts/a.yaml:2:5: error: "), errors[0]
    assert "instance of" not in errors[0] and "dictionary" not in errors[0], errors[0]
    assert "'just a sentence'" in errors[0] and "mapping" in errors[0], errors[0]


def test_file_over_the_size_limit(tmp_path, monkeypatch):
    from briefgen.factbase.yamlpos import MAX_FILE_BYTES

    make_base(tmp_path)
    with open(tmp_path / "facts" / "huge.yaml", "wb") as f:  # sparse: no disk, no time
        f.truncate(MAX_FILE_BYTES + 1)
    start = time.perf_counter()
    lines = check(tmp_path, monkeypatch)
    assert time.perf_counter() - start < 5
    assert_errors(lines, f"facts/huge.yaml:1:1: error: file is {MAX_FILE_BYTES + 1:,} bytes, "
                         f"larger than the {MAX_FILE_BYTES:,} a fact file may have "
                         f"(hint: split it into smaller files)")


def test_byte_order_mark_is_fine(tmp_path, monkeypatch):
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": b"\xef\xbb\xbf" + FACT.encode()})
    assert lines == []


def test_control_character_is_located(tmp_path, monkeypatch):
    bad = FACT.replace("NATO ruled out troops.", "NATO ruled\x07 out troops.")
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": bad})
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and "\n" not in errors[0], _show(lines)
    assert errors[0].startswith("facts/a.yaml:3:26: error: "), errors[0]
    assert "<unicode string>" not in errors[0]


def test_moderate_nesting_is_answered(tmp_path, monkeypatch):
    depth = 600
    lines = check(tmp_path, monkeypatch, {"facts/a.yaml": "facts: " + "[" * depth + "]" * depth})
    assert [line for line in lines if ": error: " in line], _show(lines)


def _limit_memory():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.skipif(sys.platform != "linux", reason="memory limit via RLIMIT_AS")
def test_deep_nesting_is_one_error_not_a_memory_blowup(tmp_path):
    make_base(tmp_path)
    depth = 5_000  # 1 s and 130 MB today; 100_000 needs more than the 1 GB allowed here
    put(tmp_path, {"facts/a.yaml": "facts: " + "[" * depth + "]" * depth + "\n"})
    # a process of its own, whose memory is limited
    proc = subprocess.run([sys.executable, "-m", "briefgen", "check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first.startswith("facts/a.yaml:1:") and "nest" in first.lower(), first


# --- the hint rule -------------------------------------------------------------------------------


def test_every_error_says_what_to_do(tmp_path, monkeypatch):
    files = {
        "facts/a.yaml": FACT.replace("NATO ruled out troops.", "[a list]")
                            .replace("2013-06-04", "2013-13-01")
                            .replace("    citations:", "    kind: rumour\n    credibility: high\n"
                                                       "    citations:"),
        "facts/b.yaml": "sources:\n  - id: s-two\n    title: T\n    url: ftp://x.org/y\n",
        "facts/d.yaml": FACT.replace("x-fact", "d-fact").split("    citations:")[0]
                        + "    citations: []\n",
        "facts/e.yaml": "? [a]\n: b\n",
    }
    lines = check(tmp_path, monkeypatch, files)
    bare = [line for line in lines if ": error: " in line and "(hint: " not in line]
    assert not bare, "errors without a hint:\n" + "\n".join(bare)


# --- the repository's own fact base ---------------------------------------------------------------


def test_check_of_the_repository_fact_base_has_no_errors(cli):
    proc = cli("check", cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[-1].startswith("checked ")


# --- a large base is parsed on two cores: the same diagnostics, wherever a file was parsed ----

# One broken file per kind of problem whose position the main process must find again after a
# forked helper parsed the file (it sends back events without positions).
TWO_PROCESS_CASES = {
    "unknown key": {"facts/a.yaml": FACT.replace("    date:", "    dat:")},
    "missing key": {"facts/a.yaml": FACT.replace("    statement: NATO ruled out troops.\n", "")},
    "bad date": {"facts/a.yaml": FACT.replace("2013-06-04", "2013-13-04")},
    "bad slug": {"facts/a.yaml": FACT.replace("x-fact", "X_fact")},
    "unknown theme": {"facts/a.yaml": FACT.replace("[nato-security-assistance]", "[nope]")},
    "quote not found": {"facts/a.yaml": FACT.replace("no troop", "NO troop")},
    "duplicate id": {"facts/a.yaml": FACT, "facts/b.yaml": FACT},
    "yaml syntax": {"facts/a.yaml": FACT.replace("NATO ruled out troops.", '"NATO ruled')},
    "tab": {"facts/a.yaml": FACT.replace("    date:", "\tdate:")},
    "not utf-8": {"facts/a.yaml": FACT.replace("troops.", "troupes é.").encode("latin-1")},
    "source file missing": cite_s_two({"facts/a.yaml": SOURCE.replace("nato.txt", "nope.txt")}),
    "uncited source": {"facts/a.yaml": SOURCE},
}
PADDING = "# " + "padding " * 4000 + "\n"  # makes themes.yaml the largest file, parsed locally


@pytest.mark.parametrize("case", TWO_PROCESS_CASES)
def test_two_processes_report_exactly_what_one_does(tmp_path, monkeypatch, case):
    from briefgen.factbase import files as factbase_files

    files = {**TWO_PROCESS_CASES[case], "facts/themes.yaml": THEMES_YAML + PADDING}
    one = check(tmp_path, monkeypatch, files)
    assert any(": error: " in line or ": warning: " in line for line in one)
    monkeypatch.setattr(factbase_files, "PARALLEL_BYTES", 0)
    paths = sorted(Path("facts").rglob("*.yaml"))
    remote = [str(p) for p, events in zip(paths, factbase_files.parse_files(paths), strict=True)
              if isinstance(events[0][1], bytes)]  # parsed by the helper: some positions came back
    assert remote == [str(p) for p in paths if p.name != "themes.yaml"]
    two = [str(d) for d in sorted(load_factbase(Path("facts")).diagnostics)]
    assert two == one


# --- ... and its archived texts are read, folded and verified partly by the helper ---------------

THREE_SOURCES = SOURCE + "".join(SOURCE.replace("sources:\n", "").replace("s-two", f"s-{n}")
                                 .replace("nato.txt", f"{n}.txt") for n in ("three", "four"))
QUOTING = FACT.replace("nato-watch-2013-06", "s-two").replace(
    "there will be no troop deployment", "NATO has expertise in the reform")


TEXT_CASES = {
    "all verified": {},
    "quote not found, closest passage": {"facts/c.yaml": FACT.replace("no troop", "no troops")},
    "quote in another source": {"facts/c.yaml": QUOTING.replace("s-two", "s-four")},
    "text not UTF-8": {"facts/sources/three.txt": b"\xff" + SOURCE_TEXT.encode()},
    "quote too short": {"facts/c.yaml": FACT.replace("there will be no troop deployment", "none")},
}


TEXT_ERRORS = {
    "all verified": [],
    "quote not found, closest passage": [
        "[c-fact] citations[0].quote: quote “there will be no [troops] deployment” not found in "
        "the source (hint: “troops” → “troop”; closest passage (97% similar): “there will be "
        "no [troop] deployment”)"],
    "quote in another source": [
        "[c-fact] citations[0].quote: quote “NATO has expertise in the reform” not found in the "
        "source (hint: found in source 's-two'; did you cite the wrong source?)"],
    "text not UTF-8": [
        "[s-three] file: file 'sources/three.txt' is not UTF-8 text (invalid start byte at byte "
        "0) (hint: save it as UTF-8)"],
    "quote too short": [
        "[c-fact] citations[0].quote: quote has 1 word; at least 4 are needed to pin it to one "
        "passage (hint: copy the passage verbatim from the archived text)"],
}


@pytest.mark.parametrize("case", TEXT_CASES)
def test_texts_verified_by_the_helper_give_exactly_what_one_process_gives(tmp_path, monkeypatch,
                                                                          case):
    from briefgen.factbase import files as factbase_files
    from briefgen.factbase import texts as factbase_texts

    files = {"facts/a.yaml": THREE_SOURCES, "facts/b.yaml": QUOTING,
             "facts/sources/three.txt": SOURCE_TEXT,
             "facts/sources/four.txt": "Other. " * 9 + SOURCE_TEXT.split("He added")[0],
             **TEXT_CASES[case]}
    files["facts/c.yaml"] = files.get("facts/c.yaml", FACT).replace("x-fact", "c-fact")
    make_base(tmp_path)
    put(tmp_path, files)
    one = load_factbase(tmp_path / "facts")
    monkeypatch.setattr(factbase_files, "PARALLEL_BYTES", 0)
    sent = []
    monkeypatch.setattr(factbase_texts, "split", lambda targets, sizes, share: (
        sent.extend(targets[::2]) or (targets[::2], targets[1::2])))
    two = load_factbase(tmp_path / "facts")
    assert [str(d).split(": ", 2)[-1] for d in one.errors] == TEXT_ERRORS[case]
    assert len(sent) == 2  # nato-watch-2013-06 and s-three of the four texts
    assert [str(d) for d in two.diagnostics] == [str(d) for d in one.diagnostics]
    assert two.verified == one.verified and len(one.verified) >= 3 - (case != "all verified")
