"""The effectful edge of `send`: hand messages to the SMTP server, or write them as .eml files,
recording every step in the ledger.

Temporary failures (4xx, dropped or refused connections, timeouts) are retried up to
BRIEFGEN_SMTP_RETRIES attempts per message, waiting BRIEFGEN_SMTP_BACKOFF seconds, doubling
each time. When the server itself stays unreachable, or a failure is fatal (bad login,
untrusted certificate), the run stops: the rest is "not sent" until the next run.
A message whose fate is unknown (connection lost, or the run interrupted, after the whole
message went out and before the reply) is recorded 'unknown' and never retried here. SIGTERM
and SIGHUP (a scheduler's stop, a closed terminal) interrupt a run as Ctrl-C does.
Before a message goes out, the files it carries are archived (archive.py) and named in the
ledger with it.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import closing, contextmanager
from pathlib import Path
from collections.abc import Callable

from briefgen.distribution.archive import ArchiveError, keep
from briefgen.distribution.ledger import Ledger, LedgerError
from briefgen.distribution.plan import Item
from briefgen.distribution.settings import MailSettings
from briefgen.distribution.smtp import Failure, Mailer


class Stop(Exception):
    """Nothing more can be sent in this run (fatal error, or the server stays unreachable)."""


def write_outbox(items: list[Item], folder: Path, message: Callable, report) -> None:
    """--dry-run: each message as `<address>.eml`, written all at once; stale ones removed.
    Each message is built as its file is written and dropped after: memory stays flat
    however many readers there are."""
    from briefgen.distribution.message import flatten
    from briefgen.atomic import write_atomically

    def made(item: Item) -> Callable[[], bytes]:
        return lambda: flatten(message(item))

    files = {folder / eml_name(item.reader.address): made(item) for item in items}
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


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP during a send: handled as Ctrl-C is (`signal` says which)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def interruptible():
    """SIGTERM and SIGHUP raise Terminated while sending, so that the message in flight is
    recorded as Ctrl-C records it (main thread only: where Python delivers signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Terminated(signum)

    kinds = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    before = {kind: signal.signal(kind, stop) for kind in kinds}
    try:
        yield
    finally:
        for kind, handler in before.items():
            signal.signal(kind, handler)


def deliver(items: list[Item], ledger: Ledger, week: str, settings: MailSettings,
            message: Callable, report, progress: Callable[[int, int], None] | None = None,
            out: Path | None = None) -> None:
    """Send each message over one connection, retrying temporary failures with backoff; the
    files each carries are archived under `out` first (None: not archived)."""
    done = 0
    mailer = Mailer(settings)
    recorded: set[str] = set()
    archived: dict[int, list] = {}  # id(rendition) -> its files as the ledger records them
    try:
        with interruptible(), mailer, closing(_prepared(items, message)) as prepared:
            for item, data in prepared:
                if item.edition.id not in recorded:
                    edition = item.edition
                    ledger.record_edition(edition.id, week, edition.brief.title,
                                          _themes(edition.themes), edition.lines,
                                          edition.brief.created.date(), edition.places)
                    recorded.add(edition.id)
                files = _archive(item, out, archived)
                report.counts[_deliver_one(item, data, mailer, ledger, week, settings,
                                           report, files)] += 1
                done += 1
                if progress:
                    progress(done, len(items))
    except (Stop, LedgerError, ArchiveError) as stop:
        left = len(items) - done
        report.counts["not sent"] += left
        report.problems.append(f"stopped: {stop}; {left} reader{'s' * (left != 1)} not sent "
                               "(re-run to resume)")
    except KeyboardInterrupt as stop:
        report.counts["not sent"] += len(items) - done
        report.interrupted = getattr(stop, "signum", signal.SIGINT)
    finally:
        report.connections = mailer.connections


def _archive(item: Item, out: Path | None, done: dict[int, list]) -> list:
    """The item's files archived (once per run for each rendition): [(name, SHA-256, size)]."""
    rendition = item.rendition
    if out is None or rendition is None:
        return []
    key = id(rendition)
    if key not in done:
        done[key] = [keep(out, name, data) for name, data in rendition.files]
    return done[key]


def _themes(themes) -> str:
    return ",".join(themes) if themes else "*"


def _prepared(items: list[Item], message: Callable, ahead: int = 4):
    """(item, message bytes) in order, built a few messages ahead in a worker thread, so
    that building overlaps with waiting for the server."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    from briefgen.distribution.message import flatten

    def build(item: Item) -> bytes:
        return flatten(message(item))

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
                 settings: MailSettings, report, files: list = ()) -> str:
    """One reader's message: 'sent', 'failed', 'deferred' or 'unknown'; raises Stop to end
    the run."""
    reader, edition = item.reader, item.edition
    for attempt in range(1, settings.attempts + 1):
        last = attempt == settings.attempts
        gave_up = f"gave up after {attempt} attempt{'s' * (attempt != 1)}"
        try:
            mailer.connect()
        except Failure as failure:
            if failure.kind == "fatal":
                raise Stop(str(failure)) from None
            if last:
                raise Stop(f"{failure} ({gave_up})") from None
            time.sleep(settings.delay(attempt))
            continue
        item.row = ledger.begin(item.row, edition=edition.id, reader=reader.key, week=week,
                                address=reader.address, name=reader.name,
                                themes=_themes(reader.themes), message_id=item.msgid,
                                corrected=item.corrected, replaces=item.replaces,
                                files=files)
        try:
            mailer.send(data, reader.address)
        except KeyboardInterrupt:
            # Record the message in flight before stopping: if it went out whole, nobody
            # knows whether the server took it, and it must not be sent again unasked.
            # No QUIT on the way out: a server that did not answer would hold us again.
            in_flight = mailer.in_flight
            mailer.drop()
            ledger.finish(item.row, "unknown" if in_flight else "deferred",
                          "interrupted while waiting for the server's reply" if in_flight
                          else "interrupted before the message was sent")
            raise
        except Failure as failure:
            if failure.kind == "unknown":
                ledger.finish(item.row, "unknown", str(failure))
                report.problems.append(
                    f"{reader.address}: delivery unknown: {failure} (not sent again: ask the "
                    f"reader, then run send --retry-unknown to resend {item.msgid})")
                return "unknown"
            if failure.kind == "permanent":
                ledger.finish(item.row, "failed", str(failure))
                report.problems.append(f"{reader.address}: {failure} (permanent failure)")
                return "failed"
            ledger.finish(item.row, "deferred", str(failure))
            if failure.kind == "fatal":
                raise Stop(str(failure)) from None
            if last and failure.connection:  # the server itself is in trouble: stop here
                raise Stop(f"{failure} ({gave_up})") from None
            if last:  # this recipient's trouble: record it and go on with the others
                report.problems.append(f"{reader.address}: {failure} (temporary failure; "
                                       f"{gave_up})")
                return "deferred"
            time.sleep(settings.delay(attempt))
            continue
        ledger.finish(item.row, "sent")
        return "sent"
    raise AssertionError("unreachable")

