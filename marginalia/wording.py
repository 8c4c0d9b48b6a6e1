"""What the site calls things, in English: the plural of each kind of entity, what each claim status
means, and dates as people write them."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

KIND_PLURALS = {
    "person": "People",
    "place": "Places",
    "organization": "Organizations",
    "event": "Events",
    "concept": "Concepts",
}


STATUS_HELP = {
    "reported": "stated in the article; not checked against other sources",
    "confirmed": "borne out by the sources cited",
    "disputed": "contradicted by some of the sources cited",
    "false": "shown wrong by the sources cited",
}


@lru_cache(maxsize=4096)
def human_date(iso: str) -> str:
    """Return an ISO date (YYYY, YYYY-MM or YYYY-MM-DD) as people write it."""
    parts = [int(p) for p in iso.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    month = dt.date(parts[0], parts[1], 1).strftime("%B")
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{month} {parts[2]}, {parts[0]}"
