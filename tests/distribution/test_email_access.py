"""The HTML part of every e-mail is accessible: axe-core, run in a real headless Chromium
(tests/browser.py: Debian's chromium and chromedriver, npm's axe-core, all installed by
`.ci/run`), finds no violation of the WCAG 2.2 AA rules. Without them these tests skip and say
why."""

from __future__ import annotations

import email
import email.policy
import shutil
from pathlib import Path

from browser import axe_violations

from .conftest import ROOT, WEEK
from .test_corrections import desk, extra  # noqa: F401 - desk: a fixture


def violations(browser, page: str, folder: Path) -> list[dict]:
    """What axe-core finds in `page` (an e-mail's HTML part), shown as a mail program would
    show the part: a page of its own."""
    path = folder / "mail.html"
    path.write_text(page, encoding="utf-8")
    browser.get(path.as_uri())
    return axe_violations(browser)


def html_parts(folder: Path) -> dict[str, str]:
    out = {}
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        out[path.stem] = message.get_body(("html",)).get_content()
    return out


def test_the_bundled_desks_emails_have_no_wcag_violation(cli, browser, tmp_path, monkeypatch):
    for name in ("facts", "templates", "readers.yaml", "briefgen.toml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    assert cli("send", "--week", WEEK, "--dry-run")[0] == 0
    pages = html_parts(tmp_path / "out" / "outbox" / WEEK)
    assert len(pages) == 4
    for reader, page in pages.items():
        assert (reader, violations(browser, page, tmp_path)) == (reader, [])


def test_a_correction_email_has_no_wcag_violation(cli, browser, desk, smtp,  # noqa: F811
                                                   tmp_path):
    server = smtp()
    assert cli("send", "--week", WEEK)[0] == 0
    extra(desk, "claims 200 Russian", "claims that 200 Russian")
    assert cli("send", "--week", WEEK, "--resend-changed")[0] == 0
    page = server.received[-1].message.get_body(("html",)).get_content()
    assert "What changed since the edition you received" in page
    assert violations(browser, page, tmp_path) == []


def test_the_check_finds_small_links_side_by_side(browser, tmp_path):
    """The check itself: two note links a space apart, as the e-mail had them before they
    became 24 px targets, fail WCAG 2.2's target size."""
    page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
            '<body><main><h1>Brief</h1><ol><li id="note-1"><a href="#s1">S1</a> '
            '<a href="#r1" aria-label="Back">↩</a></li></ol><p id="s1">S1</p><p id="r1">r</p>'
            '</main></body></html>')
    assert [v["id"] for v in violations(browser, page, tmp_path)] == ["target-size"]
