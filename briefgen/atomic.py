"""Put files in place atomically: all of a run's files or none, never half a file."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from briefgen.errors import BriefgenError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


STAGING = ".briefgen-staging-"  # a run's staging folder, inside the output folder
NEW = ".briefgen-new-"  # the same before it is locked and named (for microseconds)
MANIFEST = "MANIFEST"  # in a staging folder: every file is staged, the moves may begin


def write_atomically(files: dict[Path, bytes | Callable[[], bytes]]) -> list[Path]:
    """Put every file in place, all of them or none: a run's outputs never mix with another's.

    A file's content may be given as a function that makes it: it is called when that file is
    written, so a run of many large files (a dry run's messages) holds one at a time.

    The files are written into a staging folder next to them; once all are there, a manifest
    says so and they are moved into place. A run killed before the manifest leaves only the
    staging folder, which the next run removes; one killed while moving is finished by the
    next run (a lock tells a dead run's folder from a running one's).
    """
    if not files:
        return []
    root = Path(os.path.commonpath([os.path.abspath(p.parent) for p in files]))
    staging = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        recover(root)
        staging = _Staging(root)
        for i, (path, data) in enumerate(files.items()):
            staging.add(str(i), os.path.relpath(os.path.abspath(path), root),
                        data() if callable(data) else data)
        staging.commit()
    except OSError as e:
        raise BriefgenError(f"cannot write {e.filename or 'output'}: {e.strerror}") from None
    finally:
        if staging is not None:
            staging.close()
    return list(files)


@contextlib.contextmanager
def held_lock(folder: Path):
    """An exclusive lock on `folder` while the block runs: two commands that read, change and
    replace files in it (two `source add` at once) take turns instead of losing one's work."""
    try:
        lock = _lock(Path(folder), block=True)
    except OSError as e:
        raise BriefgenError(f"cannot lock {e.filename or folder}: {e.strerror}") from None
    try:
        yield
    finally:
        if lock >= 0:
            os.close(lock)


def recover(root: Path) -> None:
    """Finish or remove the staging folders of runs that were killed (not of running ones)."""
    import time

    for folder in [*root.glob(STAGING + "*"), *root.glob(NEW + "*")]:
        try:
            if folder.name.startswith(NEW) and folder.stat().st_mtime > time.time() - 60:
                continue  # a run is about to lock it
            lock = _lock(folder, block=False)
        except OSError:
            continue  # a running briefgen holds it (or it is not ours to touch)
        try:
            manifest = folder / MANIFEST
            if manifest.is_file():  # killed while moving files into place: finish the moves
                for staged, final in json.loads(manifest.read_text(encoding="utf-8")):
                    if (folder / staged).exists() and ".." not in Path(final).parts:
                        os.replace(folder / staged, root / final)
        except (OSError, ValueError):
            pass  # unreadable: the new run writes its own files anyway
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            os.close(lock)


class _Staging:
    """A run's staging folder, locked (so that others leave it alone) until it is removed."""

    def __init__(self, root: Path):
        self.root = root
        # Locked before it gets the name `recover` looks for: never taken for a dead run's.
        new = tempfile.mkdtemp(prefix=NEW, dir=root)
        self.lock = _lock(Path(new), block=True)
        self.folder = root / (STAGING + Path(new).name.removeprefix(NEW))
        os.rename(new, self.folder)
        self.entries: list[tuple[str, str]] = []
        self.moving = False  # between the manifest and the last move

    def add(self, name: str, final: str, data: bytes) -> None:
        (self.root / final).parent.mkdir(parents=True, exist_ok=True)
        with open(self.folder / name, "wb") as f:
            f.write(data)
        os.chmod(self.folder / name, _mode(self.root / final))
        self.entries.append((name, final))

    def commit(self) -> None:
        manifest = self.folder / MANIFEST
        (self.folder / "manifest.tmp").write_text(json.dumps(self.entries), encoding="utf-8")
        os.replace(self.folder / "manifest.tmp", manifest)  # from here on, the moves will happen
        self.moving = True
        for name, final in self.entries:
            os.replace(self.folder / name, self.root / final)
        self.moving = False

    def close(self) -> None:
        if not self.moving:  # else a move failed: the next run finishes the others
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.lock >= 0:
            os.close(self.lock)


def _mode(path: Path) -> int:
    """The permissions a file written to `path` gets: those of the file it replaces (other
    people of a shared desk keep their access), else what the umask allows a new file."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _lock(folder: Path, block: bool) -> int:
    """An open descriptor of `folder` holding an exclusive lock; the system drops the lock
    when the process ends, however it ends. OSError when another process holds it."""
    if fcntl is None:  # no locks (Windows): leave other runs' folders alone
        if not block:
            raise OSError("cannot lock")
        return -1
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
    except OSError:
        os.close(fd)
        raise
    return fd
