"""The diagnostics corpus: each case under cases/diagnostics/ is files put into a valid desk
and the exact lines `briefgen` prints for them (the format: cases/README.md)."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

CASES = Path(__file__).parent / "cases"
DESK = CASES / "desk"
CORPUS = CASES / "diagnostics"
HEADER = "=== "
LOCATED = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+)(?::(?P<col>\d+))?: (?:error|warning): ")


def read_case(path: Path) -> tuple[dict[str, str], list[tuple[list[str], list[str]]]]:
    """The case's files ({path in the desk: text}) and its runs ([(argv, expected lines)])."""
    sections: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith(HEADER):
            sections.append((line[len(HEADER):].rstrip("\n"), []))
        elif sections:
            sections[-1][1].append(line)
        else:
            assert line.startswith("#"), f"{path}: before the first '{HEADER}' go comments only"
    files = {name: "".join(text) for name, text in sections if not name.startswith("briefgen ")}
    runs = [(shlex.split(name)[1:], [line.rstrip("\n") for line in text])
            for name, text in sections if name.startswith("briefgen ")]
    assert runs, f"{path}: no '{HEADER}briefgen ...' section"
    return files, runs


def located(lines: list[str]) -> list[tuple[str, int, int]]:
    """(path, line, column) of each line that is located in a file."""
    found = [LOCATED.match(line) for line in lines]
    return [(m["path"], int(m["line"]), int(m["col"] or 0)) for m in found if m]


CASE_FILES = sorted(CORPUS.rglob("*.case"))


def test_the_corpus_is_there():
    assert len(CASE_FILES) > 100


@pytest.mark.parametrize("case", CASE_FILES,
                         ids=[str(p.relative_to(CORPUS).with_suffix("")) for p in CASE_FILES])
def test_case(cli, tmp_path, case):
    files, runs = read_case(case)
    shutil.copytree(DESK, tmp_path, dirs_exist_ok=True)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))  # as written in the case, line ends and all
    for argv, expected in runs:
        result = cli(*argv, cwd=tmp_path)
        assert result.stderr.splitlines() == expected, f"briefgen {shlex.join(argv)}"
        failed = expected[-1].startswith("error: ")
        assert (result.returncode, result.stdout) == (1 if failed else 0, "")
        assert not (failed and (tmp_path / "out").exists()), "a failed run writes nothing"
        assert located(expected) == sorted(located(expected)), "sorted by file, line, column"
