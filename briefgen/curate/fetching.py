"""Fetching a URL for `source add`: http(s) only, bounded in time and size, whole or refused.

A capture is evidence: a download cut short, a redirect to another kind of address, or a
password in the address is refused with a message, never archived or echoed.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException, IncompleteRead
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from briefgen.errors import BriefgenError

DEADLINE = 60.0  # seconds for the whole download, however slowly the server sends
TIMEOUT = 20.0  # seconds the server may stay silent (connecting, or between two packets)
MAX_BYTES = 20_000_000  # largest capture fetched
MAX_REDIRECTS = 5
CHUNK = 65_536
KINDS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".txt": "txt"}
HINT = " (hint: check the address, or save the page from your browser and give the saved file)"


@dataclass
class Fetched:
    data: bytes
    kind: str  # html, pdf or txt
    url: str  # where the capture came from, after the redirects
    charset: str | None = None  # as the server labelled it
    redirects: list[str] = field(default_factory=list)  # each address redirected to


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows http(s) redirects only, and remembers each one."""

    max_redirections = MAX_REDIRECTS

    def __init__(self):
        self.followed: list[str] = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        scheme = urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise BriefgenError(f"could not fetch {shown(req.full_url)}: it redirects to "
                                f"{shown(newurl)}, which is not an http(s) address; nothing "
                                "written" + HINT)
        if urlsplit(newurl).username is not None:
            raise BriefgenError(f"could not fetch {shown(req.full_url)}: it redirects to an "
                                "address with a user name and password; nothing written" + HINT)
        self.followed.append(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def shown(url: str) -> str:
    """`url` as a message may show it: a password in it is replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def fetch(url: str) -> Fetched:
    """The capture at an http(s) URL, whole: refused if cut short, too large or too slow."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise BriefgenError(f"{shown(url)} holds a user name and password; briefgen does not "
                            "send them (hint: log in with your browser, save the page and give "
                            "the saved file)")
    redirects = _Redirects()
    opener = urllib.request.build_opener(redirects)
    request = urllib.request.Request(url, headers={"User-Agent": "briefgen (source add)"})
    started = time.monotonic()
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            declared = response.headers.get("Content-Length")
            data = _read_body(response, url, started)
            ctype = response.headers.get_content_type()
            charset = response.headers.get_content_charset()
            final = response.geturl()
    except urllib.error.HTTPError as e:
        raise BriefgenError(f"could not fetch {shown(url)}: HTTP {e.code} {e.reason}"
                            + HINT) from None
    except IncompleteRead as e:
        raise _cut_short(url, len(e.partial), None) from None
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as e:
        reason = getattr(e, "reason", None) or e
        if isinstance(reason, TimeoutError) or "timed out" in str(reason):
            reason = f"the server sent nothing for {TIMEOUT:.0f} s"
        raise BriefgenError(f"could not fetch {shown(url)}: {reason}{HINT}") from None
    if declared is not None and declared.isdigit() and len(data) < int(declared):
        raise _cut_short(url, len(data), int(declared))
    kind = "html" if "html" in ctype else "pdf" if "pdf" in ctype else \
        "txt" if ctype == "text/plain" else KINDS.get(Path(urlsplit(final).path).suffix.lower())
    if kind is None:
        raise BriefgenError(f"{shown(url)} is {ctype}, not a web page, PDF or text")
    return Fetched(data, kind, final, charset, redirects.followed)


def _read_body(response, url: str, started: float) -> bytes:
    """The body, a packet at a time, so that the deadline holds however slowly it comes."""
    chunks, size = [], 0
    while True:
        if time.monotonic() - started > DEADLINE:
            raise BriefgenError(f"could not fetch {shown(url)}: the download took longer than "
                                f"{DEADLINE:g} s ({size:,} bytes received); nothing written"
                                + HINT)
        chunk = response.read1(CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BYTES:
            raise BriefgenError(f"{shown(url)} is larger than {MAX_BYTES // 1_000_000} MB; "
                                "nothing written")


def _cut_short(url: str, got: int, declared: int | None) -> BriefgenError:
    of = f" of the {declared:,} announced" if declared is not None else ""
    return BriefgenError(f"could not fetch {shown(url)}: the server closed the connection after "
                         f"{got:,} bytes{of}; a partial capture is not archived" + HINT)


def declared_charset(data: bytes, label: str | None) -> str | None:
    """The page's character set as the server or its own <meta> states it."""
    if label:
        return label.lower()
    head = data[:4096]
    found = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", head, re.I)
    return found.group(1).decode("ascii").lower() if found else None
