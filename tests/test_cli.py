"""The command line: exit codes, messages, and a build that never half-writes."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

import build as build_script
from marginalia import pipeline, workers
from marginalia.cli import main

ROOT = Path(__file__).resolve().parent.parent


def write_config(project) -> Path:
    config = project.root / "mkdocs.yml"
    config.write_text(
        "site_name: Test\ndocs_dir: content\nsite_dir: site\n"
        f"extra:\n  marginalia:\n    templates_dir: {ROOT / 'templates'}\n",
        encoding="utf-8",
    )
    return config


def test_build_writes_every_page(project, capsys) -> None:
    """`build.py` builds the home, article, glossary, entity, timeline, claims and sources pages, the pages of
    the lists by month and by source, of each verdict, and of the glossary by letter and kind."""
    project.article("a", "Ada wrote.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    assert build_script.main(["-f", str(write_config(project))]) == 0
    site = project.root / "site"
    expected = {"index.html", "articles/a.html", "glossary.html", "timeline.html", "claims.html", "sources.html"}
    expected |= {f"entities/{e}.html" for e in ("ada", "london", "engine")}
    expected |= {"archive/2020-03.html", "sources/notes.html"}
    expected |= {f"claims/{verdict}.html" for verdict in ("false", "disputed", "confirmed", "reported")}
    expected |= {f"glossary/{key}.html" for key in ("a", "l", "person", "place", "concept")}
    assert expected == {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    assert "Built 20 pages" in capsys.readouterr().out


def test_check_reports_in_compiler_style_and_exits_1(project, capsys) -> None:
    """Problems print as path:line:col: error[CODE]: message, with a hint line."""
    path = project.article("a", "Ada wrote.\n", "mentions:\n  - {entity: ada, quote: Adda}\n")
    assert main(["check", "-f", str(write_config(project))]) == 1
    err = capsys.readouterr().err
    assert f"{path.with_suffix('.yml')}:2:5: error[M301]: the quote 'Adda' is not in the article" in err
    assert "  hint: closest passage, line 6 of a.md: 'Ada'" in err
    assert "1 error(s), " in err


CLEAN = "mentions:\n  - {entity: ada, quote: Ada}\n  - {entity: engine, quote: engine}\n  - {entity: london, quote: London}\n"


def test_clean_check_exits_0(project, capsys) -> None:
    """No problems: exit 0 and say so."""
    project.article("a", "Ada saw the engine in London.\n", CLEAN)
    assert main(["check", "-f", str(write_config(project))]) == 0
    assert "No problems found." in capsys.readouterr().out


def test_warnings_fail_only_with_strict(project, capsys) -> None:
    """A warning does not fail a build; --strict makes it fail."""
    project.article("a", "Ada saw the engine in London.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    config = str(write_config(project))
    assert main(["check", "-f", config]) == 0
    assert main(["check", "--strict", "-f", config]) == 1
    assert "(--strict: warnings count as errors)" in capsys.readouterr().err


def test_usage_errors_exit_2(project, capsys) -> None:
    """An unknown option or a missing config file is a usage error."""
    assert main(["build", "--no-such-option"]) == 2
    assert main(["check", "-f", str(project.root / "missing.yml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_failed_build_leaves_the_previous_site(project) -> None:
    """Bad content stops the build before anything is written."""
    config = write_config(project)
    project.article("a", "Ada wrote.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    assert main(["-q", "-f", str(config)]) == 0
    before = {p: p.read_bytes() for p in (project.root / "site").rglob("*") if p.is_file()}
    project.article("a", "Ada wrote.\n", "mentions:\n  - {entity: ada, quote: Nobody}\n")
    assert main(["-q", "-f", str(config)]) == 1
    after = {p: p.read_bytes() for p in (project.root / "site").rglob("*") if p.is_file()}
    assert after == before


def test_exception_while_writing_leaves_the_previous_site(project, monkeypatch) -> None:
    """A crash in the middle of writing pages leaves site/ as it was, and no staging folder."""
    config = write_config(project)
    project.article("a", "Ada wrote.\n")
    assert main(["-q", "-f", str(config)]) == 0
    site = project.root / "site"
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    calls = {"n": 0}
    real_write = Path.write_text

    def failing_write(self: Path, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing_write)
    with pytest.raises(OSError):
        pipeline.build(project.config.__class__(**{**project.config.__dict__, "site_dir": site}))
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before
    assert [p.name for p in project.root.iterdir() if p.name.startswith(".site")] == []


def test_mkdocs_build_names_the_right_command(tmp_path) -> None:
    """`mkdocs build` must not make an unannotated site silently: it stops and says what to run."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert "python build.py" in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


def test_edit_links_follow_repo_url_and_edit_uri(project) -> None:
    """With repo_url and edit_uri set, article and entity pages link to their source files."""
    project.article("a", "Ada wrote.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    config = write_config(project)
    config.write_text(
        config.read_text() + "repo_url: https://github.com/example/news\nedit_uri: edit/main/content/\n",
        encoding="utf-8",
    )
    assert main(["-q", "-f", str(config)]) == 0
    article = (project.root / "site/articles/a.html").read_text()
    assert 'href="https://github.com/example/news/edit/main/content/articles/a.md"' in article
    assert 'href="https://github.com/example/news/edit/main/content/articles/a.yml"' in article
    assert "https://github.com/example/news/issues/new?title=Correction%3A+Title+of+a" in article
    entity = (project.root / "site/entities/ada.html").read_text()
    assert 'href="https://github.com/example/news/edit/main/content/entities.yml"' in entity


def test_no_edit_links_without_repo_url(project) -> None:
    """Without repo_url, no edit link is made up."""
    project.article("a", "Ada wrote.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    assert main(["-q", "-f", str(write_config(project))]) == 0
    assert "edit-links" not in (project.root / "site/articles/a.html").read_text()


def test_leftovers_of_a_killed_build_are_cleaned(project) -> None:
    """A staging folder left by a killed build goes; a site retired mid-swap comes back first."""
    config = write_config(project)
    project.article("a", "Ada wrote.\n")
    assert main(["-q", "-f", str(config)]) == 0
    site = project.root / "site"
    (project.root / ".site.new-99999").mkdir()
    site.rename(project.root / ".site.old-99999")  # killed between the two renames
    project.write("articles/a.md", "not even front matter")
    assert main(["-q", "-f", str(config)]) == 1  # this build fails, but first puts the old site back
    assert (site / "articles/a.html").is_file()
    project.article("a", "Ada wrote.\n")
    assert main(["-q", "-f", str(config)]) == 0
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".site")) == []
    assert (site / "articles/a.html").is_file()


def test_output_is_deterministic(project) -> None:
    """Two builds of the same content are byte-identical."""
    config = write_config(project)
    project.article("a", "Ada saw the engine in London.\n", CLEAN)
    sites = []
    for name in ("one", "two"):
        assert main(["-q", "-f", str(config), "-d", str(project.root / name)]) == 0
        sites.append(
            {
                p.relative_to(project.root / name): p.read_bytes()
                for p in (project.root / name).rglob("*")
                if p.is_file()
            }
        )
    assert sites[0] == sites[1]


def test_worker_count() -> None:
    """--jobs is honoured on a large site; a small one is built in one process whatever is asked."""
    assert workers.count(3, workers.PARALLEL_FROM) == 3
    assert workers.count(0, workers.PARALLEL_FROM) >= 1
    assert workers.count(8, workers.PARALLEL_FROM - 1) == 1


@pytest.mark.parametrize(("flags", "search"), [([], True), (["--no-search"], False)])
def test_serve_no_search_starts_the_dev_server_without_the_search_index(
    project, monkeypatch: pytest.MonkeyPatch, flags: list[str], search: bool
) -> None:
    """`serve --no-search` hands the dev server a configuration without the search index (a large site's
    slowest step); plain `serve` keeps it."""
    import marginalia.serve

    served = []
    monkeypatch.setattr(
        marginalia.serve, "serve", lambda config, host, port, no_search: served.append((config, no_search)) or 0
    )
    assert main(["serve", "-f", str(write_config(project)), *flags]) == 0
    assert [(config.search, no_search) for config, no_search in served] == [(search, not search)]


def test_serve_no_search_holds_when_mkdocs_yml_changes(project) -> None:
    """The dev server reads mkdocs.yml again when it changes: --no-search must not be lost then."""
    from marginalia.config import load_config
    from marginalia.live import LiveSite

    project.article("a", "Ada wrote.\n", "mentions:\n  - {entity: ada, quote: Ada}\n")
    config_file = write_config(project)
    site = LiveSite(dataclasses.replace(load_config(config_file), search=False), no_search=True)
    assert not site.rebuild().failed
    config_file.write_text(config_file.read_text(encoding="utf-8").replace("Test", "Renamed"), encoding="utf-8")
    assert not site.rebuild().failed
    assert "Renamed" in (project.root / "site/index.html").read_text(encoding="utf-8")
    assert not site.config.search
    assert not (project.root / "site/pagefind").exists()
