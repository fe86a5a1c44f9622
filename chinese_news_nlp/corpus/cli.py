"""``cnnlp process``: the command line of :func:`chinese_news_nlp.corpus.process`.

The lead's ``chinese_news_nlp.cli`` adds these arguments to its ``process``
subcommand and calls :func:`run_process`; ``python -m
chinese_news_nlp.corpus.cli`` runs the same thing alone.

Exit status: 0 every document processed, 1 some documents failed (each is in
the output with its error), 2 bad usage (unknown stage, missing input...).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..errors import ChineseNewsNLPError, InputError
from .runner import DEFAULT_TIMEOUT, ENGINES

EXAMPLES = """examples:
  cnnlp process seeds -o out/seeds.jsonl
  cnnlp process corpus/ news.jsonl -o out/ --format parquet --workers 4
  cnnlp process corpus/ -o out/shards --engine dask --scheduler tcp://10.0.0.5:8786
  cat docs.jsonl | cnnlp process - -o out/docs.jsonl --stages repair,convert,segment
  cnnlp process corpus/ -o out/corpus.jsonl --resume     # after a crash: skips what is written
  cnnlp process pages/ -o out/pages.jsonl --dedup        # .html pages too; reposts marked
"""


def add_process_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``cnnlp process`` (see :func:`chinese_news_nlp.corpus.process`)."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EXAMPLES
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT",
        help="folders (*.txt, *.html, recursively, any encoding), .txt, .html, .jsonl (text or html, id, date), .parquet, or - for JSONL on stdin",
    )  # fmt: skip
    parser.add_argument("-o", "--output", required=True, help="OUT.jsonl, or a folder (Parquet tables, Dask shards)")
    parser.add_argument("--format", choices=("jsonl", "parquet"), help="default: jsonl for *.jsonl, else parquet")
    parser.add_argument(
        "--workers", type=int, help="worker processes (default 1), or Dask LocalCluster workers (default 2)"
    )
    parser.add_argument("--engine", choices=ENGINES, default="local", help="local processes (default) or Dask")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address; default: start a LocalCluster")
    parser.add_argument("--resume", action="store_true", help="skip documents already in the output")
    parser.add_argument(
        "--stages", help="comma-separated stage names (default: repair,convert,zones,segment,entities,facts)"
    )
    parser.add_argument("--batch-size", type=int, default=16, help="documents per batch sent to a worker")
    parser.add_argument("--date", help="publication date (ISO) for documents that have none; resolves relative years")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT,
        help=f"seconds per document and stage before it is recorded as timed out (default {DEFAULT_TIMEOUT:g}; 0: none)",
    )  # fmt: skip
    parser.add_argument("--max-chars", type=int, default=2_000_000, help="longer documents are recorded as errors")
    parser.add_argument("--tokens", action="store_true", help="Parquet: also write the tokens table")
    parser.add_argument(
        "--code", action="append", default=[], metavar="FILE.py", help="Python file registering custom stages"
    )
    parser.add_argument(
        "--config", type=json.loads, default={}, metavar="JSON",
        help='per-stage options, as in load(): \'{"segment": {"engine": "lac"}}\'',
    )  # fmt: skip
    parser.add_argument(
        "--dedup", action="store_true",
        help="mark near-duplicates (reposts): each gets the id of the earlier document and the similarity",
    )  # fmt: skip
    parser.add_argument("--summary-json", metavar="FILE", help="also write the summary as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar or log lines")


def run_process(args: argparse.Namespace) -> int:
    """Run ``cnnlp process``; return the exit status."""
    from .records import DEFAULT_TABLES
    from .runner import process

    tables = (*DEFAULT_TABLES, "tokens") if args.tokens else DEFAULT_TABLES
    try:
        summary = process(
            args.inputs,
            args.output,
            format=args.format,
            stages=args.stages,
            workers=args.workers,
            engine=args.engine,
            scheduler=args.scheduler,
            resume=args.resume,
            batch_size=args.batch_size,
            date=args.date,
            timeout=args.timeout,
            max_chars=args.max_chars,
            tables=tables,
            code=args.code,
            config=args.config,
            progress=not args.quiet,
            dedup=args.dedup,
        )
    except (InputError, ChineseNewsNLPError, ImportError, OSError) as exc:
        print(f"cnnlp process: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cnnlp process: interrupted; run again with --resume to continue", file=sys.stderr)
        return 130
    print(summary)
    if args.summary_json:
        with open(args.summary_json, "w", encoding="utf-8") as fh:
            json.dump(summary.to_dict(), fh, ensure_ascii=False, indent=2)
    return 1 if summary.errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cnnlp process", description="Run the pipeline over a corpus.")
    add_process_arguments(parser)
    return run_process(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
