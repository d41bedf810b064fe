"""The ``newsweave`` command: each verb is a thin shell over one public function.

Exit codes: 0 every input was read; 1 some inputs could not be read (the output covers the rest), or
``--strict`` stopped at the first; 2 usage error or the output could not be written; 3 no input could be read.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

from newsweave import __version__

if TYPE_CHECKING:
    from newsweave.pipeline import DigestConfig, IngestReport
    from newsweave.records import Article, Problem
    from newsweave.summarize import SummaryConfig

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

    digest = _verb(verbs, "digest", "digest articles into their stories, or print one stored story (Markdown or JSON)")
    digest.add_argument("inputs", nargs="*", metavar="INPUT", help="files, folders, globs, URLs or -")
    digest.add_argument("--format", choices=("md", "json"), default="md", help="output format (default: md)")
    digest.add_argument("--story", metavar="ID", help="print this story of --store instead of reading inputs")
    digest.add_argument(
        "--neural", action="store_true",
        help="align statements with sentence embeddings (needs `pip install 'newsweave[neural]'`)",
    )  # fmt: skip
    digest.add_argument(
        "--words", type=_positive_int, default=120, metavar="N", help="word budget of each summary (default 120)"
    )
    digest.add_argument(
        "--llm-url", metavar="URL",
        help="write summaries with this OpenAI-compatible server (e.g. http://127.0.0.1:8080/v1); its "
        "sentences are checked against the facts and unsupported ones dropped. Key: $NEWSWEAVE_LLM_API_KEY",
    )  # fmt: skip
    digest.add_argument("--llm-model", default="default", metavar="NAME", help="model name sent to --llm-url")
    _add_store(digest)
    _add_common(digest)

    ingest = _verb(verbs, "ingest", "add articles to the store, group them into stories, report what changed")
    ingest.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, URLs or -")
    _add_store(ingest)
    ingest.add_argument(
        "--batch-size", type=_positive_int, default=500, metavar="N",
        help="documents per transaction (default 500); a killed run resumes from the last whole batch",
    )  # fmt: skip
    ingest.add_argument(
        "--dask", metavar="ADDRESS", default=None,
        help="read and clean on a Dask cluster: a scheduler address, or local[:N] for N local worker processes "
        "(needs `pip install 'newsweave[dask]'`); the stories are the same as without it",
    )  # fmt: skip
    ingest.add_argument(
        "--no-digests", action="store_true",
        help="do not compute the changed stories' digests now (readers then compute each on first view)",
    )  # fmt: skip
    ingest.add_argument(
        "--serial", action="store_true",
        help="read and clean in this process (default: in a second one for inputs of several MiB)",
    )  # fmt: skip
    ingest.add_argument("--no-second-look", action="store_true", help=_SECOND_LOOK_HELP)
    _add_common(ingest)

    stories = _verb(verbs, "stories", "list the stored stories, or group INPUT articles into stories")
    stories.add_argument("inputs", nargs="*", metavar="INPUT", help="cluster these instead of reading the store")
    _add_store(stories)
    stories.add_argument("--since", metavar="DATE", help="stories with an article published on or after DATE")
    stories.add_argument(
        "--format", choices=("table", "json", "jsonl"), default=None,
        help="output format (default: table for the store, jsonl, one line per article, for INPUT)",
    )  # fmt: skip
    stories.add_argument("--stream", action="store_true", help="INPUT: assign articles one at a time, in order")
    stories.add_argument("--no-second-look", action="store_true", help=f"with --stream: {_SECOND_LOOK_HELP}")
    _add_common(stories)

    extract = _verb(verbs, "extract", "print clean articles (JSON Lines, JSON or Markdown)")
    extract.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, URLs or -")
    extract.add_argument(
        "--format", choices=("jsonl", "json", "md"), default="jsonl", help="output format (default: jsonl)"
    )
    _add_common(extract)

    serve = _verb(verbs, "serve", "open the store in a browser: stories, summaries, facts, quotes; and the HTTP API")
    _add_store(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)")
    serve.add_argument("--port", type=_positive_int, default=8000, help="port (default 8000)")
    serve.add_argument(
        "--token", default=None,
        help="token every write must carry (default: $NEWSWEAVE_TOKEN); required off loopback",
    )  # fmt: skip
    _add_common(serve)

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


DEFAULT_STORE = Path("newsweave.db")


_SECOND_LOOK_HELP = (
    "do not split groups of related articles into stories again as they grow (faster, worse stories on "
    "ECB+; see the README's Stories section)"
)


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", type=Path, default=None, metavar="PATH", help=f"the store file (default: ./{DEFAULT_STORE})"
    )


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
    if getattr(args, "no_second_look", False):
        from newsweave.cluster import ClusterConfig

        config = dataclasses.replace(config, cluster=ClusterConfig(second_look=False))
    if getattr(args, "neural", False):
        from newsweave.crosscheck import CrossCheckConfig

        config = dataclasses.replace(config, crosscheck=CrossCheckConfig(method="neural"))
    if args.verb == "digest":
        config = dataclasses.replace(config, summary=_summary_config(args))
    from newsweave.store import StoreError

    verbs: dict[str, Callable[[argparse.Namespace, DigestConfig], int]] = {
        "read": _read, "extract": _extract, "digest": _digest, "ingest": _ingest, "stories": _stories,
        "serve": _serve,
    }  # fmt: skip
    import sqlite3

    from newsweave.errors import NewsweaveError

    unused = _unused_options(args)
    if unused:
        _report(f"error: {unused}", args.quiet)
        return EXIT_USAGE
    try:
        return verbs[args.verb](args, config)
    except StoreError as error:
        _report(f"error: {error}", args.quiet)
        return EXIT_USAGE
    except InputError as error:  # --strict, or read's single input
        _report(f"error: {error}", args.quiet)
        return EXIT_PARTIAL if args.strict else EXIT_NOTHING
    except sqlite3.Error as error:  # a locked or damaged store file
        _report(f"error: {getattr(args, 'store', None) or DEFAULT_STORE}: {error}", args.quiet)
        return EXIT_USAGE
    except NewsweaveError as error:
        _report(f"error: {error}", args.quiet)
        return EXIT_NOTHING


def _serve(args: argparse.Namespace, config: DigestConfig) -> int:
    try:
        import uvicorn

        from newsweave.web.app import WebConfig, create_app, is_loopback
    except ImportError as error:
        _report(f"error: serve needs the web extra: pip install 'newsweave[web]' ({error})", args.quiet)
        return EXIT_USAGE
    token = args.token or os.environ.get("NEWSWEAVE_TOKEN") or None
    if not is_loopback(args.host) and not token:
        _report(
            f"error: serving on {args.host} lets other machines write to the store; give --token TOKEN "
            "(or set NEWSWEAVE_TOKEN), or serve on 127.0.0.1",
            args.quiet,
        )
        return EXIT_USAGE
    store = args.store or DEFAULT_STORE
    from newsweave.store import open_store

    open_store(store).close()  # create or upgrade it now: the server only reads
    app = create_app(WebConfig(store=Path(store), token=token, allow_private=args.allow_private, digest=config))
    if not args.quiet:
        print(f"newsweave: serving {store} on http://{args.host}:{args.port}/", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def _summary_config(args: argparse.Namespace) -> SummaryConfig:
    from newsweave.summarize import LLMConfig, SummaryConfig

    llm = None
    if args.llm_url:
        llm = LLMConfig(url=args.llm_url, model=args.llm_model, api_key=os.environ.get("NEWSWEAVE_LLM_API_KEY"))
    return SummaryConfig(words=args.words, llm=llm)


def _unused_options(args: argparse.Namespace) -> str | None:
    """Say which given option the chosen form of a verb would ignore."""
    inputs = bool(getattr(args, "inputs", None))
    if args.verb == "digest" and inputs and args.store is not None:
        return "digest reads INPUT or --store, not both (use `newsweave ingest INPUT --store PATH` to store)"
    if args.verb == "stories" and inputs and (args.store is not None or args.since):
        return "stories INPUT clusters INPUT without a store: --store and --since apply to the stored stories"
    if args.verb == "stories" and not inputs and args.stream:
        return "--stream applies to `stories INPUT` (the store is always built as a stream)"
    if args.verb == "stories" and args.no_second_look and not (inputs and args.stream):
        return "--no-second-look applies to `stories INPUT --stream` and to `ingest` (the batch always looks twice)"
    if args.verb == "stories" and args.since and _since(args.since) is None:
        return f"--since {args.since!r} is not a date; write it as YYYY-MM-DD"
    return None


def _since(text: str) -> str | None:
    """``--since`` as the store's UTC ISO form, or None when it is not a date."""
    from newsweave.dates import comparable, parse_iso

    moment = parse_iso(text)
    return comparable(moment).isoformat() if moment is not None else None


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
    from newsweave.pipeline import digest, stored_digest

    if args.inputs and args.story:
        _report("error: give either INPUT or --story, not both", args.quiet)
        return EXIT_USAGE
    if args.story or (not args.inputs and args.store is not None):
        store = args.store or DEFAULT_STORE
        result = stored_digest(store, [args.story] if args.story else None, config)
    elif not args.inputs:
        _report("error: give INPUT files to digest, --store PATH for every stored story, or --story ID", args.quiet)
        return EXIT_USAGE
    else:
        with _progress(args.quiet) as on_source:
            result = digest(args.inputs, config, strict=args.strict, on_source=on_source)
    if args.format == "json":
        from newsweave.render.json import dumps

        text = dumps(result)
    else:
        from newsweave.render.markdown import render

        text = render(result)
    if args.story or not args.inputs:  # read from the store: nothing was read, nothing to account for
        return _write(text, args.out)
    return _finish(text, args, list(result.articles), list(result.problems))


def _ingest(args: argparse.Namespace, config: DigestConfig) -> int:
    from newsweave.pipeline import ingest

    client = None
    if args.dask:
        from newsweave.scale import client_for

        client = client_for(args.dask)  # DaskMissingError names the extra to install
    try:
        with _progress(args.quiet) as on_source:
            report = ingest(
                args.inputs, args.store or DEFAULT_STORE, config,
                batch_size=args.batch_size, strict=args.strict, on_source=on_source,
                parallel=False if args.serial else None,  # None: a second process for inputs of several MiB
                client=client, digests=not args.no_digests,
            )  # fmt: skip
    finally:
        if client is not None:
            cluster = client.cluster
            client.close()  # type: ignore[no-untyped-call]
            if cluster is not None and args.dask.startswith("local"):
                cluster.close()
    for problem in report.problems:
        if problem.kind == "error":
            _report(f"error: {problem}", args.quiet)
    code = _write(change_report(report, args.store or DEFAULT_STORE), args.out)
    if code != EXIT_OK:
        return code
    errors = any(problem.kind == "error" for problem in report.problems)
    if errors and not (report.added or report.known or report.folded):
        return EXIT_NOTHING
    return EXIT_PARTIAL if errors else EXIT_OK


def change_report(report: IngestReport, store: Path) -> str:
    """Return what an ingest changed, as the CLI prints it."""
    copies = "copy" if report.folded == 1 else "copies"
    lines = [
        f"{store}: {_count(report.added, 'new article')}, {report.folded} {copies} folded, "
        f"{_count(report.known, 'article')} already stored"
    ]
    skipped = sum(1 for p in report.problems if p.kind == "skipped")
    failed = sum(1 for p in report.problems if p.kind == "error")
    if skipped or failed:
        lines[0] += f"; {skipped} skipped, {failed} could not be read"
    new = [c for c in report.changes if c.kind == "new"]
    grew = [c for c in report.changes if c.kind == "grew"]
    merged = [c for c in report.changes if c.kind == "merged"]
    if not (new or grew or merged):
        lines.append("nothing new")
    if new:
        lines.append(f"new stories ({len(new)}):")
        lines += [f"  {c.story_id}  {report.titles.get(c.story_id) or '(untitled)'}  "
                  f"[{_count(c.articles, 'article')}; {', '.join(c.outlets)}]" for c in new]  # fmt: skip
    if grew:
        lines.append(f"stories that grew ({len(grew)}):")
        for c in grew:
            outlets = f", new outlets: {', '.join(c.outlets)}" if c.outlets else ""
            lines.append(f"  {c.story_id}  {report.titles.get(c.story_id) or '(untitled)'}  [+{c.articles}{outlets}]")
    if merged:
        lines.append(f"stories merged ({len(merged)}):")
        lines += [f"  {', '.join(c.outlets)} -> {c.story_id}" for c in merged]
    if report.conflicts:
        lines.append(f"new conflicts ({sum(report.conflicts.values())}):")
        lines += [f"  {story_id}  {report.titles.get(story_id) or '(untitled)'}  [{_count(count, 'conflict')}]"
                  for story_id, count in report.conflicts.items()]  # fmt: skip
    if report.digests:
        lines.append(f"{_count(report.digests, 'story digest')} computed and stored")
    return "\n".join(lines) + "\n"


def _stories(args: argparse.Namespace, config: DigestConfig) -> int:
    if args.inputs:
        return _stories_of_inputs(args, config)
    from newsweave.store import open_store

    with open_store(args.store or DEFAULT_STORE, readonly=True) as db, db.snapshot():
        rows = db.stories(_since(args.since) if args.since else None)
        counts = db.fact_counts()
    fmt = args.format or "table"
    records = [
        {
            "id": row.id, "title": row.title, "articles": row.articles, "outlets": list(row.outlets),
            "first_date": row.first_date, "last_date": row.last_date,
            # None until a digest of this version of the story is stored (`ingest --no-digests`)
            "facts": counts.get(row.id),
        }
        for row in rows
    ]  # fmt: skip
    text = _as_json(records, fmt) if fmt in ("json", "jsonl") else _story_table(records)
    return _write(text, args.out)


def _as_json(records: Sequence[Mapping[str, object]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(list(records), ensure_ascii=False, indent=2) + "\n"
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def _story_table(records: Sequence[Mapping[str, object]]) -> str:
    if not records:
        return "no stories (add some with `newsweave ingest INPUT`)\n"
    columns = f"{'story':16}  {'arts':>4}  {'outl':>4}  {'facts c/u/x':>11}  {'first':10}  {'last':10}"
    header = f"{columns}  headline / outlets"
    lines = [header, "-" * len(header)]
    for r in records:
        outlets = cast(list[str], r["outlets"])
        first = str(r["first_date"] or "")[:10]
        last = str(r["last_date"] or "")[:10]
        facts = cast(dict[str, int] | None, r.get("facts"))
        statuses = ("corroborated", "unique", "conflicting")
        shown = "/".join(str(facts.get(status, 0)) for status in statuses) if facts else "-"
        counts = f"{r['articles']!s:>4}  {len(outlets):>4}  {shown:>11}"
        lines.append(f"{r['id']!s:16}  {counts}  {first:10}  {last:10}  {r['title'] or ''}")
        lines.append(f"{'':16}  {'':>4}  {'':>4}  {'':>11}  {'':10}  {'':10}  {', '.join(outlets)}")
    lines.append("facts c/u/x: corroborated / unique to one outlet / conflicting, from the stored digest")
    return "\n".join(lines) + "\n"


def _stories_of_inputs(args: argparse.Namespace, config: DigestConfig) -> int:
    from newsweave.pipeline import assign_stories, read_all

    with _progress(args.quiet) as on_source:
        articles, problems = read_all(args.inputs, config, strict=args.strict, on_source=on_source)
    labels = assign_stories(articles, config, stream=args.stream)
    records = [
        {
            "id": article.source_id or article.id, "story": story, "outlet": article.outlet, "title": article.title,
            "date_publish": article.date_publish.isoformat() if article.date_publish else None, "url": article.url,
        }
        for article, story in zip(articles, labels, strict=True)
    ]  # fmt: skip
    fmt = args.format or "jsonl"
    if fmt in ("json", "jsonl"):
        text = _as_json(records, fmt)
    else:
        sizes = Counter(labels)
        titles: dict[str, str] = {}
        for article, label in zip(articles, labels, strict=True):
            titles.setdefault(label, article.title or "(untitled)")
        text = "".join(f"{story}  {sizes[story]:>4}  {title}\n" for story, title in titles.items())
    return _finish(text, args, articles, problems)


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
