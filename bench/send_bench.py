#!/usr/bin/env python3
"""Time `briefgen send`: 1,000 readers over 10 distinct theme sets, to a loopback SMTP server.

    python bench/send_bench.py                     # 1,000 readers, the generated 1k-fact base
    python bench/send_bench.py --readers 5000 --week 2019-W23 --facts DIR

The SMTP server (aiosmtpd, discarding what it receives but counting it) runs in its own process
so it does not share the GIL with briefgen; briefgen runs in this process through
`briefgen.api.send`, which is what `briefgen send` calls, so the number of briefs
rendered can be reported. The timed part is the whole command: check the fact base, read the
readers, compose and render each distinct brief once, build and send every message, keep the
ledger. Target: < 20 s for 1,000 readers, with 10 PDFs built, not 1,000.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 20.0

SERVER = r"""
import sys, threading
from aiosmtpd.controller import Controller

class Count:
    def __init__(self):
        self.messages, self.recipients, self.bytes = 0, set(), 0
    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.recipients.update(envelope.rcpt_tos)
        self.bytes += len(envelope.original_content)
        return "250 2.0.0 OK"

handler = Count()
controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
controller.stop()
print(handler.messages, len(handler.recipients), handler.bytes, flush=True)
"""


def theme_sets(themes: list[str], n: int = 10) -> list[list[str] | None]:
    """n distinct theme sets: every theme, single themes, pairs and a larger mix."""
    sets: list[list[str] | None] = [None]
    for i, theme in enumerate(themes):
        sets.append([theme])
        sets.append([theme, themes[(i + 1) % len(themes)]])
    sets.append(themes[: max(1, len(themes) // 2)])
    unique: list = []
    for s in sets:
        if s not in unique:
            unique.append(s)
    return unique[:n]


def readers_yaml(n: int, sets: list) -> str:
    lines = ["readers:"]
    for i in range(n):
        themes = sets[i % len(sets)]
        lines += [f"  - name: Reader {i:05d}", f"    email: reader{i:05d}@example.org"]
        if themes:
            lines.append(f"    themes: [{', '.join(themes)}]")
    return "\n".join(lines) + "\n"


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_once(facts: Path, readers: Path, week: str, out: Path, formats: tuple) -> int:
    """The least work any send of these readers does: load and check the base, compose each
    distinct brief of the week once (one per theme set that has developments) and render it,
    in forked writers as `build` does. The first half of the `send` limit (run.py --only send);
    returns how many briefs it wrote."""
    from briefgen import pipeline
    from briefgen.desk import Desk
    from briefgen.distribution.readers import load_readers

    desk = Desk.find(facts, templates=ROOT / "templates", out=out, readers=readers)
    with pipeline.Pipeline(desk, formats) as make:
        base = pipeline.load(desk)
        sets = dict.fromkeys(r.themes for r in load_readers(desk.readers, base.themes))
        specs = [pipeline.weekly_brief(base, week, themes=list(s) if s else None) for s in sets]
        specs = [spec for spec in specs if pipeline.developments(spec)]
        for n, spec in enumerate(specs):  # one file name per brief
            spec.name = f"{spec.name}-{n}"
        return len([p for p in make.make(base, specs) if p.suffix == f".{formats[0]}"])


def smtp_loop(port: int, outbox: Path) -> int:
    """The other half of the `send` limit: the messages of a dry run (`send --dry-run` writes
    each as .eml), read and sent by a bare smtplib loop over one connection; how many."""
    import smtplib
    from email.parser import BytesHeaderParser
    from email.utils import getaddresses

    messages = []
    for path in sorted(outbox.rglob("*.eml")):
        data = path.read_bytes()
        headers = BytesHeaderParser().parsebytes(data)
        to = [a for _, a in getaddresses(headers.get_all("To", []))]
        messages.append((getaddresses([headers["From"]])[0][1], to, data))
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for sender, to, data in messages:
            smtp.sendmail(sender, to, data)
    return len(messages)


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--build-once"]:  # FACTS READERS WEEK OUT FORMATS (run.py --only send)
        facts, readers, week, out, formats = argv[1:6]
        print(build_once(Path(facts), Path(readers), week, Path(out), tuple(formats.split(","))))
        return 0
    if argv[:1] == ["--smtp-loop"]:  # PORT OUTBOX (run.py --only send)
        print(smtp_loop(int(argv[1]), Path(argv[2])))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--readers", type=int, default=1000, help="number of readers (1000)")
    ap.add_argument("--sets", type=int, default=10, help="distinct theme sets (10)")
    ap.add_argument("--week", default="2019-W23", help="ISO week (2019-W23)")
    ap.add_argument("--facts", type=Path, help="fact base (default: generated 1k-fact base)")
    ap.add_argument("--format", default="pdf", help="pdf, docx or docx,pdf")
    args = ap.parse_args(argv)

    from briefgen.api import check
    from briefgen.api import send as run

    facts = args.facts
    if facts is None:
        import make_factbase
        facts, _ = make_factbase.ensure(1000, quiet=True)
    themes = list(check(facts).themes)
    sets = theme_sets(themes, args.sets)

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        with tempfile.TemporaryDirectory(prefix="send-bench-") as tmp:
            tmp = Path(tmp)
            (tmp / "readers.yaml").write_text(readers_yaml(args.readers, sets), encoding="utf-8")
            os.environ.update({
                "BRIEFGEN_SMTP_HOST": "127.0.0.1", "BRIEFGEN_SMTP_PORT": str(port),
                "BRIEFGEN_SMTP_SECURITY": "none", "BRIEFGEN_FROM": "Briefs <briefs@example.org>",
                "SOURCE_DATE_EPOCH": "1576454400"})
            formats = tuple(f.strip() for f in args.format.split(","))
            start = time.perf_counter()
            report = run(facts=facts, templates=ROOT / "templates", week=args.week,
                         readers=tmp / "readers.yaml", out=tmp / "out", format=formats)
            elapsed = time.perf_counter() - start
            start = time.perf_counter()
            again = run(facts=facts, templates=ROOT / "templates", week=args.week,
                        readers=tmp / "readers.yaml", out=tmp / "out", format=formats)
            rerun = time.perf_counter() - start
    finally:
        server.stdin.close()
        received = server.stdout.read().split()
        server.wait(timeout=30)
    messages, recipients, size = (int(x) for x in received)
    ok = (report.served and report.counts["sent"] == args.readers == messages == recipients
          and report.built == len(sets) and again.counts["already sent"] == args.readers
          and again.built == 0)
    print(f"send: {args.readers} readers, {len(sets)} theme sets, week {args.week}, "
          f"format {args.format}")
    print(f"  first run : {elapsed:6.2f} s  ({report.line()}); briefs built: {report.built}; "
          f"SMTP connections: {report.connections}")
    print(f"  server    : {messages} messages to {recipients} distinct readers, "
          f"{size / 1e6:.1f} MB")
    print(f"  re-run    : {rerun:6.2f} s  ({again.line()}); briefs built: {again.built}")
    verdict = "ok" if ok and elapsed < TARGET_SECONDS else "FAIL"
    print(f"  target    : < {TARGET_SECONDS:g} s for the first run, {len(sets)} briefs: {verdict}")
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
