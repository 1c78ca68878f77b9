"""`briefgen send`: plan who gets which edition, build each distinct brief once, send or write.

An *edition* is the week plus the content hash of a reader's brief (see message.content_hash).
Per reader the ledger decides:
- this edition already 'sent' -> skip ("already sent");
- an earlier edition of the week 'sent' -> "changed since sent": reported, not sent, and the run
  exits 1 (the reader holds an outdated brief: a cron job must not look green). With
  --resend-changed it is sent with "(corrected)" in the subject and a References header naming
  the message it corrects; a correction once started is finished by later runs without the flag;
- otherwise send, resuming whatever a previous run left 'sending', 'deferred' or 'failed'
  (permanent failures are not retried within a run, but a new run is a deliberate retry).

Temporary failures (4xx, dropped or refused connections, timeouts) are retried up to
BRIEFGEN_SMTP_RETRIES attempts per message, waiting BRIEFGEN_SMTP_BACKOFF seconds, doubling
each time. When the server itself stays unreachable, or a failure is fatal (bad login,
untrusted certificate), the run stops: the rest is "not sent" until the next run.
Exit code 0 only when every reader has this week's current edition.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from email.message import MIMEPart
from pathlib import Path

from briefgen.compose.model import Brief
from briefgen.distribution.ledger import Ledger, Row, print_status
from briefgen.distribution.message import (Summary, attachment_name, attachment_part,
                                           body_part, build_message, content_hash, flatten,
                                           message_id, summarize)
from briefgen.distribution.readers import Reader, load_readers
from briefgen.distribution.settings import Settings, load_settings
from briefgen.distribution.smtp import Failure, Mailer
from briefgen.errors import BriefgenError, display_path

LEDGER = "ledger.sqlite"
ORDER = ("sent", "written", "already sent", "changed", "deferred", "failed", "not sent")


@dataclass
class Edition:
    """One distinct brief: the same themes give the same edition, however many readers."""

    themes: tuple[str, ...] | None
    brief: Brief
    id: str  # e.g. 2019-W50-3f2a9c0d1e4b
    summary: Summary
    parts: list[MIMEPart] | None = None  # attachments, rendered only when someone needs them
    bodies: dict[bool, MIMEPart] = field(default_factory=dict)  # corrected? -> text and HTML


@dataclass
class Item:
    """What happens for one reader in this run."""

    reader: Reader
    edition: Edition
    action: str  # "send" | "already sent" | "changed"
    msgid: str
    corrected: bool = False
    replaces: str | None = None  # Message-ID of the earlier edition a correction replaces


class SendError(BriefgenError):
    """Not every reader was served: one line per problem, then the summary line."""

    def __init__(self, problems: list[str], summary: str, exit_code: int = 1):
        self.problems, self.summary, self.exit_code = problems, summary, exit_code
        super().__init__(summary)

    def lines(self) -> list[str]:
        return [f"error: {p}" for p in self.problems] + [self.summary]


@dataclass
class Report:
    total: int
    counts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    built: int = 0  # briefs rendered (PDF/Word), not messages
    connections: int = 0  # SMTP connections opened
    outbox: Path | None = None
    interrupted: bool = False

    @property
    def served(self) -> bool:
        return not self.problems and all(self.counts[k] == 0 for k in
                                         ("changed", "deferred", "failed", "not sent"))

    def line(self) -> str:
        parts = []
        for key in ORDER:
            n = self.counts[key]
            if key == "sent" and self.outbox is None:
                parts.append(f"sent {n}")
            elif key == "written" and self.outbox is not None:
                parts.append(f"wrote {n} message{'s' * (n != 1)} to {display_path(self.outbox)}")
            elif n and key not in ("sent", "written"):
                parts.append(f"{key} {n}")
        tail = f"of {self.total} reader{'s' * (self.total != 1)}"
        if self.outbox is not None:
            tail += "; dry run, nothing sent"
        return f"{', '.join(parts)} ({tail})"


def send(facts: Path, templates: Path, week: str, readers: Path, dry_run: bool = False,
         out: Path = Path("out"), format: tuple = ("pdf",), resend_changed: bool = False,
         status: bool = False) -> list[Path]:
    """The `briefgen send` command: returns the .eml files a dry run wrote (else nothing)."""
    if status:
        print_status(Path(out) / LEDGER, week)
        return []
    report = run(facts, templates, week, readers, dry_run=dry_run, out=Path(out),
                 format=format, resend_changed=resend_changed)
    if report.interrupted:
        raise SendError(report.problems + ["interrupted; re-run to send the rest"],
                        report.line(), exit_code=130)
    if not report.served:
        raise SendError(report.problems, report.line())
    print(report.line(), file=sys.stderr)
    return report.paths


def run(facts: Path, templates: Path, week: str, readers: Path, *, dry_run: bool = False,
        out: Path = Path("out"), format: tuple = ("pdf",), resend_changed: bool = False,
        settings: Settings | None = None) -> Report:
    """Plan, build and send (or write); the counts and problems come back in a Report."""
    from briefgen.api import check
    from briefgen.compose.specs import parse_week

    parse_week(week)  # a week that does not exist is a usage error before anything else
    settings = settings or load_settings(dry_run=dry_run)
    base = check(Path(facts))
    reader_list = load_readers(Path(readers), base.themes)
    ledger_path = out / LEDGER
    if dry_run:
        ledger = Ledger.open(ledger_path, readonly=True) if ledger_path.is_file() else None
    else:
        ledger = Ledger.open(ledger_path)
    try:
        history = ledger.by_reader(week) if ledger else {}
        items = plan(base, Path(templates), week, reader_list, history, settings, resend_changed)
        report = Report(total=len(items))
        for item in items:
            if item.action == "already sent":
                report.counts["already sent"] += 1
            elif item.action == "changed":
                report.counts["changed"] += 1
                report.problems.append(f"{item.reader.address}: changed since sent; use "
                                       "--resend-changed to send the corrected brief")
        todo = [item for item in items if item.action == "send"]
        render_editions(todo, Path(templates), format, report)
        if dry_run:
            write_outbox(todo, out / "outbox" / week, settings, report)
        else:
            deliver(todo, ledger, week, settings, report)
    finally:
        if ledger:
            ledger.close()
    return report


def plan(base, templates: Path, week: str, readers: list[Reader],
         history: dict[str, list[Row]], settings: Settings, resend_changed: bool) -> list[Item]:
    """Compose each distinct theme set's brief once and decide, per reader, what to do."""
    from briefgen.compose.specs import weekly_spec
    from briefgen.compose.composer import compose

    editions: dict[tuple | None, Edition] = {}
    items = []
    for reader in readers:
        edition = editions.get(reader.themes)
        if edition is None:
            spec = weekly_spec(base, week, list(reader.themes) if reader.themes else None)
            brief = compose(base, templates, spec)
            edition = editions[reader.themes] = Edition(
                reader.themes, brief, f"{week}-{content_hash(brief)}",
                summarize(brief, week, spec.context["period"]))
        rows = history.get(reader.key, [])
        current = next((r for r in rows if r.edition == edition.id), None)
        # A resumed message keeps the Message-ID it was first sent with, even if BRIEFGEN_FROM
        # changed since: a duplicate after a crash stays recognisable.
        msgid = current.message_id if current else message_id(edition.id, reader.key,
                                                               settings.sender)
        earlier = [r for r in rows if r.edition != edition.id and r.status == "sent"]
        if current is not None and current.status == "sent":
            items.append(Item(reader, edition, "already sent", msgid))
        elif earlier and not (resend_changed or (current is not None and current.corrected)):
            items.append(Item(reader, edition, "changed", msgid))
        else:
            replaces = earlier[-1].message_id if earlier else None
            items.append(Item(reader, edition, "send", msgid, bool(earlier), replaces))
    return items


def render_editions(items: list[Item], templates: Path, formats: tuple, report: Report) -> None:
    """Render (PDF and/or Word) each edition someone in `items` needs, once."""
    from briefgen.output import render

    for item in items:
        edition = item.edition
        if edition.parts is None:
            files = render(edition.brief, tuple(formats), templates)
            edition.parts = [attachment_part(files[f".{fmt}"],
                                             attachment_name(edition.brief, f".{fmt}"))
                             for fmt in formats]
            report.built += 1


def _message(item: Item, settings: Settings):
    edition = item.edition
    body = edition.bodies.get(item.corrected)
    if body is None:
        body = edition.bodies[item.corrected] = body_part(edition.summary, edition.id,
                                                          item.corrected)
    return build_message(item.reader, edition.summary, edition.parts, sender=settings.sender,
                         msgid=item.msgid, edition=edition.id, corrected=item.corrected,
                         replaces=item.replaces, body=body)


def write_outbox(items: list[Item], folder: Path, settings: Settings, report: Report) -> None:
    """--dry-run: each message as `<address>.eml`, written all at once; stale ones removed."""
    from briefgen.output import write_atomically

    files = {folder / eml_name(item.reader.address): flatten(_message(item, settings))
             for item in items}
    report.paths = write_atomically(files)
    if folder.is_dir():
        for stale in folder.glob("*.eml"):
            if stale not in files:
                stale.unlink()
    report.counts["written"] = len(files)
    report.outbox = folder


def eml_name(address: str) -> str:
    """A file name for an address: the address itself when it is safe, else a safe form + hash."""
    import hashlib

    safe = "".join(c if c.isalnum() or c in "@.+-_" else "_" for c in address)
    safe = safe.lstrip(".") or "reader"
    if safe != address:
        safe += "-" + hashlib.sha256(address.encode("utf-8")).hexdigest()[:8]
    return safe + ".eml"


def deliver(items: list[Item], ledger: Ledger, week: str, settings: Settings,
            report: Report) -> None:
    """Send each message over one connection, retrying temporary failures with backoff."""
    progress = _progress(len(items))
    task = progress.add_task("sending", total=len(items)) if progress else None
    done = 0
    mailer = Mailer(settings)
    try:
        with mailer, closing(_prepared(items, settings)) as prepared:
            for item, data in prepared:
                report.counts[_deliver_one(item, data, mailer, ledger, week, settings,
                                           report)] += 1
                done += 1
                if progress:
                    progress.advance(task)
    except _Stop as stop:
        left = len(items) - done
        report.counts["not sent"] += left
        report.problems.append(f"stopped: {stop}; {left} reader{'s' * (left != 1)} not sent "
                               "(re-run to resume)")
    except KeyboardInterrupt:
        report.counts["not sent"] += len(items) - done
        report.interrupted = True
    finally:
        report.connections = mailer.connections
        if progress:
            progress.stop()


class _Stop(Exception):
    """Nothing more can be sent in this run (fatal error, or the server stays unreachable)."""


def _prepared(items: list[Item], settings: Settings, ahead: int = 4):
    """(item, message bytes) in order, built a few messages ahead in a worker thread, so
    that building overlaps with waiting for the server."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    def build(item: Item) -> bytes:
        return flatten(_message(item, settings))

    pending = deque()
    upcoming = iter(items)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefgen-build")
    try:
        for item in upcoming:
            pending.append((item, pool.submit(build, item)))
            if len(pending) >= ahead:
                break
        while pending:
            item, future = pending.popleft()
            following = next(upcoming, None)
            if following is not None:
                pending.append((following, pool.submit(build, following)))
            yield item, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _deliver_one(item: Item, data: bytes, mailer: Mailer, ledger: Ledger, week: str,
                 settings: Settings, report: Report) -> str:
    """One reader's message: 'sent', 'failed' or 'deferred'; raises _Stop to end the run."""
    reader, edition = item.reader, item.edition
    for attempt in range(1, settings.attempts + 1):
        last = attempt == settings.attempts
        gave_up = f"gave up after {attempt} attempt{'s' * (attempt != 1)}"
        try:
            mailer.connect()
        except Failure as failure:
            if failure.kind == "fatal":
                raise _Stop(str(failure)) from None
            if last:
                raise _Stop(f"{failure} ({gave_up})") from None
            time.sleep(settings.delay(attempt))
            continue
        ledger.begin(edition=edition.id, reader=reader.key, week=week, address=reader.address,
                     themes=",".join(reader.themes) if reader.themes else "*",
                     message_id=item.msgid, corrected=item.corrected)
        try:
            mailer.send(data, reader.address)
        except Failure as failure:
            if failure.kind == "permanent":
                ledger.finish(edition.id, reader.key, "failed", str(failure))
                report.problems.append(f"{reader.address}: {failure} (permanent failure)")
                return "failed"
            ledger.finish(edition.id, reader.key, "deferred", str(failure))
            if failure.kind == "fatal":
                raise _Stop(str(failure)) from None
            if last and failure.connection:  # the server itself is in trouble: stop here
                raise _Stop(f"{failure} ({gave_up})") from None
            if last:  # this recipient's trouble: record it and go on with the others
                report.problems.append(f"{reader.address}: {failure} (temporary failure; "
                                       f"{gave_up})")
                return "deferred"
            time.sleep(settings.delay(attempt))
            continue
        ledger.finish(edition.id, reader.key, "sent")
        return "sent"
    raise AssertionError("unreachable")


def _progress(total: int):
    """A progress bar on stderr for many readers, when stderr is a terminal."""
    if total < 2 or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    progress = Progress("[progress.description]{task.description}", BarColumn(),
                        MofNCompleteColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True)
    progress.start()
    return progress
