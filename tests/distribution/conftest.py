"""Builders for distribution tests: a small fact base, readers files, and real SMTP servers.

The servers are aiosmtpd Controllers on 127.0.0.1 in this process; a `Mailbox` handler records
what they accepted and can be told to misbehave (4xx/5xx replies, dropped connections, hangs).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import ssl
import subprocess
import textwrap
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

WEEK = "2019-W50"
FROM = "Libya briefs <briefs@example.org>"
THEMES = ("russian-motives", "nato-security-assistance", "migration-europe")

SOURCE_TEXT = """\
Benghazi, 14 December 2019. A Russian envoy travelled to Benghazi on Tuesday to meet Khalifa
Haftar and discuss the offensive on Tripoli. Moscow wants a seat at any future settlement talks.

NATO officials said on Wednesday that the alliance stands ready to help train Libyan security
forces once a unified government asks for it.

Italy and Malta reported that more than 600 migrants left the Libyan coast on Thursday, the
largest number in a single day this autumn.
"""

FACTS = """\
sources:
  - id: wire-2019-12-14
    title: Libya wire report, 14 December 2019
    publisher: Example Wire
    published: 2019-12-14
    file: sources/wire.txt
    reliability: B

themes:
  - id: russian-motives
    title: Russian motives
  - id: nato-security-assistance
    title: NATO security assistance
  - id: migration-europe
    title: Migration and Europe

facts:
  - id: russian-envoy-benghazi
    statement: A Russian envoy met Khalifa Haftar in Benghazi about the Tripoli offensive.
    themes: [russian-motives]
    date: 2019-12-10
    credibility: 2
    citations:
      - source: wire-2019-12-14
        quote: A Russian envoy travelled to Benghazi on Tuesday to meet Khalifa Haftar
  - id: nato-ready-to-train
    statement: NATO said it stands ready to train Libyan forces if a unified government asks.
    themes: [nato-security-assistance]
    date: 2019-12-11
    kind: statement
    credibility: 2
    attributed_to: NATO
    citations:
      - source: wire-2019-12-14
        quote: the alliance stands ready to help train Libyan security forces
  - id: migrants-600-in-a-day
    statement: More than 600 migrants left the Libyan coast in one day, the most this autumn.
    themes: [migration-europe]
    date: 2019-12-12
    credibility: 3
    citations:
      - source: wire-2019-12-14
        quote: more than 600 migrants left the Libyan coast on Thursday
"""

# What only one theme's brief (and email) says: proves a message is personalised.
MARKERS = {"russian-motives": "Russian envoy", "nato-security-assistance": "stands ready",
           "migration-europe": "600 migrants"}


def write(path: Path, text: str) -> Path:
    """Write dedented UTF-8 text, creating parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


@dataclass
class Project:
    root: Path

    @property
    def facts(self) -> Path:
        return self.root / "facts"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def ledger(self) -> Path:
        return self.root / "out" / "ledger.sqlite"

    def readers(self, text: str, name: str = "readers.yaml") -> Path:
        return write(self.root / name, text)

    def change_fact(self, old: str, new: str) -> None:
        path = self.facts / "base.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    """A fact base with three themes and one development each in 2019-W50; cwd is its root."""
    write(tmp_path / "facts" / "base.yaml", FACTS)
    write(tmp_path / "facts" / "sources" / "wire.txt", SOURCE_TEXT)
    write(tmp_path / "briefgen.toml", '[desk]\nregion = "Libya"\n')  # titles name the region
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1576454400")  # 2019-12-16
    for name in ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY", "SMTP_USER", "SMTP_PASSWORD",
                 "SMTP_CAFILE", "SMTP_TIMEOUT", "SMTP_RETRIES", "SMTP_BACKOFF", "FROM"):
        monkeypatch.delenv(f"BRIEFGEN_{name}", raising=False)
    monkeypatch.setenv("BRIEFGEN_FROM", FROM)
    return Project(tmp_path)


def reader_lines(*entries: tuple) -> str:
    """YAML for readers: (name, email) or (name, email, [themes])."""
    out = ["readers:"]
    for entry in entries:
        name, address = entry[0], entry[1]
        out.append(f"  - name: {quote(name)}")
        out.append(f"    email: {address}")
        if len(entry) > 2:
            out.append(f"    themes: [{', '.join(entry[2])}]")
    return "\n".join(out) + "\n"


def quote(text: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\r", "\\r") + '"'


def many_readers(n: int) -> str:
    sets = [[THEMES[0]], [THEMES[1]], [THEMES[2]], list(THEMES[:2]), None]
    entries = []
    for i in range(n):
        themes = sets[i % len(sets)]
        entries.append((f"Reader {i:03d}", f"reader{i:03d}@example.org")
                       + ((themes,) if themes else ()))
    return reader_lines(*entries)


# --------------------------------------------------------------------------------------------
# SMTP servers
# --------------------------------------------------------------------------------------------

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None
    tls: bool

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class Mailbox:
    """An aiosmtpd handler that records accepted messages and misbehaves on request.

    - `rcpt_replies`: address -> reply to RCPT TO (e.g. "550 5.1.1 no such user"), every time;
    - `mail_reply`: a reply to every MAIL FROM instead of accepting it;
    - `data_replies`: replies to the next DATA commands, one per message, before accepting;
    - `drop_at`: numbers of DATA commands (1-based, counted over the server's life) at which
      the connection is cut before replying, and the message is not kept;
    - `drop_rcpt_at`: numbers of RCPT commands at which the connection is cut (before the
      message went out: not ambiguous);
    - `hang_at`: DATA number at which the server stops answering (sets `hanging`);
    - `after_drop`: called in the server's loop after a drop (e.g. to stop listening).
    """

    received: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    mail_reply: str | None = None
    data_replies: list[str] = field(default_factory=list)
    drop_at: set[int] = field(default_factory=set)
    drop_rcpt_at: set[int] = field(default_factory=set)
    rcpt_commands: int = 0
    hang_at: int | None = None
    hanging: threading.Event = field(default_factory=threading.Event)
    data_commands: int = 0
    after_drop: object = None  # called (in the server's loop) after a dropped connection

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_commands += 1
        if self.rcpt_commands in self.drop_rcpt_at:
            server.transport.abort()
            if self.after_drop:
                self.after_drop()
            return "250 OK (never reaches the client)"
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.data_commands == self.hang_at:
            self.hanging.set()
            await asyncio.sleep(3600)
        if self.data_commands in self.drop_at:
            server.transport.abort()
            if self.after_drop:
                self.after_drop()
            return "250 OK (never reaches the client)"
        if self.data_replies:
            return self.data_replies.pop(0)
        login = session.auth_data.login.decode() if session.auth_data else None
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content, login,
                                      server.transport.get_extra_info("ssl_object") is not None))
        return "250 2.0.0 OK: queued"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running aiosmtpd server and its Mailbox; `env` is what briefgen needs to reach it."""

    def __init__(self, mailbox: Mailbox | None = None, port: int | None = None, **kwargs):
        from aiosmtpd.controller import Controller

        self.mailbox = mailbox or Mailbox()
        self.port = port or free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     **kwargs)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop(no_assert=True)

    def stop_listening(self) -> None:
        """Refuse new connections from now on (call it from the server's own loop)."""
        self.controller.server.close()

    @property
    def received(self) -> list[Received]:
        return self.mailbox.received


@pytest.fixture
def smtp(monkeypatch):
    """Start servers with `smtp(**controller kwargs)`; each is stopped after the test.

    The first server started also points BRIEFGEN_SMTP_* at itself (plain SMTP).
    """
    servers: list[Server] = []

    def start(mailbox: Mailbox | None = None, security: str = "none", port: int | None = None,
              **kwargs) -> Server:
        server = Server(mailbox, port, **kwargs)
        servers.append(server)
        monkeypatch.setenv("BRIEFGEN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BRIEFGEN_SMTP_PORT", str(server.port))
        monkeypatch.setenv("BRIEFGEN_SMTP_SECURITY", security)
        monkeypatch.setenv("BRIEFGEN_SMTP_BACKOFF", "0.01")
        monkeypatch.setenv("BRIEFGEN_SMTP_RETRIES", "3")
        monkeypatch.setenv("BRIEFGEN_SMTP_TIMEOUT", "10")
        return server

    yield start
    for server in servers:
        server.stop()


@dataclass
class Certificate:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> Certificate:
    """A self-signed certificate for 127.0.0.1 and localhost, made now (openssl)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return Certificate(cert, key)
