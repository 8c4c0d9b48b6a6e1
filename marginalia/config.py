"""The site's settings, read from mkdocs.yml with MkDocs' own loader."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from mkdocs.config import load_config as mkdocs_load_config
from mkdocs.exceptions import ConfigurationError

from .errors import ConfigError


@dataclass(frozen=True)
class Config:
    """What the build needs to know, with every path absolute."""

    site_name: str
    content_dir: Path
    """content/: articles, entities.yml, sources.yml."""
    templates_dir: Path
    """templates/: Jinja2 templates and assets/."""
    site_dir: Path
    """site/: where the built site is written."""
    config_file: Path
    """mkdocs.yml itself, watched by the dev server."""
    site_description: str = ""
    site_url: str = ""
    """Address the site is published at, with a trailing slash; empty if none."""
    repo_url: str = ""
    edit_uri: str = ""
    dev_addr: str = "127.0.0.1:8000"
    search: bool = True
    """Build the Pagefind search index (extra.marginalia.search; --no-search turns it off)."""


def load_config(config_file: Path | str = "mkdocs.yml", site_dir: Path | None = None) -> Config:
    """Read CONFIG_FILE; SITE_DIR, if given, overrides its site_dir."""
    path = Path(config_file).resolve()
    if not path.is_file():
        raise ConfigError(f"{config_file}: no such file; run from the project folder or pass -f PATH/mkdocs.yml")
    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    try:
        raw = mkdocs_load_config(str(path))
    except ConfigurationError as err:
        raise ConfigError(f"{config_file}: {err}") from None
    extra = (raw["extra"] or {}).get("marginalia", {}) or {}
    dev = raw["dev_addr"]
    return Config(
        site_name=raw["site_name"],
        site_description=raw["site_description"] or "",
        site_url=raw["site_url"] or "",
        repo_url=raw["repo_url"] or "",
        edit_uri=raw["edit_uri"] or "",
        dev_addr=f"{dev.host}:{dev.port}",
        content_dir=Path(raw["docs_dir"]),
        templates_dir=(path.parent / extra.get("templates_dir", "templates")).resolve(),
        site_dir=(site_dir or Path(raw["site_dir"])).resolve(),
        config_file=path,
        search=bool(extra.get("search", True)),
    )
