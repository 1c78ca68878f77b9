"""A real browser for the tests: Debian's Chromium, driven by its chromedriver (selenium), and
axe-core (npm) to check pages against the WCAG 2.2 AA rules.

`.ci/run` installs all three. A test that needs one that is missing skips, saying which and how
to install it. The `browser` fixture is one headless Chromium per test process, with a fresh
profile; `axe_violations(driver)` injects axe-core into the page shown and runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE = Path(os.environ.get("BRIEFGEN_AXE_CORE", ROOT / ".ci" / "browser" / "node_modules" /
                          "axe-core" / "axe.min.js"))
# axe-core's tags for the rules of WCAG 2.0, 2.1 and 2.2, levels A and AA
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1"]


def missing() -> str | None:
    """Why there is no browser to test in, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for tool, package in (("chromium", "chromium"), ("chromedriver", "chromium-driver")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install {package})"
    return None


def start_chromium(profile: str):
    """A headless Chromium (selenium's driver) with the profile folder `profile`, 1280×900."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in FLAGS + [f"--user-data-dir={profile}", "--window-size=1280,900"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    driver.set_script_timeout(60)
    return driver


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium with a fresh profile for the whole test process (bench/ uses
    `start_chromium` too)."""
    why = missing()
    if why:
        pytest.skip(f"no browser to test in: {why}")
    profile = tempfile.mkdtemp(prefix="briefgen-chromium-")
    driver = start_chromium(profile)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def axe_violations(driver, tags: list[str] = WCAG_22_AA) -> list[dict]:
    """The violations axe-core finds in the page the driver shows: [{id, impact, help,
    nodes: [target, ...]}]; skips the test if axe-core is not installed."""
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed ({AXE}: npm install --prefix .ci/browser "
                    "axe-core@4, as .ci/run does)")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: "
        "['violations']}).then(r => done(JSON.stringify(r.violations)), "
        "e => done(JSON.stringify({error: String(e)})));", tags)
    found = json.loads(result)
    if isinstance(found, dict):
        raise AssertionError(f"axe-core failed: {found['error']}")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]]} for v in found]
