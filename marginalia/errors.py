"""Problems found in content, and the one exception that carries them."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Location


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the content, in compiler style."""

    where: Location
    """The file, line and column it is at."""
    code: str
    """A stable rule code, e.g. M201."""
    message: str
    """What is wrong, quoting the offending value."""
    hint: str = ""
    """How to fix it, where that helps."""
    severity: str = "error"
    """'error' or 'warning'."""

    def __str__(self) -> str:
        text = f"{self.where}: {self.severity}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        """Return a key ordering problems by file, line, column and code."""
        return (str(self.where.path), self.where.line, self.where.col, self.code)


class MarginaliaError(Exception):
    """Base of the errors the command line turns into an exit code."""


class ContentError(MarginaliaError):
    """The content has errors; the build stops before writing anything."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in content")
        self.problems = problems


class ConfigError(MarginaliaError):
    """mkdocs.yml is missing or invalid."""
