"""One event, one claim, many articles: an entry with an id and a quote only reports
the claim or event another article defines, and the site shows it once, with
every article that reports it.

The site tests build tests/fixtures/shared-events (invented articles): aldra-truce-signed
defines the event aldra-truce and the claim harbour-reopens-in-a-week, aldra-harbour-reopens
reports both, and aldra-month-in-review reports the event at another precision and
defines it again under another id.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from marginalia.check import Contribution, Shared, SiteChecks
from marginalia.config import Config
from marginalia.errors import Problems
from marginalia.load import load_content
from marginalia.model import Content, Location
from marginalia.pipeline import _prepare, build, check

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "shared-events"
SCHEMAS = ROOT / "marginalia" / "schemas"
BODY = "Ada met Ada in London.\n\nThe engine ran well.\n"


def fixture_config(site_dir: Path) -> Config:
    return Config(
        site_name="Shared events",
        content_dir=FIXTURE,
        templates_dir=ROOT / "templates",
        site_dir=site_dir,
        config_file=ROOT / "mkdocs.yml",
        search=False,
    )


@pytest.fixture(scope="module")
def shared_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the fixture site once; return its folder."""
    config = fixture_config(tmp_path_factory.mktemp("shared") / "site")
    build(config)
    return config.site_dir


def fixture_problems() -> list[str]:
    return [str(p) for p in check(fixture_config(Path("unused-site")))]


# --- Loading -----------------------------------------------------------------------


def test_an_entry_with_an_id_and_a_quote_only_is_an_appearance(project) -> None:
    project.article(
        "a",
        BODY,
        "events:\n  - {id: met, quote: met, date: '1843-05'}\n  - {id: ran, quote: ran, date: '1843', title: T}\n"
        "claims:\n  - {id: ran-well, quote: ran well, suffix: .}\n",
    )
    problems = Problems()
    article = load_content(project.content, problems).articles[0]
    assert not list(problems)
    assert sorted((a.kind, a.id, str(a.date or "")) for a in article.appearances) == [
        ("claim", "ran-well", ""),
        ("event", "met", "1843-05"),
    ]
    assert [e.id for e in article.events] == ["ran"] and article.claims == []


@pytest.mark.parametrize(
    ("entry", "missing"),
    [
        ("claims:\n  - {id: c, quote: London, sources: [notes]}\n", "status"),
        ("events:\n  - {id: e, quote: London, title: T}\n", "date"),
        ("events:\n  - {id: e, quote: London, date: '1843', entities: [london]}\n", "title"),
    ],
)
def test_a_definition_missing_a_field_is_not_taken_for_an_appearance(project, entry: str, missing: str) -> None:
    project.article("a", BODY, entry)
    problems = Problems()
    load_content(project.content, problems)
    assert [(p.code, p.where.line) for p in problems] == [("M102", 2)]
    assert repr(missing) in list(problems)[0].message


def test_the_schema_accepts_the_appearance_form() -> None:
    registry: Registry = Registry()
    for path in SCHEMAS.glob("*.json"):
        registry = registry.with_resource(path.name, Resource.from_contents(json.loads(path.read_text())))
    schema = json.loads((SCHEMAS / "annotations.schema.json").read_text())
    validator = Draft7Validator(schema, registry=registry)
    appearance = {
        "events": [{"id": "e", "quote": "q", "prefix": "p ", "occurrence": 2, "date": "2020-03"}],
        "claims": [{"id": "c", "quote": "q", "suffix": " s"}],
    }
    assert list(validator.iter_errors(appearance)) == []
    assert list(validator.iter_errors({"claims": [{"id": "c", "quote": "q", "review": "Why."}]}))  # no status
    assert list(validator.iter_errors({"events": [{"id": "e", "quote": "q", "note": "How."}]}))  # no date, title


# --- Checking ------------------------------------------------------------------------


def two_articles(project, a: str, b: str) -> list:  # type: ignore[no-untyped-def]
    project.article("a", BODY, a, date="2020-03-13")
    project.article("b", "In London, Ada saw the engine run.\n", b, date="2020-04-01")
    return check(project.config)


def test_a_second_definition_is_m201_and_says_how_to_refer_instead(project) -> None:
    event = "events:\n  - {id: e, quote: London, date: '1843', title: T}\n"
    problems = two_articles(project, event, event)
    (duplicate,) = (p for p in problems if p.code == "M201")
    assert "keep only id and quote" in duplicate.hint


def test_an_appearance_of_an_id_defined_nowhere_is_an_error_with_a_hint(project) -> None:
    problems = two_articles(
        project, "mentions:\n  - {entity: london, quote: London}\n", "events:\n  - {id: nowhere, quote: London}\n"
    )
    (undefined,) = (p for p in problems if p.code == "M206")
    assert (undefined.where.path.name, undefined.where.line, undefined.severity) == ("b.yml", 2, "error")
    assert "'nowhere'" in undefined.message and "date: and title:" in undefined.hint


def test_an_article_reports_an_id_once(project) -> None:
    """Its passage is linked to by the id: a second appearance, or one beside the definition, is an error."""
    defined = "events:\n  - {id: e, quote: London, date: '1843', title: T}\n"
    problems = two_articles(project, defined + "  - {id: e, quote: engine}\n", "events:\n  - {id: e, quote: London}\n")
    assert [(p.code, p.where.path.name, p.where.line) for p in problems if p.code == "M201"] == [("M201", "a.yml", 3)]


def test_an_appearance_of_an_event_defined_elsewhere_is_no_problem(project) -> None:
    problems = two_articles(
        project,
        "events:\n  - {id: e, quote: London, date: '1843-05-05', title: T, entities: [london]}\n",
        "events:\n  - {id: e, quote: saw the engine run, date: '1843-05-05'}\n",
    )
    assert not [p for p in problems if p.code in ("M201", "M206", "W505", "W506")]


def test_the_fixture_warns_of_the_other_precision_and_of_the_likely_duplicate_naming_both_places() -> None:
    found = fixture_problems()
    precision = [p for p in found if "warning[W505]" in p]
    duplicate = [p for p in found if "warning[W506]" in p]
    assert len(precision) == 1 and len(duplicate) == 1
    assert re.search(r"aldra-month-in-review\.yml:8:5: warning\[W505\].*'2021-05'.*'2021-05-01'", precision[0])
    assert "aldra-truce-signed.yml:8:5" in precision[0]  # the other place, file:line
    assert re.search(r"aldra-month-in-review\.yml:11:5: warning\[W506\]: event 'dockers-agree-truce'", duplicate[0])
    assert "event 'aldra-truce' at " in duplicate[0] and "aldra-truce-signed.yml:8:5" in duplicate[0]
    assert "keep only id: aldra-truce" in duplicate[0]
    assert not [p for p in found if "error[" in p]


def test_what_the_checks_across_articles_report_does_not_depend_on_the_order_of_the_articles() -> None:
    here, there = Location(Path("a.yml"), 2, 5), Location(Path("b.yml"), 3, 5)
    first = [Shared("event", "e", here, True, "2020-03-13", "2020-03-05", frozenset({"russia", "turkey"}))]
    second = [
        Shared("event", "f", there, True, "2020-04-01", "2020-03-05", frozenset({"russia"})),
        Shared("event", "e", there, False, "2020-04-01", "2020-03"),
        Shared("claim", "c", there, False, "2020-04-01"),
    ]
    articles = {"a": Contribution("a", "2020-03-13", [], [("event", "e", here)], first, (), (), True, True)}
    articles["b"] = Contribution("b", "2020-04-01", [], [("event", "f", there)], second, (), (), True, True)
    found = []
    for order in ("ab", "ba"):
        checks = SiteChecks(Content([], {}, {}))
        for key in order:
            checks.put(key, articles[key])
        found.append(sorted(str(p) for p in checks.problems()))
    assert found[0] == found[1]
    assert [line.split(": ")[1] for line in found[0]] == ["error[M206]", "warning[W505]", "warning[W506]"]


# --- The site ----------------------------------------------------------------------


def test_the_index_holds_the_event_once_with_every_article_that_reports_it(tmp_path: Path) -> None:
    prepared = _prepare(fixture_config(tmp_path / "site"))
    index = prepared.index
    assert [p.item.id for p in index.timeline].count("aldra-truce") == 1
    reports = index.reported("event", "aldra-truce")
    assert [r.article.slug for r in reports] == ["aldra-harbour-reopens", "aldra-month-in-review"]
    assert [p.item.id for p in index.events_of_entity["ines-vela"]] == []  # no passage of it names her
    assert [p.item.id for p in index.events_of_entity["port-aldra"]] == ["aldra-truce"]
    assert [r.article.slug for r in index.reported("claim", "harbour-reopens-in-a-week")] == ["aldra-harbour-reopens"]


def test_timeline_json_has_the_event_once_linking_every_article(shared_site: Path) -> None:
    events = json.loads((shared_site / "timeline.json").read_text())["events"]
    (truce,) = (e for e in events if e["unique_id"] == "aldra-truce")
    links = re.findall(r'href="([^"]+)"', truce["text"]["text"])
    assert links == [
        "articles/aldra-truce-signed.html#event-aldra-truce",
        "articles/aldra-harbour-reopens.html#event-aldra-truce",
        "articles/aldra-month-in-review.html#event-aldra-truce",
    ]
    assert len(events) == 2  # and the likely duplicate, which the checker warns of


def test_each_passage_linked_to_is_marked_in_its_article(shared_site: Path) -> None:
    page = (shared_site / "articles/aldra-harbour-reopens.html").read_text()
    assert 'class="appearance appearance-event" id="event-aldra-truce">the truce of May 1<' in page
    assert 'id="claim-harbour-reopens-in-a-week">the harbour would reopen within a week<' in page


def claim_reviews(page: str) -> list[dict]:
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    return [node for node in data["@graph"] if node["@type"] == "ClaimReview"]


def test_the_claims_page_s_claim_review_names_every_appearance_and_the_first(shared_site: Path) -> None:
    (review,) = claim_reviews((shared_site / "claims/2021-05.html").read_text())
    reviewed = review["itemReviewed"]
    assert reviewed["@type"] == "Claim"
    assert [a["url"] for a in reviewed["appearance"]] == [
        "../articles/aldra-truce-signed.html#claim-harbour-reopens-in-a-week",
        "../articles/aldra-harbour-reopens.html#claim-harbour-reopens-in-a-week",
    ]
    assert reviewed["firstAppearance"]["datePublished"] == "2021-05-02"
    assert review["url"] == "2021-05.html#claim-harbour-reopens-in-a-week"


def test_the_source_and_entity_pages_list_the_claim_once_with_its_appearance(shared_site: Path) -> None:
    for page in ("sources/council-minutes.html", "entities/ines-vela.html"):
        html = (shared_site / page).read_text()
        assert html.count("claim-harbour-reopens-in-a-week") == 2, page  # the claim, and the passage reporting it
        assert "../articles/aldra-harbour-reopens.html#claim-harbour-reopens-in-a-week" in html
