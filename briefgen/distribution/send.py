"""`briefgen send`: compose each distinct edition once, plan who gets what, render, deliver.

An *edition* is the week plus the content hash of a reader's brief (see message.content_hash);
planning rules are in distribution.plan, SMTP, retries and the archive in distribution.deliver.
Each edition is rendered once as sent (its edition line in the footer), and each correction of
it once per edition it replaces (compose.front.edition). Nothing here prints: `run` returns a
SendReport, and the command line says what it means.
Exit code 0 only when every reader has this week's current edition.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from briefgen.desk import Desk
from briefgen.distribution.plan import (Edition, Item, Rendition, brief_lines, changes, decide,
                                       reasons)
from briefgen.errors import BriefgenError, display_path

LEDGER = "ledger.sqlite"
ORDER = ("sent", "written", "already sent", "nothing new", "changed", "unknown", "deferred",
         "failed", "not sent")  # the first four leave a reader served


class SendError(BriefgenError):
    """Not every reader was served: one line per problem, then the summary line."""

    def __init__(self, problems: list[str], summary: str, exit_code: int = 1):
        self.problems, self.summary, self.exit_code = problems, summary, exit_code
        super().__init__(summary)

    def lines(self) -> list[str]:
        return [f"error: {p}" for p in self.problems] + [self.summary]


@dataclass
class SendReport:
    total: int
    counts: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    built: int = 0  # briefs rendered (PDF/Word), not messages
    connections: int = 0  # SMTP connections opened
    outbox: Path | None = None
    interrupted: int = 0  # the signal that stopped the run (SIGINT: Ctrl-C), if one did

    @property
    def served(self) -> bool:
        return not self.problems and all(self.counts[k] == 0 for k in ORDER[4:])

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

    def raise_for_problems(self) -> None:
        """SendError (exit 1; 128 + the signal when interrupted: 130 for Ctrl-C, 143 for
        SIGTERM, 129 for SIGHUP) unless every reader was served."""
        if self.interrupted:
            import signal

            how = "interrupted" if self.interrupted == signal.SIGINT else \
                f"stopped by {signal.Signals(self.interrupted).name}"
            raise SendError(self.problems + [f"{how}; re-run to send the rest"],
                            self.line(), exit_code=128 + self.interrupted)
        if not self.served:
            raise SendError(self.problems, self.line())


def run(desk: Desk, base, week: str, *, dry_run: bool = False, format: tuple = ("pdf",),
        resend_changed: bool = False, retry_unknown: bool = False, allow_empty: bool = False,
        settings=None, progress: Callable[[int, int], None] | None = None) -> SendReport:
    """Plan, build and send (or write) the week's editions to the desk's readers; `base` is
    the desk's fact base, loaded and checked. The counts and problems come back in a report."""
    from briefgen.compose.specs import parse_week
    from briefgen.compose.wordbook import load_wordbook
    from briefgen.distribution.deliver import deliver, write_outbox
    from briefgen.distribution.email_templates import EmailTemplates
    from briefgen.distribution.ledger import Ledger
    from briefgen.distribution.readers import load_readers
    from briefgen.distribution.settings import load_mail_settings

    parse_week(week)  # a week that does not exist is a usage error before anything else
    settings = settings or load_mail_settings(dry_run=dry_run)
    check_desk_values(desk, base.settings)
    reader_list = load_readers(desk.readers, base.themes)
    desk_table = {k: v for k, v in base.settings.desk.model_dump().items() if isinstance(v, str)}
    words = load_wordbook(desk.templates, base.settings.desk.language, desk.settings_file)
    renditions = Renditions(desk, EmailTemplates(desk.templates), desk_table, words,
                            tuple(format))
    ledger_path = Path(desk.out) / LEDGER
    if dry_run:
        ledger = Ledger.open(ledger_path, readonly=True) if Ledger.exists(ledger_path) else None
    else:
        ledger = Ledger.open(ledger_path)
    try:
        history = ledger.by_reader(week) if ledger else {}
        editions = compose_editions(desk, base, week, reader_list)
        items = [decide(r, editions[r.themes], history.get(r.key, []), settings.sender,
                        resend_changed=resend_changed, retry_unknown=retry_unknown,
                        allow_empty=allow_empty)
                 for r in reader_list]
        report = SendReport(total=len(items))
        _count_skipped(items, report)
        todo = [item for item in items if item.action == "send"]
        why = reasons(base)
        for item in todo:
            if item.corrected and item.since and ledger is not None:
                item.changes = changes(ledger.lines(item.since), item.edition.lines, why,
                                       ledger.places(item.since), item.edition.places)
                item.sent = ledger.issued(item.since) or _sent_on(
                    history.get(item.reader.key, []), item.replaces)
        for item in todo:
            item.rendition = renditions.of(item, report)

        def message(item: Item):
            return renditions.message(item, settings.sender)

        if dry_run:
            write_outbox(todo, Path(desk.out) / "outbox" / week, message, report)
        else:
            deliver(todo, ledger, week, settings, message, report, progress, Path(desk.out))
    finally:
        if ledger:
            ledger.close()
    return report


def check_desk_values(desk: Desk, settings) -> None:
    """briefgen.toml's [desk] values reach the subject and the file name: each must stay one
    line once its encoded words are decoded (a located error names the one that does not)."""
    from briefgen.distribution.headers import problem
    from briefgen.errors import Diagnostic, DiagnosticsError, display_path
    from briefgen.factbase.settings import TomlPlaces

    found = [(key, p) for key, value in settings.desk.model_dump().items()
             if isinstance(value, str) and (p := problem(value))]
    if not found:
        return
    path = desk.settings_file
    places = TomlPlaces(path.read_text(encoding="utf-8")) if path and path.is_file() else None
    raise DiagnosticsError([
        Diagnostic(display_path(path) if path else "briefgen.toml",
                   *(places.value(("desk", key)) if places else (1, 1)), "error",
                   f"{p}: the e-mail's subject would break", field=f"desk.{key}",
                   hint="write the text itself, not an RFC 2047 encoded word (=?...?=)")
        for key, p in found], what="briefgen.toml")


def _sent_on(rows, message_id: str | None):
    """The day a message was accepted, from its ledger row (a ledger older than version 3
    records no date of issue)."""
    from datetime import date

    row = next((r for r in rows if r.message_id == message_id), None)
    return date.fromisoformat(row.updated[:10]) if row else None


def compose_editions(desk: Desk, base, week: str, readers) -> dict:
    """Each distinct theme set's brief, composed once: themes -> Edition."""
    from briefgen.distribution.message import content_hash, summarize
    from briefgen.pipeline import compose, weekly_brief

    editions: dict = {}
    for reader in readers:
        if reader.themes not in editions:
            spec = weekly_brief(base, week, themes=list(reader.themes) if reader.themes else None)
            brief, = compose(desk, base, [spec])
            lines, places = brief_lines(brief)
            editions[reader.themes] = Edition(
                reader.themes, brief, f"{week}-{content_hash(brief)}",
                summarize(brief, week, spec.context["period"]), lines, places,
                developments=len(spec.context["developments"]))
    return editions


def _count_skipped(items: list[Item], report: SendReport) -> None:
    for item in items:
        address = item.reader.address
        if item.action in ("already sent", "nothing new"):
            report.counts[item.action] += 1
        elif item.action == "changed":
            report.counts["changed"] += 1
            report.problems.append(f"{address}: changed since sent; use --resend-changed to "
                                   "send the corrected brief")
        elif item.action == "unknown":
            report.counts["unknown"] += 1
            report.problems.append(f"{address}: delivery of {item.msgid} unknown since "
                                   f"{item.updated} (not sent again: ask the reader, then run "
                                   "send --retry-unknown to resend it)")


class Renditions:
    """What each message carries, built once per distinct form: an edition as first sent, or
    a correction of it replacing a given edition (its brief, words, files and MIME parts)."""

    def __init__(self, desk: Desk, templates, desk_table: dict, words, formats: tuple):
        self.desk, self.templates, self.desk_table = desk, templates, desk_table
        self.words, self.formats = words, formats
        self.cache: dict = {}

    def of(self, item: Item, report: SendReport) -> Rendition:
        """The item's rendition, rendered (PDF and/or Word) the first time it is needed."""
        from briefgen.compose.front import Correction, change_lines, corrected_line, edition
        from briefgen.distribution.message import attachment_part, body_part, context
        from briefgen.render import render

        key = (item.edition.id, item.corrected, item.since, item.number, item.sent,
               repr(item.changes))
        found = self.cache.get(key)
        if found is not None:
            return found
        ed, words = item.edition, self.words
        correction = Correction(item.number, item.since or "", item.sent,
                                None if item.changes is None else tuple(item.changes)
                                ) if item.corrected else None
        brief = edition(ed.brief, words, ed.id, correction)
        what = tuple({"runs": runs, "text": "".join(r.text for r in runs)}
                     for runs in change_lines(words, correction.changes)) if correction else ()
        text = self.templates.render(context(
            ed.summary, ed.id, brief.name, self.desk_table, item.corrected,
            None if item.changes is None else [vars(c) for c in item.changes],
            issued=words.date(brief.created.date()), number=item.number,
            correction=corrected_line(words, item.sent) if correction else "",
            what_changed=what))
        files = render(brief, self.formats, self.desk.templates)
        named = [(f"{text.attachment}.{fmt}", files[f".{fmt}"]) for fmt in self.formats]
        found = self.cache[key] = Rendition(
            brief, text, named, [attachment_part(data, name) for name, data in named],
            body_part(text, f"{ed.id}/{item.corrected}/{item.since}/{item.number}"))
        report.built += 1
        return found

    def message(self, item: Item, sender):
        """One reader's message (called from the worker thread that builds ahead)."""
        from briefgen.distribution.message import build_message

        r = item.rendition
        return build_message(item.reader, r.words, r.parts, sender=sender, msgid=item.msgid,
                             edition=item.edition.id, corrected=item.corrected,
                             replaces=item.replaces, body=r.body)
