"""Another git revision of briefgen beside the working tree, for `run.py --against REV`.

The revision is checked out with `git worktree add --detach` in a temporary folder and run
with the same Python as the working tree, its own code first on PYTHONPATH and its own
templates. It reads the same generated bases; a fact-file key that the revision does not know
yet (its `briefgen schema` lacks it) is taken out of its copy of a base, since it would refuse
the whole base otherwise. The worktree is removed at the end of the run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


@dataclass
class Revision:
    """One code base to time: the working tree (`rev` None) or a git revision's worktree."""

    label: str  # as the tables print it: "working tree" or "git 6e4b460"
    root: Path  # the folder whose briefgen/ and templates/ are run
    rev: str | None = None  # the full commit id, None for the working tree
    drop: tuple[str, ...] = ()  # fact-file keys taken out of the bases this revision reads
    _bases: dict = field(default_factory=dict)

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    def env(self) -> dict:
        """The environment of a run: this revision's code first on PYTHONPATH, .pyc files
        written (as pip writes them for an installed wheel), reproducible dates."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.root), env.get("PYTHONPATH")]))
        env.setdefault("SOURCE_DATE_EPOCH", "1577836800")
        # With PYTHONDONTWRITEBYTECODE set (as on some CI machines) every timed run would
        # compile briefgen's modules again (~0.05 s of a build's critical path here), a cost no
        # installed user pays.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def base(self, facts_dir: Path) -> Path:
        """`facts_dir` as this revision reads it: without the keys it does not know."""
        if not self.drop:
            return facts_dir
        if facts_dir not in self._bases:
            self._bases[facts_dir] = without_keys(facts_dir, self.drop)
        return self._bases[facts_dir]


def working_tree() -> Revision:
    return Revision("working tree", ROOT)


def checkout(rev: str) -> Revision:
    """A worktree of `rev` in a temporary folder (removed by `remove`)."""
    full = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    folder = Path(tempfile.mkdtemp(prefix=f"briefgen-bench-{full[:7]}-"))
    _git("worktree", "add", "--detach", "--force", str(folder), full)
    revision = Revision(f"git {full[:7]}", folder, full)
    revision.drop = tuple(sorted(schema_keys(working_tree()) - schema_keys(revision)))
    return revision


def remove(revision: Revision) -> None:
    if revision.rev is None:
        return
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(revision.root)],
                   capture_output=True)
    shutil.rmtree(revision.root, ignore_errors=True)
    for folder in revision._bases.values():
        shutil.rmtree(folder.parent, ignore_errors=True)


def schema_keys(revision: Revision) -> set[str]:
    """Every property name in the revision's JSON Schema of fact files (empty: no schema)."""
    done = subprocess.run([sys.executable, "-m", "briefgen", "schema"], cwd=revision.root,
                          env=revision.env(), capture_output=True, text=True)
    if done.returncode:
        return set()
    names: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(done.stdout))
    return names


def without_keys(facts_dir: Path, keys: tuple[str, ...]) -> Path:
    """A copy of a generated base (facts/ in a temporary folder) with each `key: value` line of
    `keys` taken out: make_factbase writes such a key as one line, never first in its item."""
    line = re.compile(rf"^ +(?:{'|'.join(map(re.escape, keys))}):[^\n]*\n", re.M)
    first = re.compile(rf"^ *- +(?:{'|'.join(map(re.escape, keys))}):", re.M)
    copy = Path(tempfile.mkdtemp(prefix="briefgen-bench-base-")) / "facts"
    shutil.copytree(facts_dir, copy, ignore=shutil.ignore_patterns("*.yaml"))
    for path in facts_dir.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if first.search(text):
            raise ValueError(f"{path}: a key to take out opens an item; cannot drop it by line")
        target = copy / path.relative_to(facts_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(line.sub("", text), encoding="utf-8")
    return copy


def _git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"run.py: git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()
