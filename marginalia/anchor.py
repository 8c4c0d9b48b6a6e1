"""Stage 2, anchor: find each annotation's quote in the rendered article and
mark it in markdown-it's token stream.

The article is parsed once. Its *plain text* is what a reader sees: the text
of every inline block (the title first, then paragraphs, headings, list
items...), blocks separated by a blank line, soft line breaks kept as
newlines. Quotes are matched against that text, so a quote may span
emphasis or a link, and whitespace in a quote matches any run of
whitespace.

Each anchored span becomes a pair of tokens (``mention_open`` /
``mention_close``, ``claim_open``...) inserted into the inline children.
Where a span cuts across other markup, it is split into several segments so
that the output stays well nested; the first segment carries the id.
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
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from rapidfuzz import fuzz, process

from .errors import MAX_PROBLEMS, Problem, Problems
from .model import Annotation, Appearance, Article, Claim, Event, Location, Mention, Note, Span

KIND_OF = {Claim: "claim", Event: "event", Note: "note", Mention: "mention", Appearance: "appearance"}
"""The token name of each annotation type."""

_NESTING_ORDER = {"claim": 0, "appearance": 1, "event": 1, "note": 2, "mention": 3}
"""On equal spans, which annotation goes outside."""

_TEXT_TYPES = {"text", "code_inline", "softbreak", "hardbreak"}


SAFE_SCHEMES = ("http", "https", "mailto")
"""The only URL schemes a link may have; a link without a scheme is relative."""

_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


MAX_NESTING = 100
"""How deeply blocks (block quotes, lists) may nest. markdown-it drops what lies deeper (CommonMark's
preset: 20 levels); the parser notes it (DROPPED), anchoring reports it in an article (M015), and
Renderer.markdown shows a field so nested as written."""

REFUSED = "marginalia_refused_links"
"""The attribute of a parser made by make_markdown that lists the links it refused since it was last cleared."""

DROPPED = "marginalia_dropped"
"""The key of a parse's env under which the parser lists the lines (0-based) whose text it dropped."""


def make_markdown() -> MarkdownIt:
    """Return the one Markdown parser: CommonMark, raw HTML shown as text, safe link schemes only."""
    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False, "maxNesting": MAX_NESTING})
    refused: list[str] = []

    def validate_link(url: str) -> bool:
        safe = is_safe_url(url)
        if not safe and len(refused) < MAX_PROBLEMS:  # the renderer's fields add to it too, between articles
            refused.append(url)
        return safe

    md.validateLink = validate_link  # type: ignore[method-assign]
    setattr(md, REFUSED, refused)  # noqa: B010 - an attribute of our own on markdown-it's object
    tokenize = md.block.tokenize

    def tokenize_noting_drops(state: StateBlock, start: int, end: int, *args: Any) -> None:
        # What markdown-it's block loop does first: past the limit, it skips the lines up to END unread.
        if state.level >= MAX_NESTING:
            line = state.skipEmptyLines(start)
            if line < end and state.sCount[line] >= state.blkIndent:
                state.env.setdefault(DROPPED, []).append(line)
        tokenize(state, start, end, *args)

    md.block.tokenize = tokenize_noting_drops  # type: ignore[method-assign,assignment]
    return md


def is_safe_url(url: str) -> bool:
    """Tell whether URL (as markdown-it normalized it) is http(s), mailto or relative.

    `//host/path` has no scheme but is no relative link: it names another host (protocol-relative).
    """
    scheme = _SCHEME.match(url)
    if scheme is None:
        return not url.lstrip().startswith(("//", "/\\", "\\"))
    return scheme.group(1).lower() in SAFE_SCHEMES


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
    texts = [_child_offsets(token)[0] for token in inlines]
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
        _mark_block(inlines[block], article.blocks[block][0], kept, article, problems)


def _line_of_link(article: Article, url: str) -> int:
    """Return the line of the .md file where the link to URL (as markdown-it normalized it) is written."""
    for written in (url, unquote(url)):
        at = article.body.find(written)
        if at >= 0:
            return article.body_line + article.body.count("\n", 0, at)
    return article.title_line if unquote(url) in article.title else article.body_line


# --- Finding quotes ----------------------------------------------------------


def _child_offsets(inline: Token) -> tuple[str, list[tuple[int, int]]]:
    """Return the block's plain text and each child's (start, end) in it."""
    parts, offsets, pos = [], [], 0
    for child in inline.children or []:
        piece = _text_of(child)
        parts.append(piece)
        offsets.append((pos, pos + len(piece)))
        pos += len(piece)
    return "".join(parts), offsets


def _text_of(token: Token) -> str:
    if token.type in ("text", "code_inline"):
        return token.content
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    return ""


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
    candidates = [
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
        chosen = candidates
    elif selector.occurrence is not None:
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
        chosen = [candidates[selector.occurrence - 1]]
    elif len(candidates) > 1:
        problems.append(_ambiguous(selector.quote, candidates, article, where))
        return []
    else:
        chosen = candidates
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


# --- Marking the tokens ------------------------------------------------------


def _mark_block(
    inline: Token, block_start: int, spans: list[tuple[Span, Annotation]], article: Article, problems: Problems
) -> None:
    """Insert open/close tokens for SPANS into INLINE's children."""
    cuts = {s.start - block_start for s, _ in spans} | {s.end - block_start for s, _ in spans}
    children, offsets = _split_children(inline, cuts)
    ordered = sorted(spans, key=lambda p: (p[0].start, -p[0].end, _NESTING_ORDER[KIND_OF[type(p[1])]]))
    # The spans come in the order of their starts: the children before `begin` end before this span starts,
    # so no later span needs them; and `links` counts the links open before a place, from the last place asked.
    begin, links = 0, _LinkDepth(children)
    any_link = any(t.type == "link_open" for t in children)
    for span, annotation in ordered:
        start, end = span.start - block_start, span.end - block_start
        while begin < len(children) and offsets.get(id(children[begin]), (0, start))[1] <= start:
            begin += 1  # markup, or text that ends before START
        inside, straddled = _text_within(children, offsets, start, end, begin)
        if straddled is not None:
            problems.add(
                annotation.where,
                "M304",
                f"the quote {annotation.selector.quote!r} starts or ends inside the code {straddled.content!r}",
                "quote the whole code span or none of it",
            )
            continue
        if inside is None:
            continue
        kind = KIND_OF[type(annotation)]
        first, last = _widen(children, *inside)
        segments = _segments(children, first, last, offsets)
        if kind == "mention":  # a mention is a link: none may be around it or in it
            in_link = any_link and _touches_link(children, segments, links)
            any_link = True
        else:  # a claim's badge and a note's number come after its words: are those inside a link?
            in_link = links.at(segments[-1][1] + 1) > 0
        for n, (first, last) in reversed(list(enumerate(segments))):
            meta = {"annotation": annotation, "span": span, "first": n == 0, "last": n == len(segments) - 1}
            if in_link:  # a mention is then a <span>; a claim's badge and a note's number are no links
                meta["plain"] = True
            close = Token(f"{kind}_close", "", -1, meta=meta)
            opener = Token(f"{kind}_open", "", 1, meta=meta)
            for at, token in ((last + 1, close), (first, opener)):
                children.insert(at, token)
                links.inserted(at, token)
                begin += at < begin
    inline.children = children


class _LinkDepth:
    """Counts the links open before a place of a list of children, the places asked for mostly in order:
    each answer is the last one, corrected by the children between the two places."""

    def __init__(self, children: list[Token]):
        self.children = children
        self.place = 0
        self.depth = 0
        """How many links are open before CHILDREN[place]."""

    def at(self, index: int) -> int:
        """Return how many links are open before CHILDREN[index]."""
        if index >= self.place:
            self.depth += _link_nesting(self.children[self.place : index])
        else:
            self.depth -= _link_nesting(self.children[index : self.place])
        self.place = index
        return self.depth

    def inserted(self, index: int, token: Token) -> None:
        """Take into account that TOKEN was inserted at INDEX."""
        if index < self.place:
            self.place += 1
            if _is_link(token):
                self.depth += token.nesting


def _link_nesting(tokens: list[Token]) -> int:
    # t.nesting first: most children are text, which opens and closes nothing
    return sum(t.nesting for t in tokens if t.nesting and _is_link(t))


def _text_within(
    children: list[Token], offsets: dict[int, tuple[int, int]], start: int, end: int, begin: int = 0
) -> tuple[tuple[int, int] | None, Token | None]:
    """Return the indexes of the first and last non-empty text children within START..END (or None),
    and the first code span that START or END falls inside (or None). Those before BEGIN end before START."""
    first = last = -1
    straddled = None
    for i in range(begin, len(children)):
        child = children[i]
        offset = offsets.get(id(child))
        if offset is None:
            continue
        lo, hi = offset
        if lo >= end:  # offsets grow along the children: none further is inside or straddled
            break
        if start <= lo and hi <= end and lo < hi:
            if first < 0:
                first = i
            last = i
        elif straddled is None and child.type == "code_inline" and (lo < start < hi or lo < end < hi):
            straddled = child
    return ((first, last) if first >= 0 else None), straddled


def _split_children(inline: Token, cuts: set[int]) -> tuple[list[Token], dict[int, tuple[int, int]]]:
    """Split text children at CUTS; return them and each text child's offsets."""
    _, offsets = _child_offsets(inline)
    children: list[Token] = []
    spans: dict[int, tuple[int, int]] = {}
    ordered_cuts = sorted(cuts)
    for child, (a, b) in zip(inline.children or [], offsets, strict=True):
        inner = ordered_cuts[bisect.bisect_right(ordered_cuts, a) : bisect.bisect_left(ordered_cuts, b)]
        if child.type == "text" and inner:
            bounds = [a, *inner, b]
            for lo, hi in zip(bounds, bounds[1:], strict=False):
                piece = Token("text", "", 0, content=child.content[lo - a : hi - a])
                children.append(piece)
                spans[id(piece)] = (lo, hi)
            continue
        children.append(child)
        if child.type in _TEXT_TYPES:
            spans[id(child)] = (a, b)
    return children, spans


def _widen(children: list[Token], first: int, last: int) -> tuple[int, int]:
    """Widen FIRST..LAST over markup wholly inside it, so `*Ada* Lovelace` is one segment."""
    while True:
        if first > 0 and children[first - 1].nesting == 1 and _partner(children, first - 1) <= last:
            first -= 1
        elif last + 1 < len(children) and children[last + 1].nesting == -1 and _partner(children, last + 1) >= first:
            last += 1
        else:
            return first, last


def _partner(children: list[Token], k: int) -> int:
    """Return the index of the token that opens or closes CHILDREN[k]."""
    step, depth, i = children[k].nesting, 0, k
    while 0 <= i < len(children):
        depth += children[i].nesting
        if depth == 0:
            return i
        i += step
    return -1 if step < 0 else len(children)


def _segments(
    children: list[Token], first: int, last: int, offsets: dict[int, tuple[int, int]]
) -> list[tuple[int, int]]:
    """Return the well-nested runs of CHILDREN[first..last] that hold text."""
    stack: list[int] = []
    unmatched: set[int] = set()
    for i in range(first, last + 1):
        if children[i].nesting == 1:
            stack.append(i)
        elif children[i].nesting == -1:
            if stack:
                stack.pop()
            else:
                unmatched.add(i)
    unmatched.update(stack)
    runs, run_start = [], None
    for i in range(first, last + 2):
        if i > last or i in unmatched:
            if run_start is not None:
                if any(id(children[j]) in offsets for j in range(run_start, i)):
                    runs.append((run_start, i - 1))
                run_start = None
        elif run_start is None:
            run_start = i
    return runs


def _touches_link(children: list[Token], segments: list[tuple[int, int]], links: _LinkDepth) -> bool:
    """Tell whether a mention here would nest one <a> in another."""
    inner = any(_is_link(children[i]) for a, b in segments for i in range(a, b + 1))
    return inner or links.at(segments[0][0]) > 0


def _is_link(token: Token) -> bool:
    if token.type.startswith("link_"):
        return True
    return token.type.startswith("mention_") and not token.meta.get("plain")
