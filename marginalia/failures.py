"""Where what stopped a dev-server rebuild is, and what the overlay says about it.

A rebuild can fail on anything: content with errors (their `Problem`s have a
place already), a template (a syntax error, an undefined variable),
mkdocs.yml, or an exception from deeper down. The overlay shows it as the
checker prints a problem, `file:line:col: error: message`, under a heading
that says which kind of file is broken.
"""

from __future__ import annotations

import os
import re
import traceback
from pathlib import Path
from types import FrameType

import jinja2

from .config import Config
from .errors import ConfigError
from .model import Location


def place_failure(error: Exception, config: Config) -> tuple[Location | None, str]:
    """Return where what stopped a rebuild is (None: not found), and it as `file:line:col: error: message`.

    A template's syntax error carries its file and line; any other error in a
    template (an undefined variable) is placed at the template line the
    traceback passes through; mkdocs.yml at the line of the YAML error or of
    the option named; any other error at the YAML node or the file of the
    site being read when it was raised, if one is found.
    """
    message = " ".join(str(error).split()) or type(error).__name__
    where: Location | None = None
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        where = Location(Path(error.filename), error.lineno or 0)
        message = error.message or message
    elif isinstance(error, ConfigError):
        where = _config_place(str(error), config.config_file)
        message = message.removeprefix(f"{config.config_file}: ")
    else:
        where = _traceback_place(error, config)
    if not isinstance(error, jinja2.TemplateError | ConfigError | OSError):
        message = f"{type(error).__name__}: {message}"
    return where, f"{where or config.config_file}: error: {message}"


def failure_title(where: Location | None, config: Config) -> str:
    """Return the overlay's heading for an error that stopped a rebuild at WHERE: what kind of file is broken."""
    if where is not None:
        path = where.path.resolve()
        if path == config.config_file.resolve():
            return f"{config.config_file.name} has an error: this is the last good build"
        if path.is_relative_to(config.templates_dir.resolve()):
            return "A template has an error: this is the last good build"
        if path.is_relative_to(config.content_dir.resolve()):
            return content_title(1)
    return "The build failed: this is the last good build"


def content_title(errors: int) -> str:
    """Return the overlay's heading for ERRORS errors found in the content."""
    return f"The content has {errors} error(s): this is the last good build"


def _config_place(message: str, config_file: Path) -> Location:
    """Return the place in mkdocs.yml the MkDocs error MESSAGE is about: its YAML mark, or its option's line."""
    marks = re.findall(r'in "[^"]*", line ([0-9]+), column ([0-9]+)', message)
    if marks:
        line, col = marks[-1]
        return Location(config_file, int(line), int(col))
    option = re.search(r"Config value '([^']+)'", message)
    if option:
        try:
            lines = config_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeError):
            lines = []
        key = option[1].split(".")[0] + ":"
        for number, text in enumerate(lines, 1):
            if text.startswith(key):
                return Location(config_file, number)
    return Location(config_file)


def _traceback_place(error: Exception, config: Config) -> Location | None:
    """Return the place in the site's files ERROR was raised at, from its traceback (innermost first)."""
    frames: list[FrameType] = [frame for frame, _ in traceback.walk_tb(error.__traceback__)]
    roots = [str(config.templates_dir) + os.sep, str(config.content_dir) + os.sep]
    for frame in reversed(frames):
        code_file = frame.f_code.co_filename
        if code_file.startswith(tuple(roots)):  # a template's code: Jinja gives it the template's file and line
            return Location(Path(code_file), _line_of(error, frame))
        path = frame.f_locals.get("path")
        if isinstance(path, Path) and str(path).startswith(tuple(roots)):
            for value in frame.f_locals.values():  # the YAML node being read, if any
                mark = getattr(value, "start_mark", None)
                if mark is not None and isinstance(getattr(mark, "line", None), int):
                    return Location(path, mark.line + 1, mark.column + 1)
            return Location(path)
    return None


def _line_of(error: Exception, frame: FrameType) -> int:
    for tb_frame, line in traceback.walk_tb(error.__traceback__):
        if tb_frame is frame:
            return line
    return frame.f_lineno
