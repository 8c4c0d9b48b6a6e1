"""Hostile input in a real Chromium: nothing runs.

A site built from the hostile corpus (every string in every free-text field,
the Markdown body and quotes; tests/fixtures/hostile/) is served over HTTP
and every page is loaded, its first mention hovered and focused so the card
script handles hostile names. No dialog opens (the payloads call alert), no
uncaught error or console error, no CSP violation, nothing sets
window.pwned, and the DOM globals a clobbering payload would shadow are
still what they should be.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Error, Page, expect

from tests.conftest import Project, serve
from tests.fixtures.hostile.support import HostileSite, build_hostile_site, collapse

RECORD = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
});
"""

GLOBALS = """() => {
  const safe = u => { try { return ['http:', 'https:', 'mailto:'].includes(new URL(u, location.href).protocol); } catch (e) { return false; } };
  const bad = [];
  const check = (ok, what) => { if (!ok) bad.push(what); };
  check(typeof window.alert === 'function', 'window.alert is not a function');
  check(typeof window.confirm === 'function', 'window.confirm is not a function');
  check(typeof document.cookie === 'string', 'document.cookie is not a string');
  check(window.location instanceof Location, 'window.location is not a Location');
  check(document.location instanceof Location, 'document.location is not a Location');
  check(typeof document.getElementById === 'function', 'document.getElementById is shadowed');
  check(typeof document.querySelector === 'function', 'document.querySelector is shadowed');
  check(typeof document.createElement === 'function', 'document.createElement is shadowed');
  check(document.body instanceof HTMLBodyElement, 'document.body is not the body');
  check(typeof window.name === 'string', 'window.name is not a string');
  check(window.top === window && window.self === window, 'window.top or window.self is shadowed');
  check(Object.getPrototypeOf({}) === Object.prototype, 'Object.prototype was replaced');
  check(typeof window.pwned === 'undefined', 'a payload set window.pwned');
  check(!('__proto__' in document.all && document.all['__proto__'] instanceof Element), 'an element is named __proto__');
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push(`${el.tagName} has ${a.name}`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster'].includes(a.name)
          && !(el.tagName === 'LINK' && el.rel === 'icon' && a.value === 'data:,')  // base.html's empty favicon
          && !(el.tagName === 'FORM' && el.closest('#site-search') && a.value === 'javascript:void(0);')  // Pagefind's own search form
          && !safe(a.value))
        bad.push(`${el.tagName} ${a.name}=${JSON.stringify(a.value)}`);
    }
  }
  for (const s of document.scripts) {
    if (s.src ? !/\\/(assets|pagefind)\\/[\\w.-]+\\.js$/.test(new URL(s.src).pathname) : s.type !== 'application/ld+json')
      bad.push(`script ${s.src || s.textContent.slice(0, 60)}`);
  }
  if (document.querySelector('iframe, frame, object, embed, style')) bad.push('an iframe, object, embed or style element');
  return bad;
}"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> HostileSite:
    return build_hostile_site(tmp_path_factory.mktemp("hostile-browser"))


@pytest.fixture(scope="module")
def hostile_url(hostile: HostileSite) -> Iterator[str]:
    server, url = serve(hostile.site)
    yield url
    server.shutdown()
    server.server_close()


@dataclass
class Crawl:
    pages: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    clobbered: list[str] = field(default_factory=list)
    cards: list[tuple[str, str, str]] = field(default_factory=list)
    """(page, card link text, entity name from the page's entity list) for each card opened."""


@pytest.fixture(scope="module")
def crawl(browser: Browser, hostile: HostileSite, hostile_url: str) -> Crawl:
    """Load every page of the hostile site; hover and focus its first mention; record whatever fires."""
    result = Crawl()
    context = browser.new_context()
    try:
        context.add_init_script(RECORD)
        page = context.new_page()
        current = {"path": ""}

        def on_dialog(dialog: Dialog) -> None:
            result.dialogs.append(f"{current['path']}: {dialog.type} {dialog.message!r}")
            dialog.dismiss()

        def on_console(msg: ConsoleMessage) -> None:
            if msg.type == "error":
                result.errors.append(f"{current['path']}: console error: {msg.text}")

        def on_page_error(err: Error) -> None:
            result.errors.append(f"{current['path']}: uncaught {err.name}: {err.message}")

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        for file in sorted(hostile.site.rglob("*.html")):
            path = file.relative_to(hostile.site).as_posix()
            current["path"] = path
            result.pages.append(path)
            page.goto(hostile_url + path, wait_until="load")
            mention = page.locator("a.mention[data-entity]").first
            if mention.count():
                mention.hover()
                mention.focus()
                card = page.locator(".entity-card")
                if card.count() == 1 and card.is_visible():
                    entity = mention.get_attribute("data-entity") or ""
                    listed = page.locator(f"#entity-{entity} .entity-name")
                    name = listed.first.text_content() if listed.count() else ""
                    result.cards.append((path, card.locator(".entity-card-link").text_content() or "", name or ""))
                page.keyboard.press("Escape")
            result.clobbered.extend(f"{path}: {what}" for what in page.evaluate(GLOBALS))
            result.csp.extend(f"{path}: {v}" for v in page.evaluate("() => window.__cspViolations || []"))
    finally:
        context.close()
    return result


def test_every_hostile_page_was_loaded(crawl: Crawl, hostile: HostileSite) -> None:
    """The crawl covers every page: one per article, entity, and the five index pages."""
    assert len(crawl.pages) == len(list(hostile.site.rglob("*.html"))) > 2 * len(hostile.entries)


def test_no_payload_opens_a_dialog(crawl: Crawl) -> None:
    """No page opens an alert, confirm or prompt: no hostile script ran."""
    assert not crawl.dialogs, "\n".join(crawl.dialogs)


def test_no_page_throws_or_logs_an_error(crawl: Crawl) -> None:
    """No uncaught exception and no console error on any hostile page."""
    assert not crawl.errors, "\n".join(crawl.errors[:60])


def test_no_page_violates_its_content_security_policy(crawl: Crawl) -> None:
    """Nothing on a hostile page even tries to run inline code or load from elsewhere."""
    assert not crawl.csp, "\n".join(crawl.csp[:60])


def test_dom_globals_are_not_clobbered(crawl: Crawl) -> None:
    """window.alert is a function, document.cookie a string, location a Location...; no on* attribute or unsafe URL in the live DOM."""
    assert not crawl.clobbered, "\n".join(crawl.clobbered[:60])


def test_cards_show_hostile_names_as_text(crawl: Crawl) -> None:
    """The card script copies a hostile entity name into the card as text, exactly as the page lists it."""
    assert len(crawl.cards) > 20, "too few cards opened"

    def same(text: str) -> str:  # the script trims as JavaScript does, which counts U+FEFF as a space
        return collapse(text).strip("\ufeff ")

    wrong = [f"{page}: card says {shown!r}, the page lists {listed!r}" for page, shown, listed in crawl.cards
             if same(shown) != same(listed)]  # fmt: skip
    assert not wrong, "\n".join(wrong[:30])


def test_javascript_link_does_not_navigate(page: Page, hostile: HostileSite, hostile_url: str) -> None:
    """Clicking every link in a hostile article's body and notes never runs script and never leaves http(s)."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    entry = next(h for h in hostile.entries if h.text == "[click](java&#x09;script:alert(1))")
    page.goto(hostile_url + f"articles/{entry.slug}.html")
    links = page.locator(".article-body a:not(.mention):not(.badge), .endnotes a")
    count = links.count()
    assert count >= 3
    followed = 0
    for i in range(count):
        page.goto(hostile_url + f"articles/{entry.slug}.html")
        link = links.nth(i)
        target = link.evaluate("a => a.href")
        if not target.startswith(hostile_url):
            continue  # http(s) elsewhere: it would leave the machine
        link.evaluate("a => a.click()")  # also the links in sidenotes, hidden at this width
        page.wait_for_url(target)
        page.wait_for_load_state()
        followed += 1
    assert followed >= 3
    assert not dialogs


# --- Known clobbering of the card itself --------------------------------------------------


@pytest.fixture
def card_entity_site(tmp_path: Path) -> Iterator[str]:
    project = Project(tmp_path)
    project.write(
        "entities.yml", "- id: card\n  name: Card Index\n  kind: concept\n- id: ada\n  name: Ada\n  kind: person\n"
    )
    project.article(
        "a",
        "The card names Ada. Later the card again.\n",
        "mentions:\n  - {entity: card, quote: card, every: true}\n  - {entity: ada, quote: Ada}\n",
    )
    from marginalia.pipeline import build

    build(project.config)
    server, url = serve(project.root / "site")
    yield url
    server.shutdown()
    server.server_close()


def test_an_entity_called_card_does_not_clobber_the_card(page: Page, card_entity_site: str) -> None:
    """Entity id `card`: every mention of it still opens its card, and ids stay unique."""
    page.goto(card_entity_site + "articles/a.html")
    mentions = page.locator('.mention[data-entity="card"]')  # the first a link, the second not (a name is linked once)
    expect(mentions).to_have_count(2)
    mentions.first.hover()
    expect(page.locator(".entity-card:visible .entity-card-link")).to_have_text("Card Index")
    page.locator('a.mention[data-entity="ada"]').hover()  # the card moves to Ada
    expect(page.locator(".entity-card:visible .entity-card-link")).to_have_text("Ada")
    mentions.nth(1).hover()
    expect(page.locator(".entity-card:visible .entity-card-link")).to_have_text("Card Index", timeout=2000)
    duplicates = page.evaluate(
        "() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id); return ids.filter((v, i) => ids.indexOf(v) !== i); }"
    )
    assert duplicates == []


@pytest.fixture
def remote_image_site(tmp_path: Path) -> Iterator[str]:
    project = Project(tmp_path)
    project.article("a", "Ada wrote. ![pixel](https://tracker.example/p.gif)\n")
    from marginalia.pipeline import build

    build(project.config)
    server, url = serve(project.root / "site")
    yield url
    server.shutdown()
    server.server_close()


def test_remote_image_in_an_article_is_not_a_csp_violation(page: Page, remote_image_site: str) -> None:
    """An image from another site in article Markdown is either not rendered as an image or allowed: no CSP violation, no console error."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.add_init_script(RECORD)
    page.goto(remote_image_site + "articles/a.html", wait_until="networkidle")
    assert page.evaluate("() => window.__cspViolations") == []
    assert errors == []
