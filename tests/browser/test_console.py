"""Every page loads, and its script runs, without an error or a CSP violation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Error

RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
});
"""


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def crawl(browser: Browser, seed_site: Path, site_url: str) -> Crawl:
    """Visit every page of the site once, hovering and focusing a mention where there is one; record what goes wrong."""
    result = Crawl()
    context = browser.new_context()
    try:
        context.add_init_script(RECORD_CSP)
        page = context.new_page()
        current = {"path": ""}

        def on_console(msg: ConsoleMessage) -> None:
            line = f"{current['path']}: [{msg.type}] {msg.text}"
            result.messages.append(line)
            if msg.type == "error":
                result.errors.append(line)

        def on_page_error(err: Error) -> None:
            result.errors.append(f"{current['path']}: uncaught {err.name}: {err.message}")

        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        for file in sorted(seed_site.rglob("*.html")):
            path = file.relative_to(seed_site).as_posix()
            current["path"] = path
            result.pages.append(path)
            page.goto(site_url + path, wait_until="load")
            mention = page.locator(".mention[data-entity]").first
            if mention.count():
                mention.hover()
                mention.focus()
                page.keyboard.press("Escape")
            result.csp.extend(f"{path}: {v}" for v in page.evaluate("() => window.__cspViolations || []"))
    finally:
        context.close()
    return result


def test_no_page_logs_an_error(crawl: Crawl, seed_site: Path) -> None:
    """No page of the site logs a console error or throws an uncaught exception."""
    assert len(crawl.pages) == len(list(seed_site.rglob("*.html"))) > 1
    assert not crawl.errors, "\n".join(crawl.errors)


def test_no_page_violates_its_content_security_policy(crawl: Crawl) -> None:
    """No page triggers a Content Security Policy violation, reported as an event or a console message."""
    in_console = [m for m in crawl.messages if "Content Security Policy" in m or "Content-Security-Policy" in m]
    assert not crawl.csp + in_console, "\n".join(crawl.csp + in_console)
