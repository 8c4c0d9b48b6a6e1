"""The helpers templates call: dates as people write them, links to entities and sources, verdict
badges, the timeline's year chart. Registered as Jinja globals and filters by `render.Renderer`."""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup, escape

from .model import Entity, EventDate, Source
from .urls import entity_path, source_path
from .wording import STATUS_HELP, human_date


def month_name(month: str) -> str:
    """Return the name of MONTH (YYYY-MM) without its year: "March"."""
    return human_date(month).split(" ")[0]


def event_date(date: EventDate) -> Markup:
    """Return DATE as one or two <time> elements at its own precision."""
    return _event_date(date.start, date.end)


@lru_cache(maxsize=4096)
def _event_date(date_start: str, date_end: str) -> Markup:
    start = f'<time datetime="{html.escape(date_start)}">'
    if not date_end:
        return Markup(f"{start}{html.escape(human_date(date_start))}</time>")  # noqa: S704
    first, last = human_date(date_start), human_date(date_end)
    a, b = date_start.split("-"), date_end.split("-")
    if len(a) == len(b) == 3 and a[:2] == b[:2]:  # March 10–13, 2020
        first = first.rsplit(",", 1)[0]
        last = f"{int(b[2])}, {b[0]}"
    elif len(a) == len(b) and a[0] == b[0] and len(a) > 1:  # February–March 2020
        first = first.rsplit(" ", 1)[0].rstrip(",")
    end = f'<time datetime="{html.escape(date_end)}">{html.escape(last)}</time>'
    return Markup(f"{start}{html.escape(first)}</time>–{end}")  # noqa: S704


# Links and badges repeated on every list page: Python functions, not Jinja
# macros, since a large site calls them millions of times and a macro call
# costs ten times as much. Values are escaped as Jinja's autoescape does.
# Each is made once per page folder and kept (by the values it shows).


@pass_context
def entity_link(context: Any, entity: Entity) -> Markup:
    """Return a link to ENTITY's page from the page being rendered."""
    return _link(context["root"], entity_path(entity.id), entity.name)


@pass_context
def source_link(context: Any, source: Source) -> Markup:
    """Return a link to SOURCE's page, from the page being rendered."""
    return _link(context["root"], source_path(source.id), source.title)


@lru_cache(maxsize=65536)
def _link(root: str, path: str, text: str) -> Markup:
    return Markup(f'<a href="{escape(root)}{escape(path)}">{escape(text)}</a>')  # noqa: S704


@lru_cache(maxsize=64)
def badge(status: str, help: bool = True) -> Markup:
    """Return the badge of a claim STATUS; HELP=False leaves out the tooltip, where a key beside it explains it."""
    title = f' title="{escape(STATUS_HELP[status])}"' if help else ""
    return Markup(f'<span class="badge badge-{escape(status)}"{title}>{escape(status)}</span>')  # noqa: S704


STRIP_WIDTH = 800
"""The width of the timeline's chart in its own units: it is drawn to the width of the page."""


def year_strip(years: dict[str, list[Any]], tallest: int = 60, label_width: int = 48) -> dict[str, Any]:
    """Return the overview chart of the timeline: a bar per year of YEARS (year → events), by how many it has.

    The bars share STRIP_WIDTH, however many years there are; a year is labelled if there is room for its
    label (LABEL_WIDTH), the first and the last always.
    """
    ordered = sorted(years.items())
    step = STRIP_WIDTH / max(1, len(ordered))
    every = max(1, -(-label_width // int(step)) if step >= 1 else label_width)
    most = max((len(events) for events in years.values()), default=1)
    bars = []
    for i, (year, events) in enumerate(ordered):
        height = max(3, round(tallest * len(events) / most))
        labelled = i % every == 0 and (i + every <= len(ordered) - 1 or i == len(ordered) - 1 or i == 0)
        width = min(40.0, max(1.0, step * 0.7))
        bars.append(
            {
                "column": round(i * step, 2),
                "step": round(step, 2),
                "x": round(i * step + (step - width) / 2, 2),
                "width": round(width, 2),
                "y": 4 + tallest - height,
                "height": height,
                "middle": round(i * step + step / 2, 2),
                "year": year,
                "count": len(events),
                "label": labelled or i == len(ordered) - 1,
            }
        )
    return {"width": STRIP_WIDTH, "bars": bars, "base": 4 + tallest, "height": tallest + 26}
