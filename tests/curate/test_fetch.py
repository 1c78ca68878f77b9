"""`source add URL` against a real HTTP server on 127.0.0.1 that misbehaves on purpose:
downloads cut short, redirects elsewhere, a trickle, passwords, a mislabelled character set,
and two curators adding sources at once."""

import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from conftest import tiny_factbase

PAGES = Path(__file__).parent / "pages"
PAGE = (PAGES / "reuters.html").read_bytes()


class Scripted(http.server.BaseHTTPRequestHandler):
    """Each path is one way a server can misbehave."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path
        if path == "/article.html":
            self.send(200, PAGE, [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Length", str(len(PAGE)))])
        elif path == "/short.html":  # announces the whole page, sends two thirds, hangs up
            self.send(200, PAGE[:len(PAGE) * 2 // 3], [("Content-Type", "text/html"),
                                                       ("Content-Length", str(len(PAGE))),
                                                       ("Connection", "close")])
            self.close_connection = True
        elif path == "/moved":
            self.send(302, b"", [("Location", "/article.html"), ("Content-Length", "0")])
        elif path == "/to-ftp":
            self.send(302, b"", [("Location", "ftp://127.0.0.1/article.html"),
                                 ("Content-Length", "0")])
        elif path == "/trickle.html":  # a byte every 50 ms, for at most 10 s
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            for byte in PAGE[:200]:
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.05)
        elif path == "/latin1.html":  # labelled UTF-8, written in Latin-1
            body = (PAGES / "voa-afrique.html").read_text(encoding="utf-8").encode("latin-1")
            self.send(200, body, [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Length", str(len(body)))])
        else:
            self.send(404, b"", [("Content-Length", "0")])


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Scripted)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def root(tmp_path):
    tiny_factbase(tmp_path)
    return tmp_path


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


HINT = ("(hint: check the address, or save the page from your browser and give the saved "
        "file)")


def test_a_download_cut_short_is_refused(cli, root, server):
    before = snapshot(root / "facts")
    result = cli("source", "add", f"{server}/short.html", cwd=root)
    got = len(PAGE) * 2 // 3
    assert (result.returncode, result.stderr) == (
        1, f"error: could not fetch {server}/short.html: the server closed the connection after "
           f"{got:,} bytes of the {len(PAGE):,} announced; a partial capture is not archived "
           f"{HINT}\n")
    assert snapshot(root / "facts") == before


def test_an_http_redirect_is_followed_said_and_the_final_address_recorded(cli, root, server):
    result = cli("source", "add", f"{server}/moved", "--id", "abuja", cwd=root)
    assert (result.returncode, result.stdout) == (0, "abuja\n"), result.stderr
    assert result.stderr.startswith(f"warning: followed a redirect to {server}/article.html\n")
    sources = yaml.safe_load((root / "facts" / "sources.yaml").read_text(encoding="utf-8"))
    assert sources["sources"][0]["url"] == f"{server}/article.html"


def test_a_redirect_to_ftp_is_refused(cli, root, server):
    before = snapshot(root / "facts")
    result = cli("source", "add", f"{server}/to-ftp", cwd=root)
    assert (result.returncode, result.stderr) == (
        1, f"error: could not fetch {server}/to-ftp: it redirects to ftp://127.0.0.1/article.html"
           f", which is not an http(s) address; nothing written {HINT}\n")
    assert snapshot(root / "facts") == before


def test_a_trickling_server_meets_the_total_deadline(cli, root, server, monkeypatch):
    from briefgen.curate import fetching

    monkeypatch.setattr(fetching, "DEADLINE", 0.5)  # the same rule as 60 s, in a test's time
    started = time.monotonic()
    result = cli("source", "add", f"{server}/trickle.html", cwd=root)
    assert time.monotonic() - started < 3
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: could not fetch {server}/trickle.html: the download "
                                    "took longer than 0.5 s (")
    assert result.stderr.endswith(f" bytes received); nothing written {HINT}\n")


def test_a_password_in_the_address_is_never_sent_nor_shown(cli, root, server):
    url = server.replace("http://", "http://analyst:hunter2@") + "/article.html"
    result = cli("source", "add", url, cwd=root)
    shown = server.replace("http://", "http://analyst:***@") + "/article.html"
    assert (result.returncode, result.stderr) == (
        1, f"error: {shown} holds a user name and password; briefgen does not send them (hint: "
           "log in with your browser, save the page and give the saved file)\n")
    assert "hunter2" not in result.stdout + result.stderr


def test_a_latin1_page_labelled_utf8_is_read_as_latin1_and_said(cli, root, server):
    result = cli("source", "add", f"{server}/latin1.html", "--id", "voa", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(
        f"warning: {server}/latin1.html is labelled UTF-8, but byte ")
    assert (": read as Windows-1252 (guessed); check the archived text's accents\n"
            in result.stderr)
    text = (root / "facts" / "sources" / "voa.txt").read_text(encoding="utf-8")
    assert "Les derniers soldats français de la force Barkhane ont quitté le Mali" in text


def test_two_curators_adding_at_once_lose_nothing(root, tmp_path):
    """Processes, since the lock between processes is the subject."""
    page = (PAGES / "voa-afrique.html").read_text(encoding="utf-8")
    for n in range(4):
        (tmp_path / f"p{n}.html").write_text(page.replace("lundi.", f"lundi ({n}).", 1),
                                             encoding="utf-8")
    procs = [subprocess.Popen([sys.executable, "-m", "briefgen", "source", "add",
                               str(tmp_path / f"p{n}.html"), "--id", f"voa-{n}"], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(4)]
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, outcomes
    sources = yaml.safe_load((root / "facts" / "sources.yaml").read_text(encoding="utf-8"))
    assert sorted(s["id"] for s in sources["sources"]) == [f"voa-{n}" for n in range(4)]
    assert sorted(p.name for p in (root / "facts" / "sources").glob("voa-*.txt")) == \
        [f"voa-{n}.txt" for n in range(4)]
