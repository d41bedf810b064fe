"""The ``newsweave`` command: each verb is a thin shell over one public function.

Exit codes: 0 every input was read; 1 some inputs could not be read (the digest covers the rest);
2 usage error or the output could not be written; 3 no input could be read.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from newsweave import __version__

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_NOTHING = 0, 1, 2, 3
_EPILOG = """exit codes:
  0  every input was read
  1  some inputs could not be read; the digest covers the others
  2  usage error, or the output file could not be written
  3  no input could be read"""


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

    digest = verbs.add_parser(
        "digest",
        help="digest articles into stories (Markdown or JSON)",
        description="Read articles (files, folders, glob patterns) and print the digest of their story.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    digest.add_argument("paths", nargs="+", metavar="PATH", help="article files, folders or glob patterns")
    digest.add_argument("--format", choices=("md", "json"), default="md", help="output format (default: md)")
    _add_common(digest)

    read = verbs.add_parser(
        "read",
        help="print one file's clean article as JSON",
        description="Read one file and print its clean article and metadata as JSON (news-please field names).",
    )
    read.add_argument("path", metavar="PATH")
    _add_common(read)
    return parser


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    parser.add_argument("--outlet", metavar="NAME", help="outlet of every input (overrides detection)")
    parser.add_argument(
        "--max-bytes", type=_positive_int, default=None, metavar="N", help="largest input file read (default 10 MiB)"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="do not report problems on standard error")


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

    ingest = IngestConfig(outlet=args.outlet)
    if args.max_bytes:
        ingest = IngestConfig(max_bytes=args.max_bytes, outlet=args.outlet)
    config = DigestConfig(ingest=ingest)
    if args.verb == "read":
        from newsweave.pipeline import read
        from newsweave.render.json import article_to_dict

        try:
            article = read(args.path, config)
        except InputError as error:
            _report(f"error: {error}", args.quiet)
            return EXIT_NOTHING
        import json

        return _write(json.dumps(article_to_dict(article), ensure_ascii=False, indent=2) + "\n", args.out)
    return _digest(args, config)


def _digest(args: argparse.Namespace, config: object) -> int:
    from newsweave.pipeline import DigestConfig, digest

    assert isinstance(config, DigestConfig)
    result = digest(args.paths, config)
    if args.format == "json":
        from newsweave.render.json import dumps

        text = dumps(result)
    else:
        from newsweave.render.markdown import render

        text = render(result)
    errors = [problem for problem in result.problems if problem.kind == "error"]
    skipped = [problem for problem in result.problems if problem.kind == "skipped"]
    for problem in errors:
        _report(f"error: {problem}", args.quiet)
    if skipped:
        _report(
            f"skipped {len(skipped)} file(s) that are not articles: " + ", ".join(p.source for p in skipped), args.quiet
        )
    read_count = len(result.articles)
    if errors:
        _report(f"read {read_count} article(s); {len(errors)} input(s) could not be read", args.quiet)
    code = _write(text, args.out)
    if code != EXIT_OK:
        return code
    if read_count == 0:
        return EXIT_NOTHING
    return EXIT_PARTIAL if errors else EXIT_OK


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
