"""Stage 2, anchor: find each annotation's quote in the rendered article and
have it marked in markdown-it's token stream (markup.py marks it).

The article is parsed once. Its *plain text* is what a reader sees: the text
of every inline block (the title first, then paragraphs, headings, list
items...), blocks separated by a blank line, soft line breaks kept as
newlines. Quotes are matched against that text, so a quote may span
emphasis or a link, and whitespace in a quote matches any run of
whitespace.

Each anchored span gets its HTML id here, then becomes a pair of tokens
(`markup.mark_block`), which the parser's plugin renders.
"""

from __future__ import annotations

import bisect
import difflib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from markdown_it import MarkdownIt
from rapidfuzz import fuzz, process

from .errors import MAX_PROBLEMS, Problem, Problems
from .markup import DROPPED, MAX_NESTING, REFUSED, child_offsets, mark_block
from .model import Annotation, Article, Claim, Location, Mention, Selector, Span


def anchor_article(article: Article, md: MarkdownIt, problems: Problems) -> None:
    """Parse ARTICLE, find every annotation's span and mark it in the tokens."""
    refused: list[str] = getattr(md, REFUSED, [])
    refused.clear()
    article.title_tokens = md.parseInline(article.title)
    env: dict[str, Any] = {}
    article.tokens = md.parse(article.body, env)
    for url in dict.fromkeys(refused):
        problems.add(
            Location(article.source_path, _line_of_link(article, url), 1),
            "W507",
            f"the link to {url!r} is shown as text: links are made to http(s) and mailto addresses and"
            " relative ones only",
            "give the full https:// address, or a relative one (an address starting with // names another host)",
            "warning",
        )
    refused.clear()
    for line in sorted(set(env.get(DROPPED, []))):
        problems.add(
            Location(article.source_path, article.body_line + line, 1),
            "M015",
            f"the Markdown here is nested more than {MAX_NESTING} levels deep: its text would not be shown",
            "flatten it: fewer '>' or list levels",
        )
    inlines = [article.title_tokens[0]] + [t for t in article.tokens if t.type == "inline"]
    article.block_lines = [article.title_line] + [
        article.body_line + (t.map[0] if t.map else 0) for t in article.tokens if t.type == "inline"
    ]
    texts = [child_offsets(token)[0] for token in inlines]
    article.blocks, starts = [], 0
    for text in texts:
        article.blocks.append((starts, starts + len(text)))
        starts += len(text) + 2
    article.text = "\n\n".join(texts)
    article.lede = " ".join(texts[1].split()) if len(texts) > 1 else ""

    spans_by_block: dict[int, list[tuple[Span, Annotation]]] = defaultdict(list)
    search = Search(article)
    found = Problems()
    for annotation in [*article.annotations, *article.appearances]:
        spans = find_selector(annotation, article, found, search=search)
        annotation.spans = spans
        for span in spans:
            spans_by_block[span.block].append((span, annotation))
    overlapping: set[int] = set()
    for placed in spans_by_block.values():
        overlapping |= _check_overlaps(placed, found)
    problems.extend(capped(found))
    _assign_ids(article)
    for block, placed in sorted(spans_by_block.items()):
        # those that overlap are errors already: marking them all would take time that grows as their square
        kept = [(span, a) for span, a in placed if id(a) not in overlapping] if overlapping else placed
        mark_block(inlines[block], article.blocks[block][0], kept, article, problems)


def _line_of_link(article: Article, url: str) -> int:
    """Return the line of the .md file where the link to URL (as markdown-it normalized it) is written."""
    for written in (url, unquote(url)):
        at = article.body.find(written)
        if at >= 0:
            return article.body_line + article.body.count("\n", 0, at)
    return article.title_line if unquote(url) in article.title else article.body_line


# --- Finding quotes ----------------------------------------------------------


_WHITESPACE = re.compile(r"[^\S ]")
"""Whitespace other than a plain space (which flatten need not replace: far fewer matches)."""
_RUNS = re.compile(r"\s(?:(?<!\n)\s|[^\S\n])")
"""Two whitespace characters in a row, other than the blank line between blocks (written to start with
\\s, which the regex engine scans for quickly: twice as fast as "[^\\S\\n]\\s|\\n[^\\S\\n]")."""


def find_quote(quote: str, text: str, flat: str | None = None) -> list[tuple[int, int]]:
    """Return (start, end) of every match of QUOTE in TEXT, as whole words, any whitespace between words.

    FLAT is `flatten(TEXT)`, when the caller has it already.
    """
    wanted = " ".join(quote.split())
    if not wanted:
        return []
    flat = flat if flat is not None else flatten(text)
    if not flat:  # whitespace runs inside a block: only a pattern can match them
        return [(m.start(), m.end()) for m in quote_pattern(quote).finditer(text)]
    return _whole_words(flat, wanted)


def _whole_words(flat: str, wanted: str, spend: Callable[[int], None] = lambda work: None) -> list[tuple[int, int]]:
    """Return (start, end) of every match of WANTED in FLAT that neither starts nor ends inside a word.

    SPEND is told of each place looked at, for a caller that bounds its work.
    """
    found, start = [], flat.find(wanted)
    edge_before, edge_after = _is_word(wanted[0]), _is_word(wanted[-1])
    while start >= 0:
        spend(1)
        end = start + len(wanted)
        if not (edge_before and start > 0 and _is_word(flat[start - 1])) and not (
            edge_after and end < len(flat) and _is_word(flat[end])
        ):
            found.append((start, end))
        start = flat.find(wanted, start + 1)
    return found


def flatten(text: str) -> str:
    """Return TEXT with every whitespace character made a space (same length), or "" if it has runs."""
    if _RUNS.search(text):
        return ""
    return _WHITESPACE.sub(" ", text)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def quote_pattern(quote: str) -> re.Pattern[str]:
    """Return a pattern matching QUOTE as whole words, with any whitespace between them."""
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    if re.match(r"\w", quote):
        pattern = r"(?<!\w)" + pattern
    if re.search(r"\w\Z", quote.rstrip()):
        pattern += r"(?!\w)"
    return re.compile(pattern)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


MAX_EVERY = 1_000
"""The most spans one `every: true` may mark (M308): no name recurs that often in one article."""
SHOWN = 5
"""How many lines or passages a message lists before it says how many more there are."""
PICKS_AMONG = 100
"""Up to this many matches, an ambiguous quote's message suggests the prefix or suffix that picks each."""
HINT_WORDS = 60
"""The closest passage to a quote not found is sought for the quote's first words, at most this many."""
HINT_BUDGET = 2_000_000
"""How many places of words the closest-passage hints of one article may look at, in all."""
COMMON_WORD = 1_000
"""A word with more places than this in the article does not help find a passage."""


INDEX_AFTER = 50
"""After this many quotes of one article, the others are looked for where their first word is, not in all the text."""
INDEX_LONGER = 100_000
"""In a text longer than this, every quote is looked for where its first word is."""
_WORD = re.compile(r"\w+")


WORK_BUDGET = 1_000_000
"""At how many places in all the quotes of one article may be found or tried (see Search.find)."""


class OutOfWork(Exception):
    """The quotes of one article have been found or tried at WORK_BUDGET places: the others are not looked for."""


class Search:
    """What finding the quotes of one article keeps between quotes: each quote's matches, an index of its words."""

    def __init__(self, article: Article):
        self.article = article
        self.flat = flatten(article.text)
        self.matches: dict[str, list[tuple[int, int]]] = {}
        """The matches of each quote looked for (many annotations share a quote)."""
        self.work = WORK_BUDGET
        """At how many more places the quotes may be found or tried."""
        self.budget = HINT_BUDGET
        """How many more places of words the closest-passage hints may look at."""
        self._words: tuple[list[int], list[int], dict[str, list[int]]] | None = None
        self._runs: defaultdict[str, list[int]] | None = None

    def find(self, quote: str) -> list[tuple[int, int]]:
        """Return where QUOTE is in the article, as `find_quote`, or else where it runs across two blocks.

        Raise OutOfWork once the quotes of the article have been found or tried at WORK_BUDGET places.
        """
        found = self.matches.get(quote)
        if found is not None:
            return found
        wanted = " ".join(quote.split())
        if not wanted:
            found = []
        elif not self.flat:  # whitespace runs inside a block: only a pattern can match them
            found = self._by_pattern(quote)
        else:
            indexed = len(self.matches) > INDEX_AFTER or len(self.flat) > INDEX_LONGER
            found = self._find_by_first_word(wanted) if indexed else None
            if found is None:
                found = self._find_in_flat(wanted)
            if not found and self._may_span_blocks(quote):  # only the pattern sees that, and M303 says so
                found = self._by_pattern(quote)
        self.matches[quote] = found
        return found

    def _spend(self, work: int) -> None:
        self.work -= work
        if self.work < 0:
            raise OutOfWork

    def _find_in_flat(self, wanted: str) -> list[tuple[int, int]]:
        """Return the matches of WANTED in the flat text, as whole words (see `find_quote`)."""
        return _whole_words(self.flat, wanted, self._spend)

    def _by_pattern(self, quote: str) -> list[tuple[int, int]]:
        self._spend(len(self.article.text) // 100 + 1)  # a pattern reads the text about a hundred times as fast
        found = []
        for match in quote_pattern(quote).finditer(self.article.text):
            self._spend(1)
            found.append((match.start(), match.end()))
        return found

    def _find_by_first_word(self, wanted: str) -> list[tuple[int, int]] | None:
        """Return what `find_quote` does for WANTED, looking only where its first word is a word of the text;
        None if it does not start with a word."""
        first = _WORD.match(wanted)
        if first is None:
            return None
        if self._runs is None:
            self._runs = defaultdict(list)
            for word in _WORD.finditer(self.flat):
                self._runs[word.group()].append(word.start())
        flat, found = self.flat, []
        edge_after = _is_word(wanted[-1])
        for start in self._runs.get(first.group(), ()):
            self._spend(1)
            end = start + len(wanted)
            if flat.startswith(wanted, start) and not (edge_after and end < len(flat) and _is_word(flat[end])):
                found.append((start, end))
        return found

    def _may_span_blocks(self, quote: str) -> bool:
        """Tell whether QUOTE may match across blocks (False means surely not): the words between its
        first and last are whole words of the text, which the pattern needs (and is slow to find out)."""
        words = quote.split()
        if len(words) < 2:  # one word does not run across blocks
            return False
        _, _, places = self.words()
        return all(word in places for word in words[1:-1])

    def words(self) -> tuple[list[int], list[int], dict[str, list[int]]]:
        """Return where each word of the article starts and ends, and the places (word numbers) of each word."""
        if self._words is None:
            starts, ends, places = [], [], defaultdict(list)
            for n, word in enumerate(re.finditer(r"\S+", self.article.text)):
                starts.append(word.start())
                ends.append(word.end())
                places[word.group()].append(n)
            self._words = starts, ends, dict(places)
        return self._words

    def closest(self, quote: str) -> tuple[int, str] | None:
        """Return (offset, text) of the passage of the article closest to QUOTE's first words, or None.

        Passages are those of as many words as the quote (up to HINT_WORDS) that share words with it
        (most shared first); the closest of the first few is the most similar letter by letter. A word
        of the quote not in the article counts through the words closest to it. Each place of a word
        looked at is taken from the article's budget: once spent, no more passages are sought.
        """
        wanted = quote.split()[:HINT_WORDS]
        starts, ends, places = self.words()
        if not wanted or not starts or self.budget <= 0:
            return None
        size = min(len(wanted), len(starts))
        votes: Counter[int] = Counter()

        def vote(j: int, at: list[int]) -> bool:
            if len(at) > COMMON_WORD or len(at) > self.budget:
                return False
            self.budget -= len(at)
            for i in at:
                votes[min(max(0, i - j), len(starts) - size)] += 1
            return True

        absent = []
        for j, word in sorted(enumerate(wanted), key=lambda jw: len(places.get(jw[1], ()))):  # rarest first
            at = places.get(word)
            if at is None:
                absent.append((j, word))
            elif not vote(j, at):
                break
        if not votes:  # no word as written: count the words closest to them (misspelt, or other quotes)
            vocabulary = list(places)
            for j, word in absent[:SHOWN]:
                self.budget -= len(vocabulary)
                for near, _, _ in process.extract(word, vocabulary, scorer=fuzz.ratio, limit=3, score_cutoff=60):
                    vote(j, places[near])
        text, squashed = self.article.text, " ".join(wanted)
        best: tuple[float, int, str] | None = None
        for start, _ in sorted(votes.items(), key=lambda sv: (-sv[1], sv[0]))[:10]:
            passage = _squash(text[starts[start] : ends[start + size - 1]])
            score = fuzz.ratio(squashed, passage) / 100
            if score >= 0.5 and (best is None or score > best[0]):
                best = (score, starts[start], passage)
        return (best[1], best[2]) if best else None


def capped(problems: list[Problem]) -> list[Problem]:
    """Return PROBLEMS, but only the first MAX_PROBLEMS and then one saying how many more (M309)."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = problems[MAX_PROBLEMS:]
    return [
        *problems[:MAX_PROBLEMS],
        Problem(
            more[0].where,
            "M309",
            f"{len(more):,} more problems of anchoring in this file are not listed",
            "fix those listed first: many have one cause, such as one quote given many times",
        ),
    ]


def find_selector(
    annotation: Annotation, article: Article, problems: Problems, search: Search | None = None
) -> list[Span]:
    """Return where ANNOTATION's selector lands in ARTICLE, or [] after a problem.

    SEARCH is what finding other quotes of ARTICLE keeps, when the caller has it.
    """
    selector, where, text = annotation.selector, annotation.where, article.text
    if search is None:
        search = Search(article)
    try:
        matches = search.find(selector.quote)
    except OutOfWork:
        problems.add(
            where,
            "M310",
            f"the quote {selector.quote!r} was not looked for: the quotes of this file are found"
            f" or tried at more than {WORK_BUDGET:,} places in all",
            "use longer quotes: those that occur most often cost the most",
        )
        return []
    if not matches:
        problems.append(_not_found(selector.quote, article, where, search))
        return []
    candidates = _with_affixes(matches, selector, text)
    if not candidates:
        places = _listed([line_at(article, s) for s, _ in matches[:SHOWN]], len(matches))
        problems.append(
            Problem(
                where,
                "M306",
                f"the quote {selector.quote!r} occurs (line {places}) but never with the prefix/suffix given",
                f"check prefix {selector.prefix!r} and suffix {selector.suffix!r} against the article",
            )
        )
        return []
    chosen = _chosen(candidates, annotation, article, problems)
    spans = []
    for start, end in chosen:
        block = _block_at(start, article)
        if end > article.blocks[block][1]:
            problems.append(
                Problem(
                    where,
                    "M303",
                    f"the quote {selector.quote!r} runs across two paragraphs (from line {line_at(article, start)})",
                    "anchor one annotation per paragraph",
                )
            )
            continue
        spans.append(Span(start, end, block, line_at(article, start)))
    return spans


def _with_affixes(matches: list[tuple[int, int]], selector: Selector, text: str) -> list[tuple[int, int]]:
    """Return those of MATCHES (places in TEXT) that have SELECTOR's prefix before them and its suffix after."""
    return [
        (s, e)
        for s, e in matches
        if (
            not selector.prefix
            or _squash(text[max(0, s - 2 * len(selector.prefix) - 8) : s]).endswith(_squash(selector.prefix))
        )
        and (
            not selector.suffix
            or _squash(text[e : e + 2 * len(selector.suffix) + 8]).startswith(_squash(selector.suffix))
        )
    ]


def _chosen(
    candidates: list[tuple[int, int]], annotation: Annotation, article: Article, problems: Problems
) -> list[tuple[int, int]]:
    """Return the places of CANDIDATES that ANNOTATION's selector picks (every, occurrence, or the only one),
    or [] after a problem."""
    selector, where = annotation.selector, annotation.where
    if selector.every and len(candidates) > MAX_EVERY:
        problems.append(
            Problem(
                where,
                "M308",
                f"every: true would mark {selector.quote!r} {len(candidates):,} times;"
                f" at most {MAX_EVERY:,} are marked",
                "annotate a longer quote, or some of its places with prefix:, suffix: or occurrence:",
            )
        )
        return []
    if selector.every:
        return candidates
    if selector.occurrence is not None:
        if selector.occurrence > len(candidates):
            problems.append(
                Problem(
                    where,
                    "M305",
                    f"occurrence {selector.occurrence} asked for, but {selector.quote!r}"
                    f" matches {len(candidates)} time(s)",
                    f"use an occurrence from 1 to {len(candidates)}",
                )
            )
            return []
        return [candidates[selector.occurrence - 1]]
    if len(candidates) > 1:
        problems.append(_ambiguous(selector.quote, candidates, article, where))
        return []
    return candidates


def _block_at(offset: int, article: Article) -> int:
    """Return the index of the block holding OFFSET (or ending at it)."""
    block = bisect.bisect_right(article.blocks, (offset, float("inf"))) - 1
    if block < 0 or offset > article.blocks[block][1]:
        raise ValueError(offset)
    return block


def line_at(article: Article, offset: int) -> int:
    """Return the line in the .md file of OFFSET in the article's plain text."""
    block = _block_at(offset, article)
    breaks = _line_breaks(article.text)
    return (
        article.block_lines[block]
        + bisect.bisect_left(breaks, offset)
        - bisect.bisect_left(breaks, article.blocks[block][0])
    )


@lru_cache(maxsize=4)
def _line_breaks(text: str) -> list[int]:
    """Return the offset of each line break in TEXT (the text of an article being checked: a few at once)."""
    return [found.start() for found in re.finditer("\n", text)]


def _listed(lines: list[int], total: int) -> str:
    """List LINES, the first of TOTAL: "6, 8", or "6, 7, 8, 9, 10 and 2,995 more"."""
    listed = ", ".join(str(line) for line in lines)
    return f"{listed} and {total - len(lines):,} more" if total > len(lines) else listed


def _not_found(quote: str, article: Article, where: Location, search: Search) -> Problem:
    """Return the problem for a quote that is not in the article, with the closest passage."""
    close = search.closest(quote)
    hint = "copy the words from the article as they read on the page"
    if close:
        offset, passage = close
        wanted = quote.split()
        compared = " ".join(wanted[:HINT_WORDS])
        differences = _differences(compared, passage)
        of = f" to its first {HINT_WORDS} words" if len(wanted) > HINT_WORDS else ""
        name = article.source_path.name
        hint = f"closest passage{of}, line {line_at(article, offset)} of {name}: {passage!r}; {differences}"
    return Problem(where, "M301", f"the quote {quote!r} is not in the article", hint)


def _words(text: str) -> list[str]:
    """Split TEXT into words and single punctuation marks, each with the space before it."""
    return re.findall(r"\s*(?:\w+|[^\w\s])", text)


def _differences(quote: str, passage: str) -> str:
    """Describe how QUOTE differs from PASSAGE, e.g. `'"' where the article has '“'`."""
    ours, theirs = _words(quote), _words(passage)
    changes = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
        mine, article = "".join(ours[a1:a2]).strip(), "".join(theirs[b1:b2]).strip()
        if op == "replace":
            changes.append(f"{mine!r} where the article has {article!r}")
        elif op == "delete":
            changes.append(f"{mine!r} is not in the article")
        elif op == "insert":
            changes.append(f"the article also has {article!r}")
    more = f" (and {len(changes) - 3} more)" if len(changes) > 3 else ""
    return "differences: " + "; ".join(changes[:3]) + more if changes else "they differ in spacing only"


def _ambiguous(quote: str, matches: list[tuple[int, int]], article: Article, where: Location) -> Problem:
    """Return the problem for a quote with several matches, suggesting how to pick each."""
    places = _listed([line_at(article, s) for s, _ in matches[:SHOWN]], len(matches))
    if len(matches) > PICKS_AMONG:
        hint = f"to pick one, add occurrence: N (1 to {len(matches):,}), or a prefix: or suffix:"
        return Problem(where, "M302", f"the quote {quote!r} occurs {len(matches):,} times (lines {places})", hint)
    picks = [
        f"line {line_at(article, s)}: {_shortest_context(article.text, matches, n)}"
        for n, (s, _) in enumerate(matches[:SHOWN])
    ]
    hint = "to pick one, add " + "; ".join(picks) + ". Or add occurrence: N, or every: true on a mention"
    return Problem(where, "M302", f"the quote {quote!r} occurs {len(matches)} times (lines {places})", hint)


AFFIX_WORDS = 8
"""The most words a suggested prefix: or suffix: has; beyond that, occurrence: is suggested."""


def _shortest_context(text: str, matches: list[tuple[int, int]], n: int) -> str:
    """Return the shortest prefix: or suffix: that tells match N from the others, as YAML to paste.

    It is whole words of the match's paragraph, with any run of whitespace written as one space (as
    quotes are matched), double-quoted: `prefix: "along the "`, `suffix: "’s Idlib"`.
    """
    start, end = matches[n]
    block_start, block_end = text.rfind("\n\n", 0, start), text.find("\n\n", end)  # its paragraph's bounds
    lo = max(block_start + 2 if block_start >= 0 else 0, start - 80 * AFFIX_WORDS)
    hi = min(block_end if block_end >= 0 else len(text), end + 80 * AFFIX_WORDS)
    starts = [
        lo + m.start() for m in re.finditer(r"\S+", text[lo:start]) if m.start() or lo == 0 or text[lo - 1].isspace()
    ]
    ends = [
        end + m.end()
        for m in re.finditer(r"\S+", text[end:hi])
        if end + m.end() < hi or hi == len(text) or text[hi].isspace()
    ]
    for words in range(1, AFFIX_WORDS + 1):
        if words <= len(starts):
            prefix = _squash(text[starts[-words] : start])
            if re.search(r"\w", prefix) and _only(n, [_has_prefix(text, s, prefix) for s, _ in matches]):
                return f"prefix: {_yaml_string(prefix)}"
        if words <= len(ends):
            suffix = _squash(text[end : ends[words - 1]])
            if re.search(r"\w", suffix) and _only(n, [_has_suffix(text, e, suffix) for _, e in matches]):
                return f"suffix: {_yaml_string(suffix)}"
    return f"occurrence: {n + 1}"


def _only(n: int, flags: list[bool]) -> bool:
    """Tell whether FLAGS is true at N and nowhere else."""
    return flags[n] and flags.count(True) == 1


def _has_prefix(text: str, start: int, prefix: str) -> bool:
    """Tell whether the match at START has PREFIX before it, as `find_selector` tells."""
    return _squash(text[max(0, start - 2 * len(prefix) - 8) : start]).endswith(_squash(prefix))


def _has_suffix(text: str, end: int, suffix: str) -> bool:
    """Tell whether the match ending at END has SUFFIX after it, as `find_selector` tells."""
    return _squash(text[end : end + 2 * len(suffix) + 8]).startswith(_squash(suffix))


def _yaml_string(value: str) -> str:
    """Return VALUE as a double-quoted YAML string (JSON's string syntax is YAML's, escapes and all)."""
    return json.dumps(value, ensure_ascii=False)


def _check_overlaps(spans: list[tuple[Span, Annotation]], problems: Problems) -> set[int]:
    """Report mentions that overlap mentions, and claims that cross claims: they cannot nest.

    Mentions that overlap one another, directly or through others, are one problem, told at the one
    given last; a claim that crosses another is told once. Both in one pass over the spans, in order.
    Return the ids (`id()`) of the annotations reported: the mentions that overlap, the claims that cross.
    """
    reported: set[int] = set()
    mentions = sorted(((s, a) for s, a in spans if isinstance(a, Mention)), key=lambda p: (p[0].start, p[0].end))
    group: list[tuple[Span, Annotation]] = []
    reach = -1
    for placed in [*mentions, None]:
        if placed is not None and placed[0].start < reach:
            group.append(placed)
            reach = max(reach, placed[0].end)
            continue
        if len(group) > 1:
            _report_overlap("mention", [a for _, a in group], problems)
            reported.update(id(a) for _, a in group)
        if placed is not None:
            group, reach = [placed], placed[0].end
    claims = sorted(((s, a) for s, a in spans if isinstance(a, Claim)), key=lambda p: (p[0].start, -p[0].end))
    open_claims: list[tuple[Span, Annotation]] = []  # each inside the one before
    for span, claim in claims:
        while open_claims and open_claims[-1][0].end <= span.start:
            open_claims.pop()
        if open_claims and open_claims[-1][0].end < span.end:
            _report_overlap("claim", [open_claims[-1][1], claim], problems)
            reported.add(id(claim))
            continue
        open_claims.append((span, claim))
    return reported


def _report_overlap(kind: str, annotations: list[Annotation], problems: Problems) -> None:
    """Report that the KIND annotations given overlap, at the one given last."""
    unique = {id(a): a for a in annotations}.values()  # the spans of one `every: true` may overlap
    by_place = sorted(unique, key=lambda a: (a.where.line, a.where.col))
    later, others = by_place[-1], by_place[:-1] or by_place
    named = ", ".join(f"{a.selector.quote!r} (line {a.where.line})" for a in others[:SHOWN])
    more = f" and {len(others) - SHOWN:,} more" if len(others) > SHOWN else ""
    the = f"the {kind}" if len(others) == 1 else f"{len(others):,} other {kind}s:"
    problems.add(
        later.where,
        "M307",
        f"this {kind} overlaps {the} {named}{more}",
        "mentions cannot overlap; claims may nest but not cross: shorten one quote",
    )


def _assign_ids(article: Article) -> None:
    """Give every span a stable HTML id: by kind, then id or order in the text."""
    counters: dict[str, int] = defaultdict(int)
    for mention in sorted(((span, a) for a in article.mentions for span in a.spans), key=lambda pair: pair[0].start):
        span, annotation = mention
        counters[annotation.entity] += 1
        span.id = f"m-{annotation.entity}-{counters[annotation.entity]}"
    for claim in article.claims:
        for span in claim.spans:
            span.id = f"claim-{claim.id}"
    for event in article.events:
        for span in event.spans:
            span.id = f"event-{event.id}"
    for appearance in article.appearances:  # as the definition's would be: one id per claim or event and article
        for span in appearance.spans:
            span.id = f"{appearance.kind}-{appearance.id}"
    notes = sorted((n for n in article.notes if n.spans), key=lambda n: n.spans[0].start)
    for number, note in enumerate(notes, 1):
        note.number = number
        note.spans[0].id = f"note-{number}-ref"
