"""`briefgen source add`: saved pages, PDFs, text and URLs archived; bad input writes nothing."""

import hashlib
import http.server
import shutil
import threading
from datetime import date
from functools import partial

import pytest
import yaml

from briefgen import resources
from conftest import tiny_factbase, write

PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Ceasefire talks stall in Geneva | Desert Wire</title>
<meta property="og:site_name" content="Desert Wire"><meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2019-12-11T09:00:00Z">
<meta property="og:title" content="Ceasefire talks stall in Geneva"></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/libya">Libya</a></li><li><a href="/about">About us</a></li></ul></nav>
<article><h1>Ceasefire talks stall in Geneva</h1><p class="byline">By Jane Roe</p>
<p>Talks between the two Libyan delegations in Geneva stalled on Wednesday after the eastern
side refused to discuss the withdrawal of foreign fighters from the front lines south of
Tripoli.</p>
<p>A UN official said the mission would keep both delegations in the city for another week,
adding that “no one is leaving the table yet”.</p>
</article>
<aside><h2>Related articles</h2><ul>
<li><a href="/a">Oil output falls again as the port stays shut</a></li>
<li><a href="/b">Drone strike hits the airport near the capital</a></li></ul></aside>
<footer>© 2019 Desert Wire. All rights reserved.</footer></body></html>
"""
TEXT = ("Ceasefire talks stall in Geneva\n\nTalks between the two Libyan delegations in Geneva "
        "stalled on Wednesday after the eastern side refused to discuss the withdrawal of foreign "
        "fighters from the front lines south of Tripoli.\n\nA UN official said the mission would "
        "keep both delegations in the city for another week, adding that “no one is leaving the "
        "table yet”.\n")
NEW_ID = "ceasefire-talks-stall-in-geneva-2019-12"


@pytest.fixture
def root(tmp_path):
    tiny_factbase(tmp_path)
    shutil.copytree(resources.TEMPLATES, tmp_path / "templates")  # a desk with its own copies
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    return tmp_path


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_saved_page_is_archived_without_its_navigation_and_checks(cli, root):
    before = (root / "facts" / "base.yaml").read_text(encoding="utf-8")
    result = cli("source", "add", "page.html", "--reliability", "B", "--into",
                 "facts/base.yaml", cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (0, NEW_ID + "\n", "")
    archived = root / "facts" / "sources" / f"{NEW_ID}.txt"
    assert archived.read_text(encoding="utf-8") == TEXT
    capture = root / "facts" / "sources" / f"{NEW_ID}.html"
    assert capture.read_bytes() == (root / "page.html").read_bytes()
    after = (root / "facts" / "base.yaml").read_text(encoding="utf-8")
    # the entry goes after the last source, before `themes:`; every other line is untouched
    head, sep, tail = before.partition("themes:")
    sha = hashlib.sha256(PAGE.encode()).hexdigest()
    assert after == head + (
        f"\n  - id: {NEW_ID}\n"
        '    title: "Ceasefire talks stall in Geneva"\n'
        '    publisher: "Desert Wire"\n'
        '    author: "Jane Roe"\n'
        "    published: 2019-12-11\n"
        "    # url:  (not known)\n"
        f"    file: sources/{NEW_ID}.txt\n"
        f"    capture_sha256: {sha}  # of sources/{NEW_ID}.html, the capture as saved\n"
        f"    archived: {date.today().isoformat()}\n"  # the day of the capture, for the annex
        "    language: en\n"  # from <html lang="en">
        "    reliability: B\n") + sep + tail
    check = cli("check", cwd=root)
    assert (check.returncode, check.stderr) == (
        0, f"facts/base.yaml:11:9: warning: [{NEW_ID}] source is cited by no fact (hint: cite "
           "it or remove it)\nchecked 3 facts, 2 sources, 2 themes: 0 errors, 1 warning\n")
    quote = cli("quote", NEW_ID, "nobody is leaving the table yet", cwd=root)
    assert quote.stdout == (f"# 82% similar, line 5 of sources/{NEW_ID}.txt\n"
                            f"- source: {NEW_ID}\n"
                            '  quote: "adding that “no one is leaving the table yet”"\n')


def test_the_same_text_twice_is_refused_naming_the_source(cli, root):
    assert cli("source", "add", "page.html", cwd=root).returncode == 0
    before = snapshot(root / "facts")
    (root / "copy.htm").write_text(PAGE.replace("<footer>", "<footer>Updated. "), "utf-8")
    result = cli("source", "add", "copy.htm", "--id", "another-id", cwd=root)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"error: the same text is already archived as source '{NEW_ID}' "
                             f"(sources/{NEW_ID}.txt); nothing written\n")
    assert snapshot(root / "facts") == before


def test_a_text_archived_already_is_said_before_what_its_entry_would_lack(cli, root):
    """A plain text states no publisher: asking for --publisher first would send the curator
    to type one for a text that is refused anyway."""
    (root / "note.txt").write_text("Title line\n\nNATO said something on 4 June 2013.\n",
                                   "utf-8")
    assert cli("source", "add", "note.txt", "--publisher", "Desk", "--published", "2013-06-04",
               cwd=root).returncode == 0
    before = snapshot(root / "facts")
    result = cli("source", "add", "note.txt", cwd=root)
    assert result.returncode == 1
    assert result.stderr.startswith("error: the same text is already archived as source '")
    assert "nothing written" in result.stderr and "--publisher" not in result.stderr
    assert snapshot(root / "facts") == before


def test_a_pdf_is_archived_with_its_metadata(cli, root, tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "report.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4, invariant=1)
    c.setTitle("Panel of Experts final report")
    c.setAuthor("UN Panel of Experts on Libya")
    c.drawString(72, 760, "The Panel found that arms continued to reach both sides in breach")
    c.drawString(72, 745, "of the embargo, by air and by sea, throughout the year.")
    c.showPage()
    c.save()
    result = cli("source", "add", str(pdf), "--id", "poe-2019", "--publisher", "United Nations",
                 "--published", "2019-12", "--language", "en", cwd=root)
    assert (result.returncode, result.stdout) == (0, "poe-2019\n"), result.stderr
    entry = yaml.safe_load((root / "facts" / "sources.yaml").read_text())["sources"][0]
    assert entry == {"id": "poe-2019", "title": "Panel of Experts final report",
                     "publisher": "United Nations", "author": "UN Panel of Experts on Libya",
                     "published": "2019-12", "file": "sources/poe-2019.txt",
                     "capture_sha256": hashlib.sha256(pdf.read_bytes()).hexdigest(),
                     "archived": date.today(), "language": "en"}
    text = (root / "facts" / "sources" / "poe-2019.txt").read_text()
    assert text == ("The Panel found that arms continued to reach both sides in breach\n"
                    "of the embargo, by air and by sea, throughout the year.\n")
    assert (root / "facts" / "sources" / "poe-2019.pdf").read_bytes() == pdf.read_bytes()
    assert cli("check", cwd=root).returncode == 0


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=site))
    # polled often, so that shutdown() at the end need not wait half a second
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield site, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_url_is_fetched_and_archived(cli, root, server):
    site, base_url = server
    (site / "article.html").write_text(PAGE, encoding="utf-8")
    result = cli("source", "add", f"{base_url}/article.html", cwd=root)
    assert (result.returncode, result.stdout) == (0, NEW_ID + "\n"), result.stderr
    entry = yaml.safe_load((root / "facts" / "sources.yaml").read_text())["sources"][0]
    assert entry["url"] == f"{base_url}/article.html"
    assert (root / "facts" / "sources" / f"{NEW_ID}.txt").read_text(encoding="utf-8") == TEXT
    missing = cli("source", "add", f"{base_url}/gone.html", cwd=root)
    assert (missing.returncode, missing.stderr) == (
        1, f"error: could not fetch {base_url}/gone.html: HTTP 404 File not found (hint: check "
        "the address, or save the page from your browser and give the saved file)\n")


NAV_ONLY = ("<html><head><title>Desert Wire</title></head><body><nav><ul>"
            + "".join(f"<li><a href='/{i}'>Section {i} of the news</a></li>" for i in range(30))
            + "</ul></nav></body></html>")


@pytest.mark.parametrize("args, files, message", [
    (["missing.html"], {}, "error: missing.html not found (hint: check the path, or give the "
     "page's address: briefgen source add https://...)"),
    (["nul.txt"], {"nul.txt": b"\x00\x01binary\x00data" * 20},
     "error: nul.txt is a binary file, not a txt capture; nothing written"),
    (["nav.html"], {"nav.html": NAV_ONLY.encode()},
     "error: nav.html has no article text to archive (only page furniture such as menus and "
     "links?); nothing written"),
    (["page.html", "--id", "nato-watch-2013-06"], {},
     "error: source id 'nato-watch-2013-06' already exists (hint: choose another --id)"),
    (["notes.docx"], {"notes.docx": b"PK..."},
     "error: notes.docx: cannot archive '.docx' files (hint: save the article as .html, .pdf "
     "or .txt)"),
    (["plain.txt"], {"plain.txt": b"Untitled notes\n\nsome words that make up a short text "
                                  b"here today\n"},
     "error: plain.txt states no publication date and no publisher (hint: pass --published "
     "YYYY-MM-DD, YYYY-MM or YYYY and --publisher)"),
])
def test_bad_input_is_refused_and_nothing_is_written(cli, root, args, files, message):
    for name, data in files.items():
        (root / name).write_bytes(data)
    before = snapshot(root / "facts")
    result = cli("source", "add", *args, cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message + "\n")
    assert snapshot(root / "facts") == before


@pytest.mark.parametrize("args, message", [
    (["--reliability", "G"], "error: --reliability 'G' is not on the A-F scale (hint: A is "
     "reliable, E unreliable; F means it cannot be judged)"),
    (["--id", "Bad Id"], "error: --id 'Bad Id' is not a slug (hint: lowercase letters, digits "
     "and single hyphens, e.g. 'wire-2019-12')"),
    (["--published", "2019-13-01"], "error: --published: '2019-13-01' is not a real calendar "
     "date (hint: write YYYY-MM-DD, YYYY-MM or YYYY, e.g. 2019-12-11)"),
    (["--url", "desert-wire.example/x"], "error: --url 'desert-wire.example/x' is not an http(s) "
     "URL (hint: give the article's http:// or https:// address)"),
])
def test_a_bad_option_is_a_usage_error_and_nothing_is_written(cli, root, args, message):
    before = snapshot(root / "facts")
    result = cli("source", "add", "page.html", *args, cwd=root)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", message + "\n")
    assert snapshot(root / "facts") == before


def test_plain_text_with_a_date_and_publisher(cli, root):
    write(root / "note.txt", """
        Ministry statement on the Geneva talks

        The ministry said on Thursday that its delegation would stay in Geneva for one more week.
        """)
    result = cli("source", "add", "note.txt", "--published", "2019-12-12", "--publisher",
                 "Ministry of Foreign Affairs", cwd=root)
    assert (result.returncode, result.stdout) == (
        0, "ministry-statement-on-the-geneva-talks-2019-12\n"), result.stderr
    assert not list((root / "facts" / "sources").glob("ministry*.html"))
    assert cli("check", cwd=root).returncode == 0


def test_the_entry_goes_after_the_last_source_and_every_comment_stays(cli, root):
    sources = root / "facts" / "desk.yaml"
    original = (
        "# Desk sources, newest last.\n"
        "sources:\n"
        "- id: wire-2019\n"
        "  title: Wire  # as printed\n"
        "  publisher: Wire\n"
        "  published: 2019-12\n"
        "  file: sources/nato.txt\n"
        "\n"
        "# Themes of the desk follow.\n"
        "themes:\n"
        "- id: spare-theme\n"
        "  title: Spare\n")
    sources.write_text(original, encoding="utf-8")
    result = cli("source", "add", "page.html", "--into", "facts/desk.yaml", cwd=root)
    assert result.returncode == 0, result.stderr
    after = sources.read_text(encoding="utf-8")
    head, tail = original.split("\n\n# Themes")
    added = after[len(head) + 1:-len("\n# Themes" + tail)]
    assert after == head + "\n" + added + "\n# Themes" + tail
    assert added.startswith(f"\n- id: {NEW_ID}\n  title: \"Ceasefire talks stall in Geneva\"\n")
    assert [s["id"] for s in yaml.safe_load(after)["sources"]] == ["wire-2019", NEW_ID]


@pytest.mark.parametrize("title, slug", [
    ("Northland approves new dam on the river", "northland-approves-new-dam-2024-03"),
    ("Ceasefire talks stall in Geneva", "ceasefire-talks-stall-in-geneva-2024-03"),
    ("The", "the-2024-03"),
])
def test_an_id_made_from_a_title_does_not_end_in_a_small_word(title, slug):
    from briefgen.curate.capture import _slug

    assert _slug(title, "2024-03-11") == slug
