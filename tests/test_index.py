"""Indexing: cross-references are checked and gathered once for all pages."""

from __future__ import annotations

import dataclasses

from marginalia.anchor import anchor_article
from marginalia.check import article_ids, article_references, check_duplicate_ids
from marginalia.errors import Problems
from marginalia.index import build_index, entity_summary
from marginalia.load import load_content
from marginalia.markup import make_markdown
from marginalia.pipeline import build

ANNOTATIONS = """\
mentions:
  - {entity: ada, quote: Ada, every: true}
  - {entity: london, quote: London}
  - {entity: engine, quote: engine}
claims:
  - id: wrote-program
    quote: Ada wrote the first program
    status: confirmed
    sources: [notes]
events:
  - {id: later, quote: In 1843, date: "1843", title: Notes published}
  - {id: earlier, quote: in London, date: "1842-10", title: Translation begun}
"""


def indexed(project, annotations: str = ANNOTATIONS):
    project.article(
        "a", "Ada wrote the first program for the engine in London.\n\nIn 1843, Ada published it.\n", annotations
    )
    problems = Problems()
    content = load_content(project.content, problems)
    for article in content.articles:
        anchor_article(article, make_markdown(), problems)
    for article in content.articles:
        problems.extend(article_references(article, content))
    check_duplicate_ids((item for article in content.articles for item in article_ids(article)), problems)
    return content, build_index(content), problems


def test_mentions_in_text_order_with_snippets(project) -> None:
    """An entity's mentions keep text order, each with its context."""
    _, index, problems = indexed(project)
    assert not problems
    refs = index.mentions["ada"]
    assert [r.span.id for r in refs] == ["m-ada-1", "m-ada-2"]
    assert (refs[1].before, refs[1].words, refs[1].after) == ("In 1843, ", "Ada", " published it.")


def test_claims_reach_the_entities_mentioned_inside_them(project) -> None:
    """A claim is listed on the pages of the entities it mentions, and under its source."""
    _, index, _ = indexed(project)
    assert [p.item.id for p in index.claims_of_entity["ada"]] == ["wrote-program"]
    assert [p.item.id for p in index.claims_of_source["notes"]] == ["wrote-program"]


def test_timeline_is_in_date_order(project) -> None:
    """Events sort by date whatever their order in the file; month before year end."""
    _, index, _ = indexed(project)
    assert [p.item.id for p in index.timeline] == ["earlier", "later"]
    assert [p.item.id for p in index.events_of_entity["london"]] == ["earlier"]


def test_related_entities_count_shared_paragraphs(project) -> None:
    """Entities mentioned in the same paragraph are related; the count is of paragraphs."""
    _, index, _ = indexed(project)
    related = {e.id: n for e, n in index.related("ada")}
    assert related == {"london": 1, "engine": 1}


def test_unknown_ids_are_errors_with_suggestions(project) -> None:
    """A misspelt entity or source id is reported with the nearest ids."""
    _, _, problems = indexed(
        project,
        "mentions:\n  - {entity: adda, quote: London}\n"
        "claims:\n  - {id: c, quote: Ada wrote, status: reported, sources: [note]}\n",
    )
    assert [(p.code, p.where.line) for p in problems] == [("M202", 2), ("M203", 4)]
    assert "did you mean 'ada'?" in problems[0].hint
    assert "did you mean 'notes'?" in problems[1].hint


def test_duplicate_claim_ids_across_articles(project) -> None:
    """Claim ids are site-wide: the second use is reported."""
    project.article(
        "b", "Ada wrote.\n", "claims:\n  - {id: wrote-program, quote: Ada wrote, status: reported, sources: [notes]}\n"
    )
    _, _, problems = indexed(project)
    assert [p.code for p in problems] == ["M201"]


def test_entity_summary_is_the_first_sentence(project) -> None:
    """Cards and lists show the first sentence of a description."""
    content, _, _ = indexed(project)
    assert entity_summary(content.entities["ada"]) == "Mathematician."


def test_entity_pages_list_articles_newest_first(project) -> None:
    """An entity page groups its mentions by article, newest article first (not by file name)."""
    project.article("a-later", "Ada spoke.\n", "mentions:\n  - {entity: ada, quote: Ada}\n", date="2021-05-01")
    project.article("b-earlier", "Ada wrote.\n", "mentions:\n  - {entity: ada, quote: Ada}\n", date="2019-05-01")
    project.article("c-latest", "Ada left.\n", "mentions:\n  - {entity: ada, quote: Ada}\n", date="2022-05-01")
    config = dataclasses.replace(project.config, search=False)
    build(config)
    page = (config.site_dir / "entities/ada.html").read_text()
    titles = [page.index(f"Title of {slug}</a>") for slug in ("c-latest", "a-later", "b-earlier")]
    assert titles == sorted(titles)
