"""Claims: marked in the article (a verdict after each checked one), the claim entries beside it, and the
claims they lead to through the sources' pages."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from .helpers import SEED_SOURCE

WHAT_FOLLOWS_EACH_CLAIM = """
body => [...body.querySelectorAll('.claim[id]')].map(claim => {
  const next = claim.nextElementSibling;
  const verdict = next && next.matches('.verdict') ? next : null;
  return {
    claim: claim.id,
    status: (claim.className.match(/(?:^|\\s)claim-(\\w+)/) || [])[1] || null,
    highlighted: claim.tagName === 'MARK',
    verdict: verdict ? {text: verdict.textContent.trim(), cls: verdict.className, controls: verdict.getAttribute('aria-controls')} : null,
  };
})
"""


def test_every_claim_is_marked_and_only_a_checked_one_carries_a_verdict(
    article: Page, seed_annotations: dict[str, Any]
) -> None:
    """Each claim of the article is marked at its passage with its status; a reported one (all of the seed's) is not
    highlighted and carries no badge; a checked one would be highlighted and followed by its verdict."""
    expected = {f"claim-{c['id']}": c["status"] for c in seed_annotations["claims"]}
    rows = article.locator(".article-body").evaluate(WHAT_FOLLOWS_EACH_CLAIM)
    assert {r["claim"] for r in rows} == set(expected)
    for r in rows:
        assert r["status"] == expected[r["claim"]], f"{r['claim']} is marked {r['status']}"
        if r["status"] == "reported":
            assert not r["highlighted"] and r["verdict"] is None, f"{r['claim']}, reported, is shown as {r}"
        else:
            assert r["highlighted"] and r["verdict"], f"{r['claim']} has no verdict"
            assert r["verdict"]["text"].endswith(r["status"].capitalize())
            assert r["verdict"]["controls"] == f"verdict-{r['claim'].removeprefix('claim-')}"


def test_claim_entry_beside_the_article_leads_to_its_sources(article: Page) -> None:
    """A claim's entry beside the article gives its status in words and links to its source's page."""
    page = article
    page.goto(page.url + "#about-claim-joint-coordination-centers-agreed")
    entry = page.locator("#about-claim-joint-coordination-centers-agreed")
    expect(entry).to_be_in_viewport()
    expect(entry.locator(".badge")).to_have_text("reported")
    source_link = entry.locator(f'a[href$="sources/{SEED_SOURCE}.html"]')
    expect(source_link).to_have_count(1)
    title = source_link.inner_text()
    source_link.click()
    expect(page).to_have_url(re.compile(rf"/sources/{SEED_SOURCE}\.html$"))
    expect(page.locator("h1")).to_have_text(title)


def test_sources_page_links_each_source_to_its_page(page: Page, site_url: str, site_claims) -> None:  # type: ignore[no-untyped-def]
    """The sources page lists each source with how many claims cite it, linked to the source's own page."""
    citing = [c for _, c in site_claims if SEED_SOURCE in c["sources"]]
    assert len(citing) == 18  # 17 in the seed article, 1 in an invented one
    page.goto(site_url + "sources.html")
    entry = page.locator(f"#source-{SEED_SOURCE}")
    expect(entry).to_contain_text(f"cited by {len(citing)} claims")
    entry.locator("a").first.click()
    expect(page).to_have_url(site_url + f"sources/{SEED_SOURCE}.html")


def test_source_page_lists_claims_citing_seed_source(
    page: Page, site_url: str, site_claims: list[tuple[str, dict[str, Any]]]
) -> None:
    """The seed source's page lists every claim that cites it, from every article, each linked to the claims
    of its article's month."""
    citing = {c["id"]: month for month, c in site_claims if SEED_SOURCE in c["sources"]}
    assert set(citing.values()) == {"2020-03", "2020-04"}  # the seed article's and an invented one's
    page.goto(site_url + f"sources/{SEED_SOURCE}.html")
    expect(page.locator("#claims-heading")).to_have_text(f"Cited by {len(citing)} claims")
    links = page.locator(".claim-list a")
    expect(links).to_have_count(len(citing))
    expect(links.first).to_be_visible()
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == sorted(f"../claims/{month}.html#claim-{cid}" for cid, month in citing.items())


def test_each_cited_claim_link_resolves_on_its_claims_page(page: Page, site_url: str) -> None:
    """Every claim link on the seed source's page opens the claims of its article's month on that claim, with the
    same words."""
    # Jumping from claim to claim mid-way through a smooth scroll can leave the
    # view short of the target; without motion each jump lands at once.
    page.emulate_media(reduced_motion="reduce")
    page.goto(site_url + f"sources/{SEED_SOURCE}.html")
    links = page.locator(".claim-list a")
    expect(links.first).to_be_visible()
    cited = links.evaluate_all("as => as.map(a => [a.href, a.textContent.trim()])")
    assert cited, "the seed source lists no claims"

    links.first.click()  # one by clicking, the rest by address
    for href, text in cited:
        assert re.match(re.escape(site_url) + r"claims/2020-0[34]\.html#claim-", href), href
        if page.url != href:
            page.goto(href)
        expect(page).to_have_url(href)
        target = page.locator("#" + href.split("#", 1)[1])
        expect(target).to_have_count(1)
        expect(target).to_be_in_viewport()
        expect(target.locator(".claim-text")).to_contain_text(text)
        assert target.evaluate("el => el.matches(':target')"), f"{href} does not match :target"


def test_claims_page_links_to_the_claims_of_each_month(page: Page, site_url: str, site_claims) -> None:  # type: ignore[no-untyped-def]
    """The claims page counts the claims by status and links to the page of each month's claims."""
    page.goto(site_url + "claims.html")
    expect(page.locator("main .counts")).to_contain_text(f"{len(site_claims)} claims")
    months = page.locator(".month-index a")
    expect(months).to_have_count(len({month for month, _ in site_claims}))  # 2020-03, 2020-04 and 2021-03
    page.locator('.month-index a[href="claims/2020-03.html"]').click()
    expect(page).to_have_url(site_url + "claims/2020-03.html")
    expect(page.locator("h1")).to_have_text("Claims in articles of March 2020")
    expect(page.locator("ol.claims > li")).to_have_count(sum(month == "2020-03" for month, _ in site_claims))


def test_a_claim_on_a_further_page_of_its_month_opens_there(page: Page, project, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """With one claim a page, a month of two claims has two pages: the link to the older claim at the
    month's address, as its article's verdict gives it, opens the second page on that claim, whose
    pager leads back to the month's page."""
    import dataclasses

    from marginalia import render
    from marginalia.pipeline import build
    from tests.conftest import serve
    from tests.fixtures.scale import many_articles

    monkeypatch.setattr(render, "CLAIMS_PAGE_CLAIMS", 1)
    many_articles(project, 4)
    config = dataclasses.replace(project.config, search=False)
    build(config)
    server, url = serve(config.site_dir)
    try:
        page.goto(url + "articles/a002.html")  # a disputed claim, the older of February 2020's two
        page.locator(".verdict").first.click()
        page.get_by_role("link", name="The claim in full").click()
        expect(page).to_have_url(url + "claims/2020-02/2.html#claim-c2")
        expect(page.locator("#claim-c2")).to_be_visible()
        expect(page.locator("ol.claims > li")).to_have_count(1)
        page.locator('a[rel="prev"]').click()
        expect(page).to_have_url(url + "claims/2020-02.html")
        expect(page.locator("ol.claims > li#claim-c3")).to_be_visible()
    finally:
        server.shutdown()
        server.server_close()
