"""The ``newsweave`` command: each verb is a thin shell over one public function.

Exit codes: 0 every input was read; 1 some inputs could not be read (the output covers the rest), or
``--strict`` stopped at the first; 2 usage error or the output could not be written; 3 no input could be read.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from newsweave import __version__

if TYPE_CHECKING:
    from newsweave.pipeline import DigestConfig
    from newsweave.records import Article, Problem

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_NOTHING = 0, 1, 2, 3
_EPILOG = """exit codes:
  0  every input was read
  1  some inputs could not be read (the output covers the others), or --strict stopped at the first
  2  usage error, or the output file could not be written
  3  no input could be read

INPUT is any mix of files, folders, glob patterns, http(s) URLs and - (standard input). The kind of
each input (scraped text, HTML, RSS/Atom, WARC, JSON Lines, JSON, a list of URLs; gzipped or not)
is told from its content."""


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``newsweave`` command."""
    parser = argparse.ArgumentParser(
        prog="newsweave",
        description="Turn many outlets' articles into sourced, cross-checked stories.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsweave {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    digest = _verb(verbs, "digest", "digest articles into their story (Markdown or JSON)")
    digest.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, URLs or -")
    digest.add_argument("--format", choices=("md", "json"), default="md", help="output format (default: md)")
    _add_common(digest)

    extract = _verb(verbs, "extract", "print clean articles (JSON Lines, JSON or Markdown)")
    extract.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, URLs or -")
    extract.add_argument(
        "--format", choices=("jsonl", "json", "md"), default="jsonl", help="output format (default: jsonl)"
    )
    _add_common(extract)

    read = _verb(verbs, "read", "print one input's clean article as JSON")
    read.add_argument("input", metavar="INPUT", help="a file or URL holding one article")
    _add_common(read)
    return parser


def _verb(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str
) -> argparse.ArgumentParser:
    return verbs.add_parser(
        name, help=summary, description=summary[0].upper() + summary[1:] + ".", epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--outlet", metavar="NAME", help="outlet of every input (overrides detection)")
    parser.add_argument(
        "--max-bytes", type=_positive_int, default=None, metavar="N",
        help="largest article (file, page or record) read, in bytes (default 10 MiB)",
    )  # fmt: skip
    parser.add_argument("--fetch", action="store_true", help="feeds: read each entry's linked page")
    parser.add_argument(
        "--allow-private", action="store_true", help="let URLs reach private, loopback and link-local addresses"
    )
    parser.add_argument("--strict", action="store_true", help="stop at the first input that cannot be read")
    parser.add_argument("-q", "--quiet", action="store_true", help="report nothing on standard error")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="newsweave: %(message)s")
    from newsweave.errors import InputError
    from newsweave.ingest import IngestConfig
    from newsweave.pipeline import DigestConfig

    ingest = IngestConfig(outlet=args.outlet, fetch=args.fetch, allow_private=args.allow_private)
    if args.max_bytes:
        ingest = IngestConfig(
            max_bytes=args.max_bytes, outlet=args.outlet, fetch=args.fetch, allow_private=args.allow_private
        )
    config = DigestConfig(ingest=ingest)
    try:
        if args.verb == "read":
            return _read(args, config)
        if args.verb == "extract":
            return _extract(args, config)
        return _digest(args, config)
    except InputError as error:  # --strict, or read's single input
        _report(f"error: {error}", args.quiet)
        return EXIT_PARTIAL if args.strict else EXIT_NOTHING


def _read(args: argparse.Namespace, config: DigestConfig) -> int:
    from newsweave.pipeline import read
    from newsweave.render.json import article_to_dict

    article = read(args.input, config)
    return _write(json.dumps(article_to_dict(article), ensure_ascii=False, indent=2) + "\n", args.out)


def _extract(args: argparse.Namespace, config: DigestConfig) -> int:
    from newsweave.pipeline import extract
    from newsweave.render.json import article_to_dict

    with _progress(args.quiet) as on_source:
        articles, problems = extract(args.inputs, config, strict=args.strict, on_source=on_source)
    if args.format == "jsonl":
        text = "".join(json.dumps(article_to_dict(a), ensure_ascii=False) + "\n" for a in articles)
    elif args.format == "json":
        text = json.dumps([article_to_dict(a) for a in articles], ensure_ascii=False, indent=2) + "\n"
    else:
        from newsweave.render.markdown import render_articles

        text = render_articles(articles, problems)
    return _finish(text, args, articles, problems)


def _digest(args: argparse.Namespace, config: DigestConfig) -> int:
    from newsweave.pipeline import digest

    with _progress(args.quiet) as on_source:
        result = digest(args.inputs, config, strict=args.strict, on_source=on_source)
    if args.format == "json":
        from newsweave.render.json import dumps

        text = dumps(result)
    else:
        from newsweave.render.markdown import render

        text = render(result)
    return _finish(text, args, list(result.articles), list(result.problems))


def _finish(text: str, args: argparse.Namespace, articles: list[Article], problems: list[Problem]) -> int:
    errors = [problem for problem in problems if problem.kind == "error"]
    for problem in errors:
        _report(f"error: {problem}", args.quiet)
    _report(summary_line(articles, problems), args.quiet)
    code = _write(text, args.out)
    if code != EXIT_OK:
        return code
    if not articles:
        return EXIT_NOTHING
    return EXIT_PARTIAL if errors else EXIT_OK


def summary_line(articles: Sequence[Article], problems: Sequence[Problem]) -> str:
    """Return the one-line account of a run: articles, copies folded, inputs skipped and failed, with reasons."""
    folded = sum(len(article.copies) for article in articles)
    parts = [_count(len(articles), "article"), _count(folded, "duplicate") + " folded"]
    for kind, label in (("skipped", "skipped"), ("error", "could not be read")):
        reasons = Counter(_short_reason(p.reason) for p in problems if p.kind == kind)
        if reasons:
            detail = ", ".join(f"{reason}: {count}" for reason, count in reasons.most_common())
            parts.append(f"{sum(reasons.values())} {label} ({detail})")
    return "; ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _short_reason(reason: str) -> str:
    return re.split(r"[;(]", reason, maxsplit=1)[0].strip().rstrip(",.") or reason


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str], None] | None]:
    """Yield a callback that shows the input being read, on an interactive terminal only."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as progress:  # fmt: skip
        task = progress.add_task("reading", total=None)
        count = 0

        def on_source(name: str) -> None:
            nonlocal count
            count += 1
            progress.update(task, description=f"reading input {count}: {name[-60:]}")

        yield on_source


def _write(text: str, out: Path | None) -> int:
    if out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        _report(f"error: {out}: cannot write the output ({error.strerror or error})", False)
        return EXIT_USAGE
    return EXIT_OK


def _report(message: str, quiet: bool) -> None:
    if not quiet:
        print(f"newsweave: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
