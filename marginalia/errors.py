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


class Problems(list[Problem]):
    """The problems found so far; loading goes on after each one."""

    def add(self, where: Location, code: str, message: str, hint: str = "", severity: str = "error") -> None:
        """Record one problem."""
        self.append(Problem(where, code, message, hint, severity))


MAX_PROBLEMS = 100
"""The most anchoring problems one file reports (M309 then says how many more there are), and the most
refused links one parse notes."""


RULES: dict[str, str] = {
    # Files
    "M010": "a registry file (entities.yml, sources.yml) is missing",
    "M011": "an article has no front matter",
    "M012": "a file is larger than the limit",
    "M013": "a file is not valid UTF-8",
    "M014": "a symbolic link or special file in content/",
    "M015": "Markdown nested too deeply to be shown",
    # YAML
    "M001": "YAML syntax error",
    "M002": "tab character in YAML",
    "M003": "empty file",
    "M004": "merge key (<<)",
    "M005": "duplicate key",
    "M006": "anchor or alias (&name, *name)",
    "M007": "second YAML document in one file",
    "M008": "YAML nested too deeply",
    "M009": "invisible control character in a file or value",
    # Schema
    "M101": "unknown key",
    "M102": "missing required key",
    "M103": "value not among the allowed choices",
    "M104": "value not in the expected form (e.g. an id)",
    "M105": "value of the wrong type",
    "M106": "other schema violation",
    "M107": "URL that is not http:// or https://",
    "M108": "date not in the expected form",
    # References
    "M201": "duplicate id",
    "M202": "unknown entity id",
    "M203": "unknown source id",
    "M204": "unknown article slug",
    "M205": "article file name that is not a valid slug, or collides with another",
    "M206": "a claim or event reported by id that no article defines",
    # Anchoring
    "M301": "quote not found in the article",
    "M302": "quote found more than once",
    "M303": "quote runs across two blocks",
    "M304": "quote starts or ends inside inline code",
    "M305": "occurrence out of range",
    "M306": "no match has the prefix or suffix given",
    "M307": "annotations overlap that cannot nest",
    "M308": "every: true would mark more places than the limit",
    "M309": "more anchoring problems in one file than are listed",
    "M310": "quote not looked for: the quotes of one file match too often",
    # Dates
    "M401": "date that does not exist",
    "M402": "date range that ends before it starts",
    # Lints (warnings)
    "W501": "an entity's name or alias is in an article but not annotated there",
    "W502": "entity never mentioned",
    "W503": "source never cited",
    "W504": "claim with no source",
    "W505": "an event two articles give different dates (or precisions)",
    "W506": "an event with the date and an entity of an event of another article: likely the same",
    "W507": "a link in an article that is shown as text: not http(s), mailto or relative",
}
"""Every rule the checker applies, by its stable code; CONTRIBUTING.md documents each."""


class MarginaliaError(Exception):
    """Base of the errors the command line turns into an exit code."""


class ContentError(MarginaliaError):
    """The content has errors; the build stops before writing anything."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in content")
        self.problems = problems


class ConfigError(MarginaliaError):
    """mkdocs.yml is missing or invalid."""


class ImportFailure(Exception):
    """The import cannot go on at all (a usage or file problem)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
