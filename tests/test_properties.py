"""Properties, with hypothesis: for any Markdown and any annotations the
schema allows, the build succeeds or reports problems (no exception
escapes), renders no script but the site's own, and is deterministic.

Examples are derandomized and no example database is kept, so a run is the
same on every machine; sizes keep the file well under a minute.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from marginalia.errors import ContentError
from marginalia.pipeline import build, check
from tests.conftest import ROOT, Project
from tests.fixtures.hostile.support import build_hostile_site, plain_blocks, site_problems, yq

SETTINGS = {"deadline": None, "derandomize": True, "database": None, "suppress_health_check": [HealthCheck.too_slow]}

FRAGMENTS = [
    *"*_[]()<>#!`&;\\-+=.:|~\"' ",
    "\n", "\n\n", "\n- ", "\n> ", "\n# ", "\n    ", "\n```\n", "\t",
    "Ada", "Lovelace", "London", "engine", "the", "ran", "é", "ß", "日本", "\u00a0", "\u2028", "\u200b", "\u202e",
    "http://example.org/x", "mailto:a@example.org", "javascript:alert(1)", "JaVaScRiPt:", "&#106;", "&colon;",
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "{{ 7*7 }}", "{% raw %}", "](", "[x]: ", "![", "<!--",
]  # fmt: skip
"""Markdown punctuation, words, whitespace of every kind, and the openings of hostile constructs."""

markdown = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=40).map("".join)
ENTITY_IDS = ["ada", "london", "engine"]
STATUSES = ["reported", "confirmed", "disputed", "false"]
DATES = ["2020", "2020-03", "2020-03-05", "2020-03-10/2020-03-13", "2019/2020", "2020", "2020-02-30", "2021/2020"]


def blocks_of(title: str, body: str) -> list[str]:
    """The plain text of the article as quotes see it: the title (inline Markdown), then each block of the body."""
    from marginalia.markup import make_markdown

    children = make_markdown().parseInline(title)[0].children or []
    heading = "".join(
        c.content if c.type in ("text", "code_inline") else "\n" if c.type.endswith("break") else "" for c in children
    )
    return [heading, *plain_blocks(body)]


@st.composite
def quotes(draw: st.DrawFn, blocks: list[str]) -> str:
    """A quote: mostly whole words copied from one block, sometimes any text."""
    words = [(b, list(re.finditer(r"\S+", b))) for b in blocks]
    words = [(b, w) for b, w in words if w]
    if words and draw(st.integers(0, 6)):
        block, found = draw(st.sampled_from(words))
        i = draw(st.integers(0, len(found) - 1))
        j = draw(st.integers(i, min(len(found) - 1, i + 5)))
        return block[found[i].start() : found[j].end()]
    return draw(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5).map(lambda t: "".join(t)[:40]))


@st.composite
def annotations(draw: st.DrawFn, blocks: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Up to six annotations of any kind, with optional prefix, suffix, occurrence or every."""
    result: dict[str, list[dict[str, Any]]] = {"mentions": [], "claims": [], "events": [], "notes": []}
    for n in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(list(result)))
        item: dict[str, Any] = {"quote": draw(quotes(blocks))}
        if kind == "mentions":
            item["entity"] = draw(st.sampled_from(ENTITY_IDS))
            if draw(st.booleans()):
                item["every"] = True
        elif kind == "claims":
            item |= {"id": f"c{n}", "status": draw(st.sampled_from(STATUSES)), "sources": ["notes"]}
            if draw(st.booleans()):
                item |= {
                    "summary": draw(markdown),
                    "review": draw(markdown),
                    "about": [draw(st.sampled_from(ENTITY_IDS))],
                }
        elif kind == "events":
            item |= {"id": f"v{n}", "date": draw(st.sampled_from(DATES)), "title": draw(markdown)}
        else:
            item["text"] = draw(markdown)
        extra = draw(st.sampled_from(["", "", "", "prefix", "suffix", "occurrence"]))
        if extra == "occurrence":
            item["occurrence"] = draw(st.integers(1, 3))
        elif extra:
            item[extra] = draw(quotes(blocks))
        result[kind].append(item)
    return result


def annotations_yaml(data: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for section, items in data.items():
        if items:
            lines.append(f"{section}:")
            for item in items:
                for k, (key, value) in enumerate(item.items()):
                    lines.append(("  - " if k == 0 else "    ") + f"{key}: {yq(value)}")
    return "\n".join(lines) + "\n" if lines else "notes: []\n"


def write_article(project: Project, title: str, body: str, data: dict[str, list[dict[str, Any]]]) -> None:
    project.write("articles/a.md", f'---\ntitle: {yq(title)}\ndate: "2020-03-13"\n---\n\n{body}\n')
    project.write("articles/a.yml", annotations_yaml(data))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@settings(max_examples=50, **SETTINGS)
@given(data=st.data(), title=markdown, body=markdown)
def test_any_article_builds_or_reports_safely_and_deterministically(data: st.DataObject, title: str, body: str) -> None:
    """Any Markdown with any annotations: a ContentError or a site; the site has no script but its own, and two builds are byte-identical."""
    if not title.strip():
        title = "Title"
    notes = data.draw(annotations(blocks_of(title, body)))
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(Path(tmp))
        write_article(project, title, body, notes)
        outcomes = []
        for name in ("site1", "site2"):
            config = dataclasses.replace(project.config, site_dir=Path(tmp) / name)
            try:
                build(config)
                outcomes.append(snapshot(config.site_dir))
            except ContentError as err:
                assert all(p.code for p in err.problems)
                outcomes.append([str(p) for p in err.problems])
        assert outcomes[0] == outcomes[1], "two builds of the same content differ"
        event("built" if isinstance(outcomes[0], dict) else "refused")
        if isinstance(outcomes[0], dict):
            problems = site_problems(Path(tmp) / "site1")
            assert not problems, "\n".join(problems)


def documented_matches(quote: str, blocks: list[str]) -> int:
    """Count QUOTE's matches as CONTRIBUTING.md defines them: whole words, any run of whitespace for any run, within one block."""
    words = quote.split()
    pattern = r"\s+".join(re.escape(w) for w in words)
    if re.match(r"\w", words[0]):
        pattern = r"(?<!\w)" + pattern
    if re.search(r"\w\Z", words[-1]):
        pattern += r"(?!\w)"
    return sum(len(re.findall(pattern, block)) for block in blocks)


@settings(max_examples=150, **SETTINGS)
@given(data=st.data(), body=markdown)
def test_a_quote_copied_from_the_page_is_found(data: st.DataObject, body: str) -> None:
    """Whole words copied from the article as it reads are never 'not in the article' (M301); they are
    ambiguous (M302) exactly when the documented rule finds them more than once."""
    blocks = blocks_of("Title", body)
    candidates = [(b, list(re.finditer(r"\S+", b))) for b in blocks[1:]]
    candidates = [(b, w) for b, w in candidates if w]
    if not candidates:
        return
    block, found = data.draw(st.sampled_from(candidates))
    i = data.draw(st.integers(0, len(found) - 1))
    j = data.draw(st.integers(i, min(len(found) - 1, i + 4)))
    quote = block[found[i].start() : found[j].end()]
    with tempfile.TemporaryDirectory() as tmp:
        project = Project(Path(tmp))
        write_article(project, "Title", body, {"notes": [{"quote": quote, "text": "A note."}]})
        problems = [p for p in check(project.config) if p.severity == "error"]
    codes = {p.code for p in problems}
    event(f"problems: {sorted(codes)}")
    assert "M301" not in codes, [str(p) for p in problems]
    expected = documented_matches(quote, blocks)
    assert expected >= 1
    assert ("M302" in codes) == (expected > 1), (
        f"{quote!r} occurs {expected} times by the documented rule; problems: {[str(p) for p in problems]}"
    )


@settings(max_examples=60, **SETTINGS)
@given(data=st.data(), body=markdown)
def test_check_never_raises_on_any_yaml_values(data: st.DataObject, body: str) -> None:
    """Annotation values of any type where strings, lists and numbers belong: problems, never an exception."""
    anything = st.recursive(
        st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from(FRAGMENTS),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(st.sampled_from(["quote", "id", "x", "entity"]), inner, max_size=3)
        ),
        max_leaves=8,
    )
    keys = [
        "quote",
        "prefix",
        "suffix",
        "occurrence",
        "every",
        "entity",
        "id",
        "status",
        "sources",
        "about",
        "date",
        "title",
        "text",
    ]
    section = data.draw(st.sampled_from(["mentions", "claims", "events", "notes"]))
    item = data.draw(st.dictionaries(st.sampled_from(keys), anything, min_size=1, max_size=6))
    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        project = Project(Path(tmp))
        project.write("articles/a.md", f'---\ntitle: "T"\ndate: "2020-03-13"\n---\n\n{body}\n')
        project.write("articles/a.yml", yaml.safe_dump({section: [item]}, allow_unicode=True))
        check(project.config)


def test_hostile_site_is_byte_identical_across_processes(tmp_path: Path) -> None:
    """The hostile-corpus site built in two processes with different hash seeds is byte-identical (no set or dict order leaks)."""
    written = build_hostile_site(tmp_path / "p").written  # settles which quotes the checker accepts
    sites = []
    for seed in ("1", "2"):
        out = tmp_path / f"site{seed}"
        result = subprocess.run(
            [sys.executable, str(ROOT / "build.py"), "-q", "-f", str(written.config_file), "-d", str(out)],
            cwd=ROOT, env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        sites.append(snapshot(out))
    differ = sorted(k for k in set(sites[0]) | set(sites[1]) if sites[0].get(k) != sites[1].get(k))
    assert not differ, f"{len(differ)} files differ between hash seeds, e.g. {differ[:10]}"


@pytest.mark.parametrize(
    "space", ["\u00a0", "\u2028", "\u3000", "\u202f", "\u2007"], ids=["NBSP", "LS", "ideographic", "NNBSP", "figure"]
)
def test_any_kind_of_space_makes_a_quote_ambiguous(project, space: str) -> None:
    """'March 15' occurs twice in 'March<space>15 ... March 15' by the documented rule (any run of spaces matches): M302."""
    project.article(
        "a", f"Ada came on March{space}15 and left on March 15.\n", 'notes:\n  - quote: "March 15"\n    text: A note.\n'
    )
    assert "M302" in {p.code for p in check(project.config)}
