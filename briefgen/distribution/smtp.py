"""One SMTP connection for many messages: TLS as configured, reconnects, and error classes.

Every failure becomes one of four outcomes: *temporary* (4xx replies, dropped or refused
connections, timeouts: retry with backoff), *permanent* (5xx for this message: record, report,
move on), *fatal* (nothing further can succeed: bad login, untrusted certificate, a server
without STARTTLS, our sender refused: stop the run) or *unknown* (the whole message went out
but no reply came: the server may have taken it, so it is never sent again unasked).
Server replies are shown and stored with control characters escaped.
"""

from __future__ import annotations

import base64
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass

from briefgen.characters import escape
from briefgen.distribution.settings import PREFIX, MailSettings, tls_context


@dataclass(eq=False)
class Failure(Exception):
    """A classified SMTP failure; `text` is safe to show and store (never the password)."""

    kind: str  # "temporary" | "permanent" | "fatal" | "unknown"
    text: str
    connection: bool = False  # the connection is gone (or never came up)

    def __str__(self) -> str:
        return self.text


class Mailer:
    """Sends messages over one connection, opened on first use and re-opened after a drop."""

    def __init__(self, settings: MailSettings):
        self.settings = settings
        self.conn: smtplib.SMTP | None = None
        self.connections = 0
        self.in_flight = False  # the whole message went out; its reply has not come yet

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connect(self) -> None:
        """Open, secure and log in, if not connected; raises Failure."""
        if self.conn is not None and self.conn.sock is not None:
            return
        self.drop()
        s = self.settings
        try:
            if s.security == "ssl":
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._tls())
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            self.conn = conn
            _hello(conn)
            if s.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise Failure("fatal", f"{s.server} does not offer STARTTLS (hint: set "
                                  f"{PREFIX}SMTP_SECURITY=ssl for implicit TLS, or none for a "
                                  "local relay)", connection=True)
                conn.starttls(context=self._tls())
                _hello(conn)
            if s.user:
                _login(conn, s)
        except Failure:
            self.drop()
            raise
        except smtplib.SMTPAuthenticationError as e:
            self.drop()
            raise Failure("fatal", f"{s.server} refused the login of {PREFIX}SMTP_USER="
                          f"'{escape(s.user)}': {_reply(e.smtp_code, e.smtp_error)}",
                          connection=True) from None
        except smtplib.SMTPNotSupportedError as e:  # e.g. no AUTH offered
            self.drop()
            raise Failure("fatal", f"{s.server}: {e} (hint: check {PREFIX}SMTP_SECURITY; many "
                          f"servers offer AUTH only over TLS; unset {PREFIX}SMTP_USER if this "
                          "one needs no login)", connection=True) from None
        except Exception as e:  # noqa: BLE001 - every other failure is classified
            self.drop()
            failure = classify(e, s, connecting=True)
            if failure.kind == "permanent":  # the server turns every message away
                failure.kind = "fatal"
            raise failure from None
        self.connections += 1

    def send(self, data: bytes, recipient: str) -> None:
        """Hand one message (bytes, CRLF) to the server for one recipient; returns once the
        server has accepted it, else raises Failure."""
        self.connect()
        self.in_flight = False
        try:
            self._transaction(data, recipient)
        except Exception as e:  # noqa: BLE001
            failure = classify(e, self.settings)
            if self.in_flight and failure.kind != "unknown" and (
                    failure.connection or failure.kind == "temporary"
                    and not isinstance(e, smtplib.SMTPResponseException)):
                # No reply to a message that went out whole: it may have been delivered.
                failure = Failure("unknown", f"no reply after the message was sent: {failure}",
                                  connection=True)
            if failure.connection or self.conn is None or self.conn.sock is None:
                self.drop()
                failure.connection = True
            elif failure.kind != "unknown":
                self._reset()
            self.in_flight = False
            raise failure from None

    def _transaction(self, data: bytes, recipient: str) -> None:
        """MAIL, RCPT, DATA as smtplib.sendmail does, but knowing when the message has gone
        out whole (`in_flight`): a failure after that point is ambiguous, not temporary."""
        conn, sender = self.conn, self.settings.sender.addr_spec
        code, resp = conn.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, resp, sender)
        code, resp = conn.rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, resp)})
        code, resp = conn.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, resp)
        payload = re.sub(rb"(?m)^\.", b"..", data)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        conn.send(payload + b".\r\n")
        self.in_flight = True
        code, resp = conn.getreply()  # KeyboardInterrupt here leaves in_flight set
        if not 200 <= code < 600:  # smtplib's -1: not a reply at all; the server may have it
            raise Failure("unknown", f"no reply after the message was sent: "
                          f"{self.settings.server} answered with a line that is not an SMTP "
                          "reply", connection=True)
        self.in_flight = False
        if code != 250:
            raise smtplib.SMTPDataError(code, resp)

    def _reset(self) -> None:
        """RSET after a refused message, so the connection can carry the next one."""
        try:
            self.conn.rset()
        except (smtplib.SMTPException, OSError):
            self.drop()

    def drop(self) -> None:
        """Forget the connection without talking to the server."""
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
        self.conn = None

    def close(self) -> None:
        """Say goodbye politely (QUIT), ignoring a server that has already gone."""
        if self.conn is not None and self.conn.sock is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                pass
        self.drop()

    def _tls(self) -> ssl.SSLContext:
        return tls_context(self.settings.cafile)  # verifies the certificate and the host name


def _login(conn: smtplib.SMTP, s: MailSettings) -> None:
    """Log in; a non-ASCII user or password goes as UTF-8 over AUTH PLAIN (RFC 4616), which
    smtplib's own login cannot do (it encodes credentials as ASCII)."""
    user, password = s.user, s.password.get_secret_value()
    if (user + password).isascii():
        conn.login(user, password)
        return
    if "plain" not in conn.esmtp_features.get("auth", "").lower().split():
        raise Failure("fatal", f"{s.server} does not offer AUTH PLAIN, which a non-ASCII "
                      f"{PREFIX}SMTP_USER or {PREFIX}SMTP_PASSWORD needs (hint: use ASCII "
                      "credentials, or a server that offers AUTH PLAIN)", connection=True)
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, resp = conn.docmd("AUTH", "PLAIN " + token)
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


def _hello(conn: smtplib.SMTP) -> None:
    """EHLO (HELO for old servers); a refusal raises, unlike smtplib's own ehlo()."""
    code, resp = conn.ehlo()
    if code != 250:
        code, resp = conn.helo()
        if not 200 <= code < 300:
            raise smtplib.SMTPHeloError(code, resp)


def classify(error: Exception, s: MailSettings, connecting: bool = False) -> Failure:
    """Turn any exception from smtplib or the socket layer into a Failure."""
    if isinstance(error, Failure):
        return error
    if isinstance(error, ssl.SSLCertVerificationError):
        return Failure("fatal", f"the TLS certificate of {s.server} is not trusted: "
                       f"{error.verify_message} (hint: set {PREFIX}SMTP_CAFILE to the CA "
                       "certificate that signed it)", connection=True)
    if isinstance(error, ssl.SSLError):
        return Failure("fatal", f"TLS with {s.server} failed: {error.reason or error} (hint: "
                       f"check {PREFIX}SMTP_SECURITY and {PREFIX}SMTP_PORT: ssl is usually "
                       "port 465, starttls 587)", connection=True)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, resp = next(iter(error.recipients.values()))
        return _by_code(code, resp)
    if isinstance(error, smtplib.SMTPSenderRefused):
        failure = _by_code(error.smtp_code, error.smtp_error)
        if failure.kind == "permanent":
            return Failure("fatal", f"{s.server} refused the sender {error.sender} "
                           f"({PREFIX}FROM): {failure.text}")
        return failure
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return Failure("permanent", f"{s.server} cannot take this message: {error}")
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(
            error.__context__, (socket.timeout, TimeoutError)):
        return Failure("temporary", f"{s.server} timed out after {s.timeout:g} s",
                       connection=True)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return Failure("temporary", f"{s.server} closed the connection"
                       + (f" ({error})" if str(error) and connecting else ""), connection=True)
    if isinstance(error, smtplib.SMTPResponseException):
        failure = _by_code(error.smtp_code, error.smtp_error)
        if connecting or error.smtp_code == 421:
            failure.connection = True
            if failure.kind == "permanent":  # the server turns everyone away
                failure.kind = "fatal"
        return failure
    if isinstance(error, (socket.timeout, TimeoutError)):
        return Failure("temporary", f"{s.server} timed out after {s.timeout:g} s",
                       connection=True)
    if isinstance(error, socket.gaierror):
        return Failure("temporary", f"cannot resolve {s.host}: {error.strerror}", connection=True)
    if isinstance(error, OSError):
        verb = "cannot connect to" if connecting else "connection to"
        what = error.strerror or str(error) or type(error).__name__
        return Failure("temporary", f"{verb} {s.server} failed: {what}" if not connecting
                       else f"{verb} {s.server}: {what}", connection=True)
    if isinstance(error, smtplib.SMTPException):
        return Failure("temporary", f"{s.server}: {error}", connection=True)
    raise error  # not a mail problem: a bug, let it surface


def _by_code(code: int, resp) -> Failure:
    text = _reply(code, resp)
    if 400 <= code < 500:
        return Failure("temporary", text)
    return Failure("permanent", text)


def _reply(code: int, resp) -> str:
    if isinstance(resp, bytes):
        resp = resp.decode("utf-8", "replace")
    return escape(f"{code} {' '.join(str(resp).split())}".strip())
