"""The archive of what was sent: the exact bytes of every attached file, content-addressed
under the desk's out/archive/ (named by SHA-256), written once and never rewritten; the ledger
records which message carried which file. `ledger --save` and `ledger --verify` read it."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from briefgen.errors import BriefgenError, ProblemsError, display_path

FOLDER = "archive"


class ArchiveError(BriefgenError):
    """A file cannot be archived, or the archive does not hold what the ledger says."""


class ArchiveDamaged(ProblemsError):
    """`ledger --verify` found missing or altered files: one line each, then a count."""

    def __init__(self, problems: list[str], checked: int):
        super().__init__(problems)
        self.checked = checked

    def lines(self) -> list[str]:
        n = len(self.problems)
        return super().lines() + [
            f"{n} of {self.checked} archived file{'s' * (self.checked != 1)} "
            f"{'is' if n == 1 else 'are'} missing or altered (hint: restore out/archive/ from "
            "a backup: these are the files the readers received)"]


def path_of(out: Path, sha256: str, filename: str) -> Path:
    """Where the file with this SHA-256 is kept: out/archive/ab/abcd….pdf."""
    return Path(out) / FOLDER / sha256[:2] / (sha256 + Path(filename).suffix.lower())


def keep(out: Path, filename: str, data: bytes) -> tuple[str, str, int]:
    """Archive `data` (once: a file already there is checked, never rewritten); returns the
    ledger's record of it: (file name, SHA-256, size)."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = path_of(out, sha256, filename)
    if path.exists():
        _check(path, sha256)
        return filename, sha256, len(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        # read-only from the start (as the umask allows): an archived file is never changed
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp, path)  # never replaces a file that is there
            except FileExistsError:  # another send archived the same bytes meanwhile
                _check(path, sha256)
        finally:
            temp.unlink(missing_ok=True)
    except OSError as e:
        raise ArchiveError(f"cannot archive {filename} in {display_path(path.parent)}/: "
                           f"{e.strerror or e} (hint: briefgen send keeps every file it sends "
                           "under out/archive/; free some space or make it writable)") from None
    return filename, sha256, len(data)


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _check(path: Path, sha256: str) -> None:
    found = digest(path)
    if found != sha256:
        raise ArchiveError(f"{display_path(path)} was altered: its SHA-256 is {found}, not "
                           f"{sha256} (hint: restore it from a backup; briefgen ledger --verify "
                           "checks the whole archive)")


def verify(out: Path, attachments, deliveries) -> tuple[int, list[str]]:
    """Each archived file the ledger names, checked: (files checked, one problem per missing
    or altered file, naming a message that carried it)."""
    carried = {}
    for a in attachments:
        carried.setdefault((a.sha256, Path(a.filename).suffix.lower()), a)
    by_id = {d.message_id: d for d in deliveries}
    problems = []
    for (sha256, _), a in sorted(carried.items()):
        path = path_of(out, sha256, a.filename)
        row = by_id.get(a.message_id)
        what = f"{a.filename}, sent to {row.address} ({row.week})" if row else a.filename
        if not path.is_file():
            problems.append(f"{display_path(path)} is missing ({what})")
            continue
        found = digest(path)
        if found != sha256:
            problems.append(f"{display_path(path)} was altered: its SHA-256 is {found}, the "
                            f"ledger's {sha256} ({what})")
    return len(carried), problems


def save(out: Path, attachments, folder: Path) -> list[Path]:
    """The archived files, under the names they were attached with, into `folder` (each
    checked against the ledger first); a name carried by two different files gets the
    short hash of the later one."""
    from briefgen.atomic import write_atomically

    files: dict[Path, bytes] = {}
    for a in attachments:
        path = path_of(out, a.sha256, a.filename)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ArchiveError(f"cannot read the archived {a.filename} at {display_path(path)}: "
                               f"{e.strerror or e} (hint: briefgen ledger --verify checks the "
                               "archive; restore out/archive/ from a backup)") from None
        if hashlib.sha256(data).hexdigest() != a.sha256:
            _check(path, a.sha256)
        name = Path(a.filename.replace("\\", "/")).name  # a name, never a path elsewhere
        target = Path(folder) / (name if name not in ("", ".", "..") else a.sha256 + ".bin")
        if target in files and files[target] != data:
            target = target.with_name(f"{target.stem}-{a.sha256[:8]}{target.suffix}")
        files[target] = data
    return write_atomically(files) if files else []
