"""The one Markdown parser, and the annotation markup as one markdown-it-py plugin.

`make_markdown` returns the parser every stage uses: CommonMark, raw HTML
shown as text, safe link schemes only, with `annotations_plugin`. Anchoring
(anchor.py) finds each annotation's span in the parsed tokens and asks
`mark_block` to mark it: each span becomes a pair of tokens (``mention_open``
/ ``mention_close``, ``claim_open``...) inserted into the inline children.
Where a span cuts across other markup, it is split into several segments so
that the output stays well nested; the first segment carries the id. The
plugin's render rules turn those tokens into HTML: a mention links to its
entity's page, a checked claim carries its verdict, a note its margin note.
"""

from __future__ import annotations

import bisect
import html
from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from .errors import MAX_PROBLEMS, Problems
from .model import Annotation, Appearance, Article, Claim, Event, Mention, Note, Span
from .sanitize import is_safe_url, sanitize
from .urls import claims_path, entity_path, source_path, timeline_path
from .wording import STATUS_HELP, human_date

KIND_OF = {Claim: "claim", Event: "event", Note: "note", Mention: "mention", Appearance: "appearance"}
"""The token name of each annotation type."""


_NESTING_ORDER = {"claim": 0, "appearance": 1, "event": 1, "note": 2, "mention": 3}
"""On equal spans, which annotation goes outside."""


_TEXT_TYPES = {"text", "code_inline", "softbreak", "hardbreak"}


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
    return md.use(annotations_plugin)


# --- The text of the tokens -------------------------------------------------


def child_offsets(inline: Token) -> tuple[str, list[tuple[int, int]]]:
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


# --- Marking the tokens ------------------------------------------------------


def mark_block(
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
    _, offsets = child_offsets(inline)
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


# --- The HTML of the tokens: the plugin ------------------------------------


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def annotations_plugin(md: MarkdownIt) -> None:
    """Teach MD's renderer the annotation tokens that `mark_block` inserts (a markdown-it-py plugin: `md.use`)."""
    rules = {
        "mention_open": _mention_open,
        "mention_close": lambda self, tokens, idx, options, env: f"</{env['mention_tags'].pop()}>",
        "claim_open": _claim_open,
        "claim_close": _claim_close,
        "event_open": _event_open,
        "event_close": _event_close,
        "appearance_open": _appearance_open,
        "appearance_close": lambda self, tokens, idx, options, env: "</span>",
        "note_open": _note_open,
        "note_close": _note_close,
    }
    rules["image"] = _image
    for name, rule in rules.items():
        md.add_render_rule(name, _unless_title(rule, closing=name.endswith("_close")))
    md.add_render_rule("paragraph_open", _paragraph_open)
    md.add_render_rule("paragraph_close", _paragraph_close)


def _paragraph_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    env["in_paragraph"], env["verdicts"] = True, []
    return str(self.renderToken(tokens, idx, options, env))


def _paragraph_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """Close a paragraph, after the verdicts of its claims (hidden until opened)."""
    verdicts = "".join(env.get("verdicts", ()))
    env["in_paragraph"], env["verdicts"] = False, []
    return verdicts + str(self.renderToken(tokens, idx, options, env))


def _unless_title(rule: Callable[..., str], closing: bool) -> Callable[..., str]:
    """Return RULE, except in the headline, where an annotation is a bare <span> that keeps its id."""

    def render(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
        token = tokens[idx]
        if not env.get("title") or "span" not in token.meta:
            return rule(self, tokens, idx, options, env)
        return "</span>" if closing else f"<span{_id_attr(token)}>"

    return render


def _image(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """Render an image as a link to it: the site loads nothing from elsewhere (and its CSP would refuse it)."""
    token = tokens[idx]
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env) or "image")
    src = token.attrGet("src") or ""
    if sum(t.nesting for t in tokens[:idx] if t.type.startswith(("link_", "mention_"))) > 0:  # in a link already
        return f'<span class="image-link">[image: {alt}]</span>'
    return f'<a class="image-link" href="{_attr(str(src))}" rel="nofollow noopener">[image: {alt}]</a>'


def _id_attr(token: Token) -> str:
    return f' id="{_attr(token.meta["span"].id)}"' if token.meta["first"] else ""


def _mention_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """Open a mention: a link to its entity's page the first time the body names it, later a <span>.

    As in Wikipedia and newspapers online, a name is linked once: forty links in a short article are
    forty tab stops and a page that looks like an index. Every mention keeps its id (entity pages
    link to each) and its data-entity, which gives it the entity's card on hover or tap.
    """
    token = tokens[idx]
    entity_id = token.meta["annotation"].entity
    entity = env["entities"].get(entity_id)
    tag = "span"
    if entity is None:  # an unknown id: the build stops on it (M202); render something anyway
        opening = f'<span class="mention"{_id_attr(token)}>'
    else:
        data = f' data-entity="{_attr(entity_id)}" data-kind="{_attr(entity.kind)}"'
        opening = f'<span class="mention"{_id_attr(token)}{data}>'
        if not token.meta.get("plain") and entity_id not in env["linked"]:
            env["linked"].add(entity_id)
            href = env["root"] + entity_path(entity_id)
            tag, opening = "a", f'<a class="mention"{_id_attr(token)} href="{_attr(href)}"{data}>'
    env["mention_tags"].append(tag)  # mentions never nest: the close that comes next is this one's
    return opening


def _claim_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """Open a claim: highlighted (<mark>) once checked; a reported claim is a plain <span> the reader may show."""
    token = tokens[idx]
    status = token.meta["annotation"].status
    tag = "span" if status == "reported" else "mark"
    return f'<{tag} class="claim claim-{_attr(status)}"{_id_attr(token)}>'


VERDICT_ICONS = {"confirmed": "✓", "disputed": "?", "false": "✗"}
"""A shape beside each checked status's word, so that colour is never the only sign of it."""


def _claim_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """Close a claim; after a checked one, its verdict, which opens in place (see _verdict_box)."""
    token = tokens[idx]
    claim = token.meta["annotation"]
    if claim.status == "reported":
        return "</span>"
    if not token.meta["last"]:
        return "</mark>"
    status = _attr(claim.status)
    label = f'<span class="verdict-icon" aria-hidden="true">{VERDICT_ICONS[claim.status]}</span>{status.capitalize()}'
    if token.meta.get("plain"):  # inside a link: a link here would nest
        return f'</mark> <span class="verdict verdict-{status}">{label}</span>'
    box_id = f"verdict-{_attr(claim.id)}"
    box = _verdict_box(claim, box_id, env)
    if env.get("in_paragraph"):  # it opens below the paragraph's words, not in the middle of its sentence
        env["verdicts"].append(box)
        box = ""
    return f'</mark> <a class="verdict verdict-{status}" href="#{box_id}">{label}</a>{box}'


def _verdict_box(claim: Claim, box_id: str, env: dict[str, Any]) -> str:
    """Return the verdict of CLAIM as it opens beside its words: status, review, claimant, sources, entry.

    A <span> (the claim sits in a paragraph), hidden until its verdict is followed: by :target
    without JavaScript, by marginalia.js's disclosure button with it.
    """
    root, status = env["root"], claim.status
    said = claim.summary or claim.selector.quote
    parts = [f"<strong>{_attr(status.capitalize())}</strong>: “{_attr(said)}”, {_attr(STATUS_HELP[status])}."]
    if claim.review:
        review = sanitize(env["md"].renderInline(" ".join(claim.review.split())))
        parts.append(f'<span class="verdict-review">{review}</span>')
    claimant = env["entities"].get(claim.claimant)
    if claimant:
        href = root + entity_path(claimant.id)
        parts.append(f'<span>Claimed by <a href="{_attr(href)}">{_attr(claimant.name)}</a>.</span>')
    sources = [env["sources"][s] for s in claim.sources if s in env["sources"]]
    if sources:
        links = "; ".join(f'<a href="{_attr(root + source_path(s.id))}">{_attr(s.title)}</a>' for s in sources)
        parts.append(f"<span>Sources: {links}.</span>")
    entry = f"{root}{claims_path(env['article'].date)}#claim-{claim.id}"
    parts.append(f'<a href="{_attr(entry)}">The claim in full</a>')
    return f'<span class="verdict-box verdict-{_attr(status)}" id="{box_id}">{" ".join(parts)}</span>'


def _event_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    return f'<span class="event"{_id_attr(tokens[idx])}>'


def _event_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """Close an event; after its words, a link to its entry on the timeline (the words hold names that link)."""
    token = tokens[idx]
    if not token.meta["last"] or token.meta.get("plain"):
        return "</span>"
    event = token.meta["annotation"]
    href = f"{env['root']}{timeline_path(event.date.start)}#t-{event.id}"
    label = f"On the timeline: {event.title} ({human_date(event.date.start)})"
    return f'</span><a class="event-ref" href="{_attr(href)}" aria-label="{_attr(label)}"></a>'


def _appearance_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    """Mark a passage that reports a claim or event defined elsewhere: the timeline and claims pages link to it."""
    kind = tokens[idx].meta["annotation"].kind
    return f'<span class="appearance appearance-{_attr(kind)}"{_id_attr(tokens[idx])}>'


def _note_open(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    return f'<span class="noted"{_id_attr(tokens[idx])}>'


def _note_close(self: Any, tokens: list[Token], idx: int, options: Any, env: dict[str, Any]) -> str:
    token = tokens[idx]
    if not token.meta["last"]:
        return "</span>"
    note = token.meta["annotation"]
    n = note.number
    text = sanitize(env["md"].renderInline(" ".join(note.text.split())))
    ref = f'<a href="#note-{n}" aria-label="Note {n}">{n}</a>' if not token.meta.get("plain") else str(n)
    return (
        f'</span><sup class="note-ref">{ref}</sup>'
        f'<span class="sidenote" role="note"><span class="note-number">{n}</span> {text}</span>'
    )
