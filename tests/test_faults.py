"""Bad input and faults: nothing is lost, and the build never breaks.

Files that are too big, pathological Markdown, deep or exploding YAML,
broken encodings, symbolic links, names that would write outside site/, and
faults while writing (an exception, SIGKILL): each is refused with its
problem code or survived, and the previous site/ is left byte-identical.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from marginalia import pipeline
from marginalia.cli import main
from marginalia.config import load_config
from marginalia.errors import ContentError
from marginalia.pipeline import build, check
from tests.conftest import ROOT

TIMEOUT = 120
"""Seconds any one build here may take on a busy two-core machine before it counts as hung."""


def write_config(project) -> Path:
    config = project.root / "mkdocs.yml"
    config.write_text(
        f"site_name: Test\ndocs_dir: content\nsite_dir: site\nextra:\n  marginalia:\n    templates_dir: {ROOT / 'templates'}\n",
        encoding="utf-8",
    )
    return config


def run(*args: str) -> tuple[int, str]:
    """Run the command line in this process; return its exit code and everything it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(list(args))
    return code, out.getvalue()


def codes(project) -> list[tuple[str, str, int]]:
    """Return (file name, code, line) of every error the checker finds in PROJECT."""
    return [(p.where.path.name, p.code, p.where.line) for p in check(project.config) if p.severity == "error"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under FOLDER by its relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(site: Path) -> list[str]:
    """Return the build's temporary folders beside SITE."""
    return sorted(p.name for p in site.parent.iterdir() if p.name.startswith(f".{site.name}."))


CLEAN = "mentions:\n  - {entity: ada, quote: Ada}\n"

SERIAL = {"jobs": 1} if "jobs" in inspect.signature(build).parameters else {}
"""Build in this process (where the build can use worker processes), so that faults patched in here reach the writing."""


# --- Big and pathological input ----------------------------------------------------------


@pytest.mark.parametrize("name", ["articles/big.md", "articles/a.yml", "entities.yml", "sources.yml"])
def test_file_over_the_size_cap_is_refused_unread(project, name: str) -> None:
    """A file over 1,000,000 bytes is M012, without reading it: a 4 GiB sparse file takes no time."""
    project.article("a", "Ada wrote.\n", CLEAN)
    if name == "articles/big.md":
        project.article("big", "Ada. " * 200_001)
    else:
        path = project.content / name
        with path.open("ab") as f:
            f.truncate(4 << 30)  # sparse: reading it would take minutes and 4 GiB
    started = time.monotonic()
    found = codes(project)
    assert (Path(name).name, "M012", 1) in found, found
    assert time.monotonic() - started < 10


PATHOLOGICAL = {
    "50,000 [": "[" * 50_000,
    "30,000 *a": "*a" * 30_000,
    "20,000 *, a, 20,000 *": "*" * 20_000 + "a" + "*" * 20_000,
    "20,000 [a](": "[a](" * 20_000,
    "10,000 > ": "> " * 10_000 + "deep",
    "30,000 backticks": "`" * 30_000,
    "nested lists 500 deep": "".join("  " * i + "- x\n" for i in range(500)),
    "50,000 <": "<" * 50_000,
    "20,000 &#": "&#" * 20_000,
    "10,000 link references": "".join(f"[r{i}]: https://example.org/{i}\n" for i in range(10_000)) + "[r1] [r9999]\n",
    "one 900 kB line": "word " * 180_000,
}


@pytest.mark.parametrize("body", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_markdown_builds(project, body: str) -> None:
    """Markdown built to make a parser go quadratic or recurse: the build still succeeds, in reasonable time."""
    project.article("a", "Ada wrote.\n\n" + body + "\n", CLEAN)
    config = write_config(project)
    started = time.monotonic()
    code, output = run("build", "-q", "-f", str(config))
    assert time.monotonic() - started < TIMEOUT
    if body in TOO_DEEP:  # the parser would drop the text nested past its limit: an error at its line, no site
        assert code == 1, output
        assert f"a.md:{TOO_DEEP[body]}:1: error[M015]" in output, output
        assert "Traceback" not in output
        return
    assert code == 0, output
    assert (project.root / "site" / "articles" / "a.html").is_file()


TOO_DEEP = {PATHOLOGICAL["10,000 > "]: 8, PATHOLOGICAL["nested lists 500 deep"]: 57}
"""Nested deeper than the Markdown parser goes (100 levels: a list and its item are two), so their text would not
be shown and they are refused (M015): the line where it goes too deep."""


def _deep(kind: str, depth: int) -> str:
    if kind == "flow sequence":
        return "[" * depth + "]" * depth
    if kind == "flow mapping":
        return "{a: " * depth + "x" + "}" * depth
    return "".join("  " * i + "- \n" for i in range(min(depth, 400))) + "  " * min(depth, 400) + "- x"


@pytest.mark.parametrize("where", ["annotations", "front matter", "entities", "sources"])
@pytest.mark.parametrize("kind", ["flow sequence", "flow mapping"])
def test_yaml_nested_10000_deep_is_reported(project, where: str, kind: str) -> None:
    """YAML nested 10,000 deep is M008 (or a syntax error), never a RecursionError."""
    deep = _deep(kind, 10_000)
    project.article("a", "Ada wrote.\n", CLEAN)
    if where == "annotations":
        project.write("articles/a.yml", f"mentions: {deep}\n")
    elif where == "front matter":
        project.write("articles/a.md", f'---\ntitle: {deep}\ndate: "2020-03-13"\n---\n\nAda wrote.\n')
    else:
        project.write(f"{where}.yml", f"{deep}\n")
    code, output = run("build", "-q", "-f", str(write_config(project)))
    assert code == 1, output
    assert "[M008]" in output or "[M001]" in output, output


def _sweep(project, depths: list[int]) -> None:
    project.article("a", "Ada wrote.\n", CLEAN)
    config = write_config(project)
    for depth in depths:
        for kind in ("flow sequence", "flow mapping"):
            project.write(
                "articles/a.yml", f"mentions:\n  - entity: ada\n    quote: Ada\n    prefix: {_deep(kind, depth)}\n"
            )
            try:
                code, output = run("check", "-q", "-f", str(config))
            except RecursionError:
                pytest.fail(f"YAML {depth} deep ({kind}): RecursionError")
            assert code == 1, f"depth {depth}, {kind}: {output}"
            assert any(f"[{c}]" in output for c in ("M008", "M105", "M001")), f"depth {depth}, {kind}: {output}"


def test_yaml_depth_sweep_never_raises(project) -> None:
    """Depths well under the recursion limit, and from libyaml's own limit (1,000) up, are read or reported."""
    _sweep(project, [*range(50, 300, 25), 1000, 1001, 2000, 5000])


def test_yaml_nested_up_to_libyamls_limit_is_reported(project) -> None:
    """Every depth from 300 to 999 is M008 (or read), never a RecursionError."""
    _sweep(project, list(range(300, 1000, 20)))


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


@pytest.mark.parametrize("where", ["articles/a.yml", "entities.yml", "front matter"])
def test_alias_bomb_is_refused_at_once(project, where: str) -> None:
    """The billion laughs (9^9 strings from a 400-byte file) is M006, found before anything expands."""
    project.article("a", "Ada wrote.\n", CLEAN)
    if where == "front matter":
        project.write("articles/a.md", f'---\ntitle: "T"\ndate: "2020-03-13"\n{BILLION_LAUGHS}---\n\nAda wrote.\n')
    else:
        project.write(where, BILLION_LAUGHS)
    started = time.monotonic()
    found = codes(project)
    assert time.monotonic() - started < 10
    assert any(code == "M006" for _, code, _ in found), found


def test_yaml_tags_never_construct_objects(project, tmp_path: Path) -> None:
    """Python tags in YAML are read as plain data (then judged by the schema): nothing runs."""
    marker = tmp_path / "pwned"
    project.write(
        "entities.yml",
        f'- id: ada\n  name: !!python/object/apply:os.system ["touch {marker}"]\n  kind: person\n'
        f"- id: bob\n  name: !!python/name:os.system\n  kind: person\n"
        f"- id: cy\n  name: !!binary aGVsbG8=\n  kind: person\n"
        f'- id: di\n  name: !!python/object/new:subprocess.check_output [["touch", "{marker}"]]\n  kind: person\n',
    )
    project.article("a", "Ada wrote.\n", CLEAN)
    code, _ = run("build", "-q", "-f", str(write_config(project)))
    assert code in (0, 1)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["articles/a.md", "articles/a.yml", "entities.yml"])
def test_invalid_utf8_is_reported_with_its_line(project, name: str) -> None:
    """Bytes that are not UTF-8 are M013 at the line they are on."""
    project.article("a", "Ada wrote.\n", CLEAN)
    path = project.content / name
    path.write_bytes(path.read_bytes() + b"# caf\xe9 \xff\xfe\n")
    line = path.read_bytes().count(b"\n")
    assert (path.name, "M013", line) in codes(project)


def _dos(text: str) -> bytes:
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


@pytest.mark.parametrize("style", ["BOM and CRLF", "CRLF only", "BOM only"])
def test_bom_and_crlf_build_the_same_site(project, tmp_path: Path, style: str) -> None:
    """A BOM and Windows line ends simply work: the same site, and the same problems at the same lines, as without them."""
    project.article("a", "Ada saw the *engine*\nin London.\n\nAda wrote.\n", "mentions:\n  - {entity: ada, quote: Ada, every: true}\n"
                    "notes:\n  - quote: engine in London\n    text: A note.\n")  # fmt: skip
    plain = build(project.config)
    before = snapshot(project.root / "site")
    plain_problems = [(p.code, p.where.path.name, p.where.line, p.where.col) for p in check(project.config)]
    for path in project.content.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            data = _dos(text)
            if style == "CRLF only":
                data = data.removeprefix(b"\xef\xbb\xbf")
            elif style == "BOM only":
                data = b"\xef\xbb\xbf" + text.encode("utf-8")
            path.write_bytes(data)
    converted = build(project.config)
    assert snapshot(project.root / "site") == before
    assert converted.pages == plain.pages
    assert [(p.code, p.where.path.name, p.where.line, p.where.col) for p in check(project.config)] == plain_problems


# --- Links, names and paths ------------------------------------------------------------------


def test_symlinked_article_is_refused_and_not_followed(project, tmp_path: Path) -> None:
    """An article that is a symbolic link (here to a file outside content/) is M014, and its target is never read."""
    secret = tmp_path / "secret.md"
    secret.write_text('---\ntitle: "SECRET TITLE"\ndate: "2020-01-01"\n---\n\nSECRET BODY\n', encoding="utf-8")
    project.article("a", "Ada wrote.\n", CLEAN)
    (project.content / "articles" / "b.md").symlink_to(secret)
    project.article("c", "Ada wrote.\n")
    (project.content / "articles" / "c.yml").symlink_to(project.content / "articles" / "a.yml")
    code, output = run("build", "-f", str(write_config(project)))
    assert code == 1
    assert "b.md:1:1: error[M014]" in output and "c.yml:1:1: error[M014]" in output, output
    assert "SECRET" not in output
    assert not (project.root / "site").exists()


@pytest.mark.parametrize("name", ["entities.yml", "sources.yml"])
def test_symlinked_registry_is_refused(project, tmp_path: Path, name: str) -> None:
    """entities.yml or sources.yml as a symbolic link is M014."""
    real = tmp_path / name
    shutil.copy(project.content / name, real)
    (project.content / name).unlink()
    (project.content / name).symlink_to(real)
    project.article("a", "Ada wrote.\n", CLEAN)
    assert (name, "M014", 1) in codes(project)


def test_symlinked_articles_folder_is_not_followed(project, tmp_path: Path) -> None:
    """content/articles as a symbolic link to a folder elsewhere is refused (M014), not built from."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.md").write_text(
        '---\ntitle: "SECRET TITLE"\ndate: "2020-01-01"\n---\n\nSECRET BODY\n', encoding="utf-8"
    )
    shutil.rmtree(project.content / "articles")
    (project.content / "articles").symlink_to(elsewhere)
    code, output = run("build", "-f", str(write_config(project)))
    assert code == 1 and "M014" in output, output
    assert not (project.root / "site").exists()


UNSAFE_IDS = [
    "../../etc",
    "a/b",
    "C:\\x",
    "..",
    ".",
    "a\x00b",
    "/etc/passwd",
    "CON",
    "x y",
    "-a",
    "a--b",
    "a" * 81,
    "ad\u202ea",
    "é",
]


@pytest.mark.parametrize("value", UNSAFE_IDS, ids=repr)
@pytest.mark.parametrize("kind", ["entity", "source", "claim", "event"])
def test_ids_that_could_escape_site_are_refused(project, kind: str, value: str) -> None:
    """Ids with slashes, dots, backslashes, NUL, upper case, spaces... are M104 (M106 for length, M009 for NUL), at
    their line; nothing is written."""
    import yaml

    quoted = yaml.safe_dump(value, default_style='"', allow_unicode=True).strip()
    annotations = CLEAN
    if kind == "entity":
        project.write(
            "entities.yml",
            f"- id: {quoted}\n  name: X\n  kind: person\n" + project.content.joinpath("entities.yml").read_text(),
        )
        line, file = 1, "entities.yml"
    elif kind == "source":
        project.write("sources.yml", f"- id: {quoted}\n  title: X\n")
        line, file = 1, "sources.yml"
    elif kind == "claim":
        annotations += f"claims:\n  - id: {quoted}\n    quote: Ada wrote\n    status: reported\n"
        line, file = 4, "a.yml"
    else:
        annotations += f'events:\n  - id: {quoted}\n    quote: Ada wrote\n    date: "2020"\n    title: T\n'
        line, file = 4, "a.yml"
    project.article("a", "Ada wrote.\n", annotations)
    config = write_config(project)
    before = sorted(p.name for p in project.root.iterdir())
    code, output = run("build", "-q", "-f", str(config))
    assert code == 1, output
    found = codes(project)
    assert any(f == file and c in ("M104", "M106", "M009") and n == line for f, c, n in found), found
    assert sorted(p.name for p in project.root.iterdir()) == [*before]
    assert not (project.root / "site").exists()


@pytest.mark.parametrize("value", ["con", "nul", "aux", "com1", "lpt1", "prn"])
def test_windows_device_names_stay_inside_site(project, value: str) -> None:
    """Names reserved on Windows are valid ids (lower-case words); on this system they are ordinary files inside site/."""
    project.write("entities.yml", f"- id: {value}\n  name: Ada\n  kind: person\n")
    project.article("a", "Ada wrote.\n", f"mentions:\n  - {{entity: {value}, quote: Ada}}\n")
    code, output = run("build", "-q", "-f", str(write_config(project)))
    assert code == 0, output
    assert (project.root / "site" / "entities" / f"{value}.html").is_file()
    beside = sorted(p.name for p in project.root.iterdir())
    assert beside == [".cache", "content", "mkdocs.yml", "site"]  # .cache: the build cache
    cache = project.root / ".cache" / "marginalia"
    cached = [p.relative_to(cache) for p in cache.rglob("*") if p.is_file()]
    assert {p.suffix for p in cached if p.parts[0] != "search"} == {".pickle"}
    assert {p.parts[0] for p in cached if p.parts[0] == "search"} == {"search"}  # the search bundles, see search.py


@pytest.mark.parametrize(
    "names",
    [
        ["Idlib.md", "idlib.md"],
        ["A.md"],
        ["a b.md"],
        ["a\nb.md"],
        ["-a.md"],
        ["a.b.md"],
        ["ä.md"],
        ["a_b.md"],
        ["ＡＢ.md", "ab.md"],
    ],
    ids=repr,
)
def test_article_names_that_are_not_slugs_or_collide_are_refused(project, names: list[str]) -> None:
    """An article name that is not a slug, or equals another once case and Unicode are folded, is M205."""
    for name in names:
        project.write(f"articles/{name}", '---\ntitle: "T"\ndate: "2020-03-13"\n---\n\nText.\n')
    found = codes(project)
    assert any(code == "M205" for _, code, _ in found), found
    assert {f for f, code, _ in found if code == "M205"} <= set(names)


def test_case_folded_collision_names_both_files(project) -> None:
    """`Idlib.md` and `idlib.md` both exist on this filesystem; the checker names the collision."""
    project.article("idlib", "Text.\n")
    project.write("articles/Idlib.md", '---\ntitle: "T"\ndate: "2020-03-13"\n---\n\nText.\n')
    assert len(list((project.content / "articles").glob("*.md"))) == 2
    problems = [p for p in check(project.config) if p.code == "M205"]
    assert any("collides" in p.message and "Idlib.md" in p.message and "idlib.md" in p.message for p in problems), (
        problems
    )


def test_folder_named_like_an_article_is_a_problem_not_a_traceback(project) -> None:
    """A folder called b.md under articles/ is reported, not a crash."""
    project.article("a", "Ada wrote.\n", CLEAN)
    (project.content / "articles" / "b.md").mkdir()
    code, output = run("check", "-q", "-f", str(write_config(project)))
    assert code == 1
    assert "b.md" in output and "Traceback" not in output, output


@pytest.mark.parametrize("command", ["check", "build"])
def test_fifo_named_like_an_article_does_not_hang(project, command: str) -> None:
    """A named pipe called b.md under articles/ is refused at once, not read (reading it would wait forever),
    by `check` and by a build, which hash every article for the build cache."""
    project.article("a", "Ada wrote.\n", CLEAN)
    os.mkfifo(project.content / "articles" / "b.md")
    config = write_config(project)
    with subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), command, "-q", "-f", str(config)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    ) as proc:  # fmt: skip
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"build.py {command} still running after 10 s: it is blocked reading the FIFO")
    assert code == 1


# --- Faults while writing ------------------------------------------------------------------------


@pytest.fixture
def built(project) -> tuple[object, dict[str, bytes]]:
    """A project built once (the previous site), its content then changed so the next build differs."""
    project.article("a", "Ada wrote.\n\nShe saw the engine in London.\n", CLEAN)
    project.article("b", "Ada again.\n", CLEAN)
    build(project.config)
    before = snapshot(project.root / "site")
    project.article("a", "Ada wrote more.\n\nShe saw the engine in London.\n", CLEAN)
    return project, before


def _fail_on_call(monkeypatch, owner: object, name: str, n: int, error: BaseException) -> dict[str, int]:
    """Make the Nth call of OWNER.NAME raise ERROR; return a counter of the calls that failed (0 or 1)."""
    real = getattr(owner, name)
    calls = {"seen": 0, "n": 0}

    def failing(*args, **kwargs):
        calls["seen"] += 1
        if calls["seen"] == n:
            calls["n"] += 1
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)
    return calls


def _fallback_swap(monkeypatch) -> None:
    """Make the build swap folders with two renames, as it does where an atomic exchange is not available."""
    if hasattr(pipeline, "exchange_folders"):
        monkeypatch.setattr(pipeline, "exchange_folders", lambda a, b: False)


def _fail_swap(monkeypatch) -> dict[str, int]:
    """Fail the step that puts the new site in place: the atomic exchange where there is one, else the first rename."""
    if hasattr(pipeline, "exchange_folders"):
        return _fail_on_call(monkeypatch, pipeline, "exchange_folders", 1, OSError(16, "Device or resource busy"))
    return _fail_on_call(monkeypatch, Path, "rename", 1, OSError(16, "Device or resource busy"))


def _fail_retiring(monkeypatch) -> dict[str, int]:
    """Where folders are swapped by two renames, fail the first: moving the old site aside."""
    _fallback_swap(monkeypatch)
    return _fail_on_call(monkeypatch, Path, "rename", 1, OSError(16, "Device or resource busy"))


FAULTS = {
    "first page write": lambda mp: _fail_on_call(mp, Path, "write_text", 1, OSError(28, "No space left on device")),
    "tenth page write": lambda mp: _fail_on_call(mp, Path, "write_text", 10, OSError(28, "No space left on device")),
    "Ctrl-C while writing": lambda mp: _fail_on_call(mp, Path, "write_text", 5, KeyboardInterrupt()),
    "copying the assets": lambda mp: _fail_on_call(mp, shutil, "copytree", 1, PermissionError(13, "Permission denied")),
    "making a folder": lambda mp: _fail_on_call(mp, Path, "mkdir", 3, OSError(5, "Input/output error")),
    "swapping the new site in": _fail_swap,
    "moving the old site aside (two-rename swap)": _fail_retiring,
}
EXPECTED = {"Ctrl-C while writing": KeyboardInterrupt, "copying the assets": PermissionError}


@pytest.mark.parametrize("fault", FAULTS, ids=FAULTS.keys())
def test_exception_while_writing_leaves_the_previous_site(built, monkeypatch, fault: str) -> None:
    """An exception at any step of writing leaves site/ byte-identical and no temporary folder beside it."""
    project, before = built
    calls = FAULTS[fault](monkeypatch)
    with pytest.raises(EXPECTED.get(fault, OSError)):
        build(project.config, **SERIAL)
    monkeypatch.undo()
    assert calls["n"] >= 1, "the fault was never injected"
    site = project.root / "site"
    assert snapshot(site) == before
    assert leftovers(site) == []


def test_exception_in_the_search_indexing_step_leaves_the_previous_site(built, monkeypatch) -> None:
    """When the build indexes the staged site before the swap (Pagefind), a failure there changes nothing either."""
    project, before = built
    if not hasattr(pipeline, "index_search"):
        pytest.skip("this build has no search indexing step")

    def broken(*args, **kwargs):
        raise RuntimeError("pagefind crashed")

    monkeypatch.setattr(pipeline, "index_search", broken)
    with pytest.raises(RuntimeError):
        build(project.config, **SERIAL)
    monkeypatch.undo()
    assert snapshot(project.root / "site") == before
    assert leftovers(project.root / "site") == []


@pytest.mark.parametrize(
    "error", [OSError(16, "Device or resource busy"), KeyboardInterrupt()], ids=["OSError", "Ctrl-C"]
)
def test_exception_between_the_two_renames_keeps_the_previous_site(built, monkeypatch, error) -> None:
    """If swapping the new site in fails after the old one was moved aside, the old one is put back (or left for recovery)."""
    project, before = built
    real = Path.rename

    def rename(self: Path, target):  # type: ignore[no-untyped-def]
        if ".new-" in self.name:
            raise error
        return real(self, target)

    _fallback_swap(monkeypatch)
    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(type(error)):
        build(project.config, **SERIAL)
    monkeypatch.undo()
    site = project.root / "site"
    recover = getattr(pipeline, "recover_site", None) or pipeline._recover
    recover(site)  # what the next build does first
    assert snapshot(site) == before


# --- SIGKILL ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A 200-article project built once (the previous site), then changed, with the expected next site built aside."""
    root = tmp_path_factory.mktemp("big")
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "corpus.py"), "200", str(root)],
        check=True,
        capture_output=True,
        timeout=TIMEOUT,
    )
    config = root / "mkdocs.yml"
    started = time.monotonic()
    subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-q", "-f", str(config)], check=True, cwd=ROOT, timeout=TIMEOUT
    )
    seconds = time.monotonic() - started
    old = snapshot(root / "site")
    first = sorted((root / "content" / "articles").glob("*.md"))[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("title: ", "title: Changed ", 1), encoding="utf-8")
    aside = tmp_path_factory.mktemp("expected") / "site"
    subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-q", "-f", str(config), "-d", str(aside)],
        check=True,
        cwd=ROOT,
        timeout=TIMEOUT,
    )
    new = snapshot(aside)
    assert new != old
    return {"root": root, "config": config, "seconds": seconds, "old": old, "new": new}


def _start_build(config: Path) -> subprocess.Popen[bytes]:
    """Start build.py in its own session, so that SIGKILL reaches it and whatever it started (Pagefind)."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "-q", "-f", str(config)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the build and the processes it started (its own session), then reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=TIMEOUT)


def _site_state(site: Path, old: dict[str, bytes], new: dict[str, bytes]) -> str:
    """Return 'old' or 'new' if SITE is exactly one of them, or 'retired' if only the old site moved aside survives."""
    if site.exists():
        now = snapshot(site)
        if now == old:
            return "old"
        if now == new:
            return "new"
        changed = sorted(k for k in set(now) | set(old) if now.get(k) != old.get(k))
        raise AssertionError(
            f"site/ is neither the previous site nor the new one: {len(changed)} files differ, e.g. {changed[:5]}"
        )
    retired = sorted(site.parent.glob(f".{site.name}.old-*"))
    assert retired and snapshot(retired[-1]) == old, "site/ is gone and no intact previous site is left to recover"
    return "retired"


def test_sigkill_mid_build_leaves_a_whole_site(big_project) -> None:
    """SIGKILL at several moments of a 200-article build: site/ is always the whole previous site (or the whole new one),
    and the next build cleans up every temporary folder it left."""
    root, config = big_project["root"], big_project["config"]
    site = root / "site"
    old, new = big_project["old"], big_project["new"]
    seconds = float(big_project["seconds"])
    states = []
    for fraction in (0.15, 0.45, 0.75):
        proc = _start_build(config)
        time.sleep(seconds * fraction)
        _kill(proc)
        states.append((f"{fraction:.0%} of a build", _site_state(site, old, new)))
    for after in (0.02, 0.3):  # once the new site is being written beside the old one
        proc = _start_build(config)
        deadline = time.monotonic() + TIMEOUT
        while not list(root.glob(".site.new-*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        time.sleep(after)
        _kill(proc)
        states.append((f"{after} s into writing", _site_state(site, old, new), leftovers(site)))
    print(states)
    assert any(state[2] for state in states[-2:]), "no kill landed while the new site was being written"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "-q", "-f", str(config)], cwd=ROOT, timeout=TIMEOUT
    )
    assert completed.returncode == 0
    assert snapshot(site) == new
    assert leftovers(site) == []


KILL_BETWEEN_RENAMES = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, {root!r})
import marginalia.pipeline
if hasattr(marginalia.pipeline, "exchange_folders"):
    marginalia.pipeline.exchange_folders = lambda a, b: False  # the two-rename swap, as where there is no atomic exchange
real = Path.rename
def rename(self, target):
    result = real(self, target)
    if ".old-" in Path(target).name:
        os.kill(os.getpid(), signal.SIGKILL)  # the old site is aside, the new one not yet in place
    return result
Path.rename = rename
from marginalia.cli import main
sys.exit(main(["-q", "-f", {config!r}]))
"""


def test_sigkill_between_the_two_renames_is_recovered(built, tmp_path: Path) -> None:
    """Killed right after the old site was moved aside: the next build puts it back, then builds, and leaves nothing behind."""
    project, before = built
    config = write_config(project)
    site = project.root / "site"
    code = KILL_BETWEEN_RENAMES.format(root=str(ROOT), config=str(config))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=TIMEOUT, capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert not site.exists()
    retired = list(project.root.glob(".site.old-*"))
    assert len(retired) == 1 and snapshot(retired[0]) == before
    code, output = run("check", "-q", "-f", str(config))  # checking touches nothing
    assert len(list(project.root.glob(".site.old-*"))) == 1
    code, output = run("build", "-q", "-f", str(config))
    assert code == 0, output
    assert leftovers(site) == []
    assert snapshot(site) != before and "wrote more" in (site / "articles" / "a.html").read_text(encoding="utf-8")


def test_failed_content_never_touches_site(built) -> None:
    """Content with an error stops the build before writing: site/ byte-identical, no temporary folder."""
    project, before = built
    project.article("a", "Ada wrote.\n", "mentions:\n  - {entity: nobody, quote: Ada}\n")
    with pytest.raises(ContentError):
        build(project.config)
    assert snapshot(project.root / "site") == before
    assert leftovers(project.root / "site") == []


def test_check_only_reads(project) -> None:
    """`build.py check` writes nothing anywhere in the project."""
    project.article("a", "Ada wrote.\n", CLEAN)
    config = write_config(project)
    before = {p: p.stat().st_mtime_ns for p in project.root.rglob("*")}
    assert run("check", "-q", "-f", str(config))[0] == 0
    assert {p: p.stat().st_mtime_ns for p in project.root.rglob("*")} == before
    assert load_config(config).site_dir.exists() is False
