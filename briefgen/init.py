"""`briefgen init`: write a new desk folder from the packaged skeleton, all files or none."""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from briefgen import resources
from briefgen.factbase.models import json_schema
from briefgen.errors import BriefgenError, UsageError, display_path

DEFAULT_REGION = "Northland"
# The region is written into YAML plain scalars, TOML strings and verbatim quotes: letters,
# digits, spaces and a few joiners keep all three valid without escaping.
_REGION = re.compile(r"[^\W\d_][\w .'’-]{0,59}")


def skeleton_files(region: str) -> dict[Path, bytes]:
    """Every file of a new desk, relative to the desk folder, with `region` filled in."""
    if not _REGION.fullmatch(region) or region != region.strip():
        raise UsageError(f"--region '{region}' must be a place name of letters, digits, spaces, "
                         "hyphens, dots or apostrophes, starting with a letter (at most 60)")
    files: dict[Path, bytes] = {}
    for path in sorted(resources.SKELETON.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(resources.SKELETON)
        # dot-files are stored without their dot: package-data globs skip hidden files
        rel = rel.with_name("." + rel.name[4:]) if rel.name.startswith("dot-") else rel
        text = Template(path.read_text(encoding="utf-8")).substitute(region=region)
        files[rel] = text.encode("utf-8")
    files[Path("facts/schema.json")] = json_schema().encode("utf-8")
    return dict(sorted(files.items()))


def init(dir: Path = Path("."), region: str = DEFAULT_REGION, force: bool = False) -> list[Path]:
    """Write a new desk into `dir`; refuse to overwrite any file unless `force`. Paths written."""
    from briefgen.atomic import write_atomically

    dir = Path(dir)
    files = {dir / rel: data for rel, data in skeleton_files(region).items()}
    if dir.exists() and not dir.is_dir():
        raise BriefgenError(f"{display_path(dir)} exists and is not a folder")
    clashes = [p for p in files if p.exists() or p.is_symlink()]
    if clashes and not force:
        more = f" (and {len(clashes) - 1} more of the new desk's files)" if clashes[1:] else ""
        raise BriefgenError(f"{display_path(clashes[0])} already exists{more}; nothing was "
                            "written (hint: pass --force to overwrite them)")
    folders = [p for p in clashes if p.is_dir()]
    if folders:
        raise BriefgenError(f"{display_path(folders[0])} is a folder where the new desk has a "
                            "file; nothing was written (hint: move it away)")
    return write_atomically(files)
