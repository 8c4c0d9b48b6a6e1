"""Claims: status badges in the article, the claim entries beside it, and the
claims they lead to through the sources page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from .helpers import ARTICLE, SEED_SOURCE

BADGE_FOLLOWING_EACH_MARK = """
body => {
  const marks = [...body.querySelectorAll('mark.claim')];
  const badges = [...body.querySelectorAll('a.badge')];
  let claim = null;
  return marks.map(mark => {
    if (mark.id) claim = mark.id;  // later marks without an id continue the same claim
    const badge = badges.find(b => mark.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    const status = (mark.className.match(/(?:^|\\s)claim-(\\w+)/) || [])[1] || null;
    return {
      claim, status,
      href: badge ? badge.getAttribute('href') : null,
      text: badge ? badge.textContent.trim() : null,
      cls: badge ? badge.className : null,
    };
  });
}
"""


def test_every_claim_in_article_is_followed_by_its_status_badge(
    article: Page, seed_annotations: dict[str, Any]
) -> None:
    """Each claim highlighted in the article is followed by a badge naming its status and linking to its entry."""
    expected = {f"claim-{c['id']}": c["status"] for c in seed_annotations["claims"]}
    body = article.locator(".article-body")
    expect(body.locator("mark.claim[id]")).to_have_count(len(expected))
    rows = body.evaluate(BADGE_FOLLOWING_EACH_MARK)
    assert {r["claim"] for r in rows} == set(expected)
    for r in rows:
        assert r["href"] == f"#about-{r['claim']}", f"the badge after {r['claim']} links to {r['href']}"
        assert r["status"] == expected[r["claim"]], f"{r['claim']} is marked {r['status']}"
        assert r["text"] == r["status"], f"the badge after {r['claim']} says {r['text']!r}, not {r['status']!r}"
        assert f"badge-{r['status']}" in r["cls"].split(), f"the badge after {r['claim']} has classes {r['cls']!r}"


def test_badge_leads_to_claim_entry_which_leads_to_sources(article: Page) -> None:
    """Clicking a claim's badge shows its entry beside the article, whose source link opens the sources page there."""
    page = article
    badge = page.locator(".article-body a.badge").first
    expect(badge).to_have_attribute("href", "#about-claim-joint-coordination-centers-agreed")
    badge.click()
    expect(page).to_have_url(re.compile(re.escape(ARTICLE) + "#about-claim-joint-coordination-centers-agreed$"))
    entry = page.locator("#about-claim-joint-coordination-centers-agreed")
    expect(entry).to_be_in_viewport()
    expect(entry.locator(".badge")).to_have_text("reported")
    source_link = entry.locator(f'a[href$="sources.html#source-{SEED_SOURCE}"]')
    expect(source_link).to_have_count(1)
    source_link.click()
    expect(page).to_have_url(re.compile(rf"/sources\.html#source-{SEED_SOURCE}$"))
    target = page.locator(f"#source-{SEED_SOURCE}")
    expect(target).to_be_in_viewport()
    assert target.evaluate("el => el.matches(':target')")


def test_sources_page_lists_claims_citing_seed_source(
    page: Page, site_url: str, seed_annotations: dict[str, Any]
) -> None:
    """The sources page lists, under the seed source, every claim that cites it."""
    citing = [c["id"] for c in seed_annotations["claims"] if SEED_SOURCE in c["sources"]]
    page.goto(site_url + "sources.html")
    entry = page.locator(f"#source-{SEED_SOURCE}")
    expect(entry.locator("summary")).to_have_text(f"Cited by {len(citing)} claims")
    links = entry.locator(".claim-list a")
    expect(links).to_have_count(len(citing))
    expect(links.first).to_be_visible()
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == sorted(f"claims.html#claim-{cid}" for cid in citing)


def test_each_cited_claim_link_resolves_on_claims_page(page: Page, site_url: str) -> None:
    """Every claim link under the seed source opens claims.html on that claim, showing the same words."""
    # Jumping from claim to claim mid-way through a smooth scroll can leave the
    # view short of the target; without motion each jump lands at once.
    page.emulate_media(reduced_motion="reduce")
    page.goto(site_url + "sources.html")
    links = page.locator(f"#source-{SEED_SOURCE} .claim-list a")
    expect(links.first).to_be_visible()
    cited = links.evaluate_all("as => as.map(a => [a.getAttribute('href'), a.textContent.trim()])")
    assert cited, "the seed source lists no claims"

    links.first.click()  # one by clicking, the rest by address
    for href, text in cited:
        if page.url != site_url + href:
            page.goto(site_url + href)
        expect(page).to_have_url(site_url + href)
        target = page.locator("#" + href.split("#", 1)[1])
        expect(target).to_have_count(1)
        expect(target).to_be_in_viewport()
        expect(target.locator(".claim-text")).to_contain_text(text)
        assert target.evaluate("el => el.matches(':target')"), f"{href} does not match :target"
