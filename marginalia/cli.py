"""The command line: build, serve, check. See `python build.py --help`."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import Config, load_config
from .errors import ConfigError, ContentError, ImportFailure, Problem
from .export import WITHOUT_SITE_URL, exports_annotations
from .lock import Busy
from .pipeline import build, check

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the annotated site from content/ into site/.",
        epilog="With no command, builds the site.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-f", "--config-file", default="mkdocs.yml", help="site configuration (default: mkdocs.yml)")
    common.add_argument("-s", "--strict", action="store_true", help="treat warnings as errors")
    common.add_argument("-q", "--quiet", action="store_true", help="print problems only")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    build_cmd = sub.add_parser("build", parents=[common], help="build the site (the default)")
    build_cmd.add_argument("-d", "--site-dir", type=Path, help="write the site here instead of site_dir")
    build_cmd.add_argument("-j", "--jobs", type=int, default=0, help="worker processes (default: one per core)")
    build_cmd.add_argument("--no-search", action="store_true", help="skip the search index (faster)")
    build_cmd.add_argument(
        "--no-cache", action="store_true", help="read every article again, and delete the build cache (.cache/)"
    )
    build_cmd.add_argument(
        "--no-wait",
        action="store_true",
        help="if another build or the dev server is writing the site, stop (exit code 3) instead of waiting for it",
    )
    serve_cmd = sub.add_parser("serve", parents=[common], help="build, serve and rebuild on every change")
    serve_cmd.add_argument(
        "-a", "--dev-addr", metavar="HOST:PORT", help="address to serve at (default: dev_addr, 127.0.0.1:8000)"
    )
    serve_cmd.add_argument("-d", "--site-dir", type=Path, help="serve from here instead of site_dir")
    serve_cmd.add_argument(
        "--no-search", action="store_true", help="skip the search index (on a large site, start in seconds)"
    )
    check_cmd = sub.add_parser("check", parents=[common], help="check the content without building")
    check_cmd.add_argument(
        "--no-cache",
        action="store_true",
        help="read every article again, instead of taking what the last build found in the unchanged ones",
    )
    import_cmd = sub.add_parser(
        "import", parents=[common], help="append W3C Web Annotations (JSON-LD) to an article's annotations"
    )
    import_cmd.add_argument(
        "file", type=Path, help="a W3C Annotation, a list of them, or an AnnotationCollection (.jsonld)"
    )
    import_cmd.add_argument(
        "--article", required=True, metavar="SLUG", help="the article they annotate (its file name without .md)"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ARGV; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0].startswith("-") and args_list[0] not in ("-h", "--help"):
        args_list.insert(0, "build")
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exit_:
        return EXIT_OK if exit_.code == 0 else EXIT_USAGE
    try:
        config = load_config(args.config_file, getattr(args, "site_dir", None))
        if args.command == "check":
            problems = check(config, use_cache=not args.no_cache)
            return _report(problems, args.strict, args.quiet, done="No problems found.")
        if args.command == "import":
            return _import(config, args.file, args.article, args.quiet)
        no_search = getattr(args, "no_search", False)
        if no_search:
            config = dataclasses.replace(config, search=False)
        if args.command == "serve":
            from .serve import serve  # the server's imports are only needed here

            host, port = _split_addr(args.dev_addr or config.dev_addr)
            return serve(config, host, port, no_search)
        result = build(config, jobs=args.jobs, strict=args.strict, use_cache=not args.no_cache, wait=not args.no_wait)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except Busy as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BUSY
    except OSError as err:  # a file that cannot be read or written: say which, without a traceback
        print(f"error: {err}", file=sys.stderr)
        return EXIT_ERRORS
    except ContentError as err:
        return _report(err.problems, args.strict, args.quiet, done="")
    code = _report(result.warnings, args.strict, args.quiet, done="")
    if code == EXIT_OK and not args.quiet:
        print(f"Built {result.pages} pages into {config.site_dir} in {result.seconds:.2f} s")
        if not exports_annotations(config):
            print(WITHOUT_SITE_URL.format(config_file=config.config_file.name), file=sys.stderr)
    return code


def _report(problems: list[Problem], strict: bool, quiet: bool, done: str) -> int:
    """Print PROBLEMS; return the exit code they call for."""
    for problem in problems:
        print(problem, file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    failed = errors or (strict and warnings)
    if problems:
        print(
            f"{errors} error(s), {warnings} warning(s)"
            + (" (--strict: warnings count as errors)" if strict and warnings else ""),
            file=sys.stderr,
        )
    elif done and not quiet:
        print(done)
    return EXIT_ERRORS if failed else EXIT_OK


def _split_addr(addr: str) -> tuple[str, int]:
    host, _, port = addr.rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"dev address {addr!r} is not HOST:PORT, e.g. 127.0.0.1:8000")
    return host.strip("[]"), int(port)


def _import(config: Config, source: Path, slug: str, quiet: bool) -> int:
    """Run `build.py import`; return the exit code (0 all imported, 1 some not, 2 usage)."""
    from .w3c_import import import_annotations  # only needed here
    from .yaml_edit import SECTIONS

    try:
        report = import_annotations(config, source, slug)
    except ImportFailure as err:
        print(f"error: {err}", file=sys.stderr)
        return err.code
    for line in report.rejected:
        print(line, file=sys.stderr)
    counts = {s: sum(e.section == s for e in report.imported) for s in SECTIONS}
    if report.written and not quiet:
        summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        print(f"Imported {len(report.imported)} annotation(s) into {report.written}: {summary}")
    if report.rejected:
        print(f"{len(report.rejected)} annotation(s) not imported", file=sys.stderr)
        return EXIT_ERRORS
    if not report.imported and not quiet:
        print("No annotations found.")
    return EXIT_OK
