"""`briefgen watch --serve`: the HTML briefs on 127.0.0.1, reloaded in an open page on every
rebuild, a broken save's errors shown over the last good brief, Ctrl-C stopping it all."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

from briefgen.curate.serve import Preview
from briefgen.errors import UsageError
from conftest import tiny_factbase
from curate.test_watch import Watcher


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture
def preview(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "theme-a.html").write_text("<!DOCTYPE html><html><body><p>A brief</p></body></html>")
    (out / "theme-a.pdf").write_bytes(b"%PDF-")
    (tmp_path / "secret.html").write_text("<p>not in out/</p>")
    with Preview(out, 0) as p:
        yield p


def test_serves_the_html_briefs_of_out_with_the_live_script(preview):
    assert preview.server.server_address[0] == "127.0.0.1"  # this computer only
    status, page = get(preview.url + "theme-a.html")
    assert status == 200
    assert page.startswith("<!DOCTYPE html><html><body><p>A brief</p><script>")
    assert page.endswith("</script>\n</body></html>")
    assert 'new EventSource("/events")' in page and "const built = 0;" in page
    status, index = get(preview.url)
    assert status == 200 and '<a href="/theme-a.html">theme-a.html</a>' in index
    assert "theme-a.pdf" not in index


@pytest.mark.parametrize("path", ["theme-b.html", "theme-a.pdf", "../secret.html",
                                  "%2e%2e/secret.html", "..%2fsecret.html"])
def test_nothing_else_is_served(preview, path):
    status, page = get(preview.url + path)
    assert status == 404 and "not in out/" not in page


def read_events(url: str, count: int, got: list) -> None:
    with urllib.request.urlopen(url, timeout=10) as stream:
        kind = None
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                got.append((kind, json.loads(line[6:])))
                if len(got) == count:
                    return


def test_each_rebuild_and_each_failed_save_reaches_the_pages(preview):
    got: list = []
    reader = threading.Thread(target=read_events, args=(preview.url + "events", 4, got))
    reader.start()
    told: list = []
    report = preview.report(lambda kind, lines: told.append((kind, lines)))
    time.sleep(0.3)
    report("status", ["watching for saves (Ctrl-C to stop)"])  # not for the pages
    report("paths", ["out/theme-a.html"])
    time.sleep(0.3)
    report("errors", ["facts/a.yaml:3:5: error: bad", "facts/a.yaml: not rebuilt"])
    time.sleep(0.3)
    report("paths", ["out/theme-a.html"])
    reader.join(10)
    assert got == [("built", {"built": 0}), ("built", {"built": 1}),
                   ("failed", {"lines": ["facts/a.yaml:3:5: error: bad",
                                         "facts/a.yaml: not rebuilt"]}),
                   ("built", {"built": 2})]
    assert [kind for kind, _ in told] == ["status", "paths", "errors", "paths"]  # passed on
    assert "const built = 2;" in get(preview.url + "theme-a.html")[1]


def test_a_page_opened_after_a_failed_save_shows_the_errors_at_once(preview):
    preview.report(lambda *a: None)("errors", ["facts/a.yaml:3:5: error: bad"])
    got: list = []
    read_events(preview.url + "events", 1, got)
    assert got == [("failed", {"lines": ["facts/a.yaml:3:5: error: bad"]})]


def test_stopping_ends_the_open_event_streams_at_once(tmp_path):
    with Preview(tmp_path, 0) as p:
        got: list = []
        reader = threading.Thread(target=read_events, args=(p.url + "events", 2, got))
        reader.start()
        time.sleep(0.2)
        started = time.monotonic()
    reader.join(5)
    assert not reader.is_alive() and time.monotonic() - started < 2
    assert got == [("built", {"built": 0})]


def test_a_port_in_use_is_refused_with_a_hint(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(UsageError) as e:
            Preview(tmp_path, port).__enter__()
    assert str(e.value) == (f"cannot serve on 127.0.0.1:{port}: Address already in use (hint: "
                            "choose another port with --port N)")


def test_port_goes_with_serve(cli, tmp_path):
    tiny_factbase(tmp_path)
    result = cli("watch", "--port", "8001", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "error: --port goes with --serve (the port the HTML briefs are served on)")
    result = cli("watch", "--serve", "--port", "http", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "briefgen watch: error: argument --port: not a port number: 'http' (0-65535)")


# --- in a browser ----------------------------------------------------------------------------


def wait_for(predicate, timeout: float = 20.0, step: float = 0.01):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def test_an_open_page_reloads_after_a_save_and_shows_a_broken_saves_errors(browser, tmp_path):
    facts = tiny_factbase(tmp_path)
    base = facts / "base.yaml"
    w = Watcher(tmp_path, "--theme", "nato-security-assistance", "--serve", "--port", "0")
    try:
        url = w.until(lambda line: line.startswith("serving")).split(" at ")[1]
        assert url.startswith("http://127.0.0.1:")
        assert w.until(lambda line: "rebuilt" in line or "error" in line).startswith(
            "start: rebuilt 1 file in ")  # the HTML edition: a preview needs no more
        assert w.stdout_lines(1) == ["out/theme-nato-security-assistance.html"]
        browser.set_window_size(1280, 900)
        browser.get(url + "theme-nato-security-assistance.html")
        text = lambda: browser.execute_script("return document.body.innerText")  # noqa: E731
        assert "identify where it can help" in text()
        browser.execute_script("window.notReloaded = true")

        saved = time.time()
        base.write_text(base.read_text().replace("identify where it can help",
                                                 "identify where it could help"))
        wait_for(lambda: "identify where it could help" in text())
        assert browser.execute_script("return window.notReloaded") is None  # a new page
        loaded = browser.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return performance.timeOrigin + n.domContentLoadedEventEnd") / 1000
        print(f"save -> page reloaded: {loaded - saved:.3f} s")  # bench/ measures it
        assert loaded > saved

        base.write_text(base.read_text().replace("themes: [russian-motives]",
                                                 "themes: [russian-motive]"))
        error = wait_for(lambda: browser.execute_script(
            "const e = document.getElementById('briefgen-preview-error');"
            "return e && e.textContent"))
        lines = error.splitlines()
        assert lines[0].startswith("facts/base.yaml:") and "russian-motive" in lines[0]
        assert lines[-1] == "facts/base.yaml: not rebuilt; the previous files stay"
        assert browser.execute_script(  # shown over the last good brief, which stays
            "return document.getElementById('briefgen-preview-error').getAttribute('role')"
        ) == "alert"
        assert "identify where it could help" in text()

        base.write_text(base.read_text().replace("themes: [russian-motive]",
                                                 "themes: [russian-motives]"))
        wait_for(lambda: browser.execute_script(
            "return !document.getElementById('briefgen-preview-error')"))
        assert "identify where it could help" in text()
    finally:
        code = w.stop()
    assert code == 0
    assert w.err[-1] == "stopped watching"
    with socket.socket() as s:  # the server is gone with the watch
        assert s.connect_ex(("127.0.0.1", int(url.rsplit(":", 1)[1].strip("/")))) != 0


def test_serve_writes_the_html_edition_beside_the_formats_asked_for(tmp_path, monkeypatch):
    from briefgen import api

    tiny_factbase(tmp_path)
    monkeypatch.chdir(tmp_path)
    stop, told = threading.Event(), []

    def report(kind, lines):
        told.append((kind, lines))
        if kind in ("paths", "errors"):
            stop.set()  # one build is enough

    api.watch(theme=["nato-security-assistance"], format=("pdf",), serve=True, port=0,
              report=report, stop_event=stop)
    assert told[0][1][0].startswith("serving the HTML briefs at http://127.0.0.1:")
    assert ("paths", ["out/theme-nato-security-assistance.html",
                      "out/theme-nato-security-assistance.pdf"]) in told
