"""The checks across articles, kept up to date one article at a time (`check.SiteChecks`): what the dev
server reports after any sequence of edits is what a check of the content as it now is reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from marginalia import check
from marginalia.check import Contribution, Shared, SiteChecks
from marginalia.model import Content, Entity, Location

ADA = Entity("ada", "Ada Lovelace", "person", where=Location(Path("entities.yml"), 1, 3))
ENGINE = Entity("engine", "Analytical Engine", "concept", where=Location(Path("entities.yml"), 4, 3))
GLOSSARY = Content([], {"ada": ADA, "engine": ENGINE}, {})


def article(slug: str, date: str, shared: list[tuple[str, str, bool, str]], mentioned: set[str]) -> Contribution:
    """Return what the article SLUG brings: (kind, id, defines, event date) of its claims, events and
    appearances, one a line, and the entities it MENTIONED."""
    path = Path(f"{slug}.yml")
    items = [
        Shared(kind, item_id, Location(path, line, 3), defines, date, event_date, frozenset(mentioned))
        for line, (kind, item_id, defines, event_date) in enumerate(shared, start=2)
    ]
    ids = [(item.kind, item.id, item.where) for item in items if item.defines]
    return Contribution(slug, date, [], ids, items, tuple(mentioned), (), True, True)


def problems(checks: SiteChecks) -> list[str]:
    return sorted(str(p) for p in checks.problems())


A = article("a", "2020-01-01", [("event", "launch", True, "2020-01-01")], {"ada"})
B = article("b", "2020-02-01", [("event", "launch", False, "2020-01-02")], {"ada", "engine"})
B_ALONE = article("b", "2020-02-01", [("claim", "said", False, "")], {"engine"})
C = article("c", "2020-03-01", [("event", "launch", True, "2020-01-01")], set())


def test_edits_leave_the_problems_a_fresh_check_of_the_same_articles_finds() -> None:
    """Ids given twice, a reported event dated otherwise, an appearance of nothing, an entity never mentioned."""
    live = SiteChecks(GLOSSARY)
    for edit in [("a", A), ("b", B), ("c", C), ("b", B_ALONE), ("c", None), ("a", None), ("b", B), ("a", A)]:
        name, version = edit
        if version is None:
            live.remove(name)
        else:
            live.put(name, version)
        fresh = SiteChecks(GLOSSARY)
        for key, contribution in sorted(live.contributions.items()):
            fresh.put(key, contribution)
        assert problems(live) == problems(fresh), edit


def test_what_an_article_brings_is_counted_out_when_it_goes() -> None:
    checks = SiteChecks(GLOSSARY)
    checks.put("a", A)
    assert [p.code for p in checks.problems()] == ["W502"]  # engine: never mentioned
    checks.put("c", C)
    checks.put("b", B_ALONE)
    codes = sorted(p.code for p in checks.problems())
    assert codes == ["M201", "M206"]  # launch defined twice; the claim "said" defined nowhere
    checks.remove("c")
    checks.remove("b")
    assert [p.code for p in checks.problems()] == ["W502"]


def test_an_edit_checks_again_only_the_groups_it_touches(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a site of many events of the same date and entity (thousands of likely-duplicate warnings at 10,000
    articles), an edit of one article checks again its own groups, not every group of the site; and what it
    then reports, in order, is what a check of all the articles from scratch reports."""
    events = [
        article(f"e{n:03}", f"2020-01-{1 + n % 28:02}", [("event", f"ev{n}", True, "2019")], {"ada"}) for n in range(60)
    ]
    events += [article(f"r{n:03}", "2020-02-01", [("event", f"ev{n}", False, "2019")], {"engine"}) for n in range(30)]
    live = SiteChecks(GLOSSARY)
    for contribution in events:
        live.put(contribution.slug, contribution)
    live.problems()
    checked: list[tuple[str, ...]] = []
    real = check.group_findings
    monkeypatch.setattr(check, "group_findings", lambda key, *args: checked.append(key) or real(key, *args))
    live.put("e007", article("e007", "2020-01-08", [("event", "ev7", True, "2018")], {"ada"}))
    after = live.problems()
    assert sorted(checked) == [("date", "2019", "ada"), ("event", "ev7")], checked  # 2018 has one event: no group
    fresh = SiteChecks(GLOSSARY)
    for key, contribution in live.contributions.items():
        fresh.put(key, contribution)
    assert [str(p) for p in after] == [str(p) for p in fresh.problems()]
    assert sum(p.code == "W506" for p in after) == 58  # every event of 2019 but the first, and ev7 of 2018 alone
