"""`briefgen watch --serve`: the desk's HTML briefs on 127.0.0.1, reloaded on every rebuild.

A small threaded HTTP server (the standard library's) serves the `.html` files of the desk's
out/ folder, each with a few lines of script added at its end (the files stay as built). The
script listens to `/events` (server-sent events): after a rebuild the page reloads itself; after
a save that does not build it shows the located errors over the last good brief, until the next
good build reloads it. Only 127.0.0.1 is bound: the preview is for the curator's own browser.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from briefgen.errors import UsageError

DEFAULT_PORT = 8000
HOST = "127.0.0.1"
KEEP_ALIVE_S = 15  # an idle event stream says something this often, so that proxies keep it
# Added before `</body>` of every page served: `BUILT` is the build the page shows.
LIVE_SCRIPT = """<script>
(() => {
  const built = BUILT;
  let box = null;
  const show = (lines) => {
    if (!box) {
      box = document.createElement("pre");
      box.id = "briefgen-preview-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0 0 auto 0;z-index:2147483647;margin:0;" +
        "max-height:70vh;overflow:auto;padding:1rem 1.25rem;background:#7a1010;color:#fff;" +
        "font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;white-space:pre-wrap;" +
        "box-shadow:0 2px 12px rgba(0,0,0,.45)";
      document.body.prepend(box);
    }
    box.textContent = lines.join("\\n");
  };
  const events = new EventSource("/events");
  events.addEventListener("built", (e) => {
    if (JSON.parse(e.data).built !== built) location.reload();
  });
  events.addEventListener("failed", (e) => show(JSON.parse(e.data).lines));
})();
</script>
"""


class Preview:
    """The preview server of one watch: `report` wraps the watch's reporter so that each
    rebuild (or failed one) reaches every open page."""

    def __init__(self, out: Path, port: int | None = None):
        self.out = Path(out)
        self.port = DEFAULT_PORT if port is None else port
        self.built = 0  # how many good builds so far
        self.failure: list[str] | None = None  # the errors of the last save, if it failed
        self.changed = threading.Condition()
        self.stopping = False
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def __enter__(self) -> Preview:
        try:
            self.server = ThreadingHTTPServer((HOST, self.port), _handler(self))
        except OSError as e:
            raise UsageError(f"cannot serve on {HOST}:{self.port}: {e.strerror or e} (hint: "
                             "choose another port with --port N)") from None
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def report(self, inner):
        """A watch reporter that tells the pages, then `inner`."""
        def report(kind: str, lines: list) -> None:
            if kind in ("paths", "errors"):
                with self.changed:
                    if kind == "paths":
                        self.built += 1
                        self.failure = None
                    else:
                        self.failure = [str(line) for line in lines]
                    self.changed.notify_all()
            inner(kind, lines)
        return report

    def event(self) -> tuple[str, dict]:
        """What the pages are to be told now (call holding `changed`)."""
        if self.failure is not None:
            return "failed", {"lines": self.failure}
        return "built", {"built": self.built}

    def page(self, name: str) -> bytes | None:
        """The brief `name` (a file of out/) with the live script, or None if there is none."""
        if Path(name).name != name or not name.endswith(".html"):
            return None
        try:
            data = (self.out / name).read_bytes()
        except OSError:
            return None
        return _with_script(data, self.built)

    def index(self) -> bytes:
        """A list of the HTML briefs in out/."""
        from html import escape

        names = sorted(p.name for p in self.out.glob("*.html")) if self.out.is_dir() else []
        items = "".join(f'<li><a href="/{escape(n)}">{escape(n)}</a></li>' for n in names)
        page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>'
                f"{escape(str(self.out))}</title></head><body><main><h1>{escape(str(self.out))}"
                f"</h1><ul>{items}</ul></main></body></html>")
        return _with_script(page.encode(), self.built)


def _with_script(page: bytes, built: int) -> bytes:
    script = LIVE_SCRIPT.replace("BUILT", str(built)).encode()
    at = page.rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


def _handler(preview: Preview):
    class Handler(BaseHTTPRequestHandler):
        server_version = "briefgen"

        def do_GET(self) -> None:  # http.server's name for it
            path = self.path.split("?", 1)[0]
            if path == "/events":
                return self.events()
            body = preview.index() if path == "/" else preview.page(path[1:])
            status = 200
            if body is None:
                status = 404
                body = _with_script(b"<!DOCTYPE html><title>404</title><p>404</p>",
                                    preview.built)
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def events(self) -> None:
            """Server-sent events: the state now, then each change, until the watch stops."""
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = None
            try:
                while True:
                    with preview.changed:
                        while not preview.stopping and preview.event() == seen:
                            if not preview.changed.wait(KEEP_ALIVE_S):
                                break
                        if preview.stopping:
                            return
                        now = preview.event()
                    if now == seen:
                        self.wfile.write(b": still watching\n\n")
                    else:
                        kind, data = seen = now
                        self.wfile.write(f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()
            except OSError:  # the page was closed or reloaded
                return

        def log_message(self, format, *args) -> None:  # the watch's own lines are enough
            pass

    return Handler
