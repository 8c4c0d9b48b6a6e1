"""MkDocs hook: stop `mkdocs build` / `mkdocs serve` from making a different site.

This site is built by Marginalia, which reads mkdocs.yml for its settings.
MkDocs on its own would render content/ as plain Markdown pages, without
annotations, glossary or timeline, so it stops here and names the right command.
"""

from __future__ import annotations

from mkdocs.exceptions import Abort

COMMANDS = {"build": "python build.py", "serve": "python build.py serve", "gh-deploy": "python build.py"}


def on_startup(command: str, dirty: bool) -> None:
    """Stop MkDocs with a message naming the Marginalia command to use."""
    right = COMMANDS.get(command, "python build.py")
    raise Abort(
        f"This site is built by Marginalia, not by `mkdocs {command}`: run `{right}` "
        "(or `make serve`). MkDocs alone would make a site without the annotations."
    )
