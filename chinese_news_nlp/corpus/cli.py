"""``cnnlp process``: the command line of :func:`chinese_news_nlp.corpus.process`.

The lead's ``chinese_news_nlp.cli`` adds these arguments to its ``process``
subcommand and calls :func:`run_process`; ``python -m
chinese_news_nlp.corpus.cli`` runs the same thing alone.

Every option is checked before the first document is read: a bad ``--date``,
``--timeout``, ``--config``, stage or output name stops the run with status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from ..decode import parse_date
from ..errors import ChineseNewsNLPError, InputError
from .runner import DEFAULT_TIMEOUT, ENGINES

EXIT_STATUS = """exit status:
  0    every document was processed
  1    some documents failed; each is in the output with its error, and the summary lists them
  2    bad usage: an unknown stage, option or input, a bad --date/--timeout/--config, an output
       whose format is unclear, a --resume that does not match the output's run
  130  interrupted (Ctrl-C); run again with --resume to continue
"""

EXAMPLES = (
    """examples:
  cnnlp process seeds -o out/seeds.jsonl
  cnnlp process corpus/ news.jsonl -o out/ --format parquet --workers 4
  cnnlp process corpus/ -o out/shards --engine dask --scheduler tcp://10.0.0.5:8786
  cat docs.jsonl | cnnlp process - -o out/docs.jsonl --stages repair,convert,segment
  cnnlp process corpus/ -o out/corpus.jsonl --resume     # after a crash: skips what is written
  cnnlp process corpus/ more/ -o out/corpus.jsonl --resume --allow-new-inputs   # and adds more/
  cnnlp process pages/ -o out/pages.jsonl --dedup        # .html pages too; reposts marked

"""
    + EXIT_STATUS
)


def iso_date(value: str) -> str:
    try:
        return parse_date(value)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if number < 0 or math.isnan(number):
        raise argparse.ArgumentTypeError(f"{value!r}: a time-out is a positive number of seconds, or 0 for none")
    return number


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: must be at least 1")
    return number


def worker_count(value: str) -> int | str:
    """``--workers``: a whole number, or ``auto``."""
    return "auto" if value.strip().lower() == "auto" else positive_int(value)


def json_config(value: str) -> dict:
    try:
        config = json.loads(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc}): {value!r}") from None
    if not isinstance(config, dict):
        raise argparse.ArgumentTypeError(
            f'a JSON object of stage options, e.g. {{"segment": {{"engine": "lac"}}}}, not {value!r}'
        )
    return config


def add_process_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``cnnlp process`` (see :func:`chinese_news_nlp.corpus.process`)."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EXAMPLES
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT",
        help="folders (*.txt, *.html, recursively, any encoding), .txt, .html, .jsonl (text or html, id, date), .json (an array of such records, one record, or an object whose one list field holds them: {\"data\": [...]}), .parquet, or - for standard input (JSONL, or one JSON array or object)",
    )  # fmt: skip
    parser.add_argument(
        "-o", "--output", required=True,
        help="OUT.jsonl, or a folder or OUT.parquet (Parquet tables; Dask shards); another extension needs --format",
    )  # fmt: skip
    parser.add_argument(
        "--format",
        choices=("jsonl", "parquet"),
        help="default: from the output's name (.jsonl: jsonl; a folder: parquet)",
    )
    parser.add_argument(
        "--workers", type=worker_count, default="auto", metavar="N|auto",
        help="auto (default): a worker process per core when the input is large enough, else one process; "
        "N: N processes; either: one process when other programs leave less than half a core free; "
        "with --engine dask, LocalCluster workers (auto: 2)",
    )  # fmt: skip
    parser.add_argument("--engine", choices=ENGINES, default="local", help="local processes (default) or Dask")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address; default: start a LocalCluster")
    parser.add_argument(
        "--resume", action="store_true",
        help="skip documents already in the output (refused if it was written from other inputs or options)",
    )  # fmt: skip
    parser.add_argument(
        "--allow-new-inputs", action="store_true", help="with --resume: inputs the first run did not have are added"
    )
    parser.add_argument(
        "--stages", help="comma-separated stage names (default: repair,convert,zones,segment,entities,facts)"
    )
    parser.add_argument("--batch-size", type=positive_int, default=16, help="documents per batch sent to a worker")
    parser.add_argument(
        "--date",
        type=iso_date,
        help="publication date (ISO, YYYY-MM-DD) for documents that have none; resolves 今年, 去年",
    )
    parser.add_argument(
        "--timeout", type=seconds, default=DEFAULT_TIMEOUT,
        help=f"seconds per document and stage before it is recorded as timed out (default {DEFAULT_TIMEOUT:g}; 0: none)",
    )  # fmt: skip
    parser.add_argument(
        "--max-chars", type=positive_int, default=2_000_000,
        help="longer documents are recorded as errors (default 2,000,000); long ones are processed in pieces",
    )  # fmt: skip
    parser.add_argument("--tokens", action="store_true", help="Parquet: also write the tokens table")
    parser.add_argument(
        "--code", action="append", default=[], metavar="FILE.py", help="Python file registering custom stages"
    )
    parser.add_argument(
        "--config", type=json_config, default={}, metavar="JSON",
        help='per-stage options, as in load(): \'{"segment": {"engine": "lac"}}\'',
    )  # fmt: skip
    parser.add_argument(
        "--dedup", action="store_true",
        help="mark near-duplicates (reposts): each gets the id of the earlier document and the similarity",
    )  # fmt: skip
    parser.add_argument("--summary-json", metavar="FILE", help="also write the summary as JSON")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing but errors (no progress, no summary; see the exit status)",
    )


def _note_unread_record_files(inputs: list[str]) -> None:
    """Say on stderr (even with -q) which record files the folder inputs hold and do not read."""
    import os

    from .readers import unread_record_files

    for folder in inputs:
        if folder != "-" and os.path.isdir(folder):
            found = unread_record_files(folder)
            if found:
                more = f" and {len(found) - 1} more" if len(found) > 1 else ""
                print(
                    f"cnnlp process: note: {folder} holds record files a folder input does not read "
                    f"(only its *.txt and *.html): {found[0]}{more}; give them as inputs to read them",
                    file=sys.stderr,
                )


def run_process(args: argparse.Namespace) -> int:
    """Run ``cnnlp process``; return the exit status."""
    from .records import DEFAULT_TABLES
    from .runner import process

    tables = (*DEFAULT_TABLES, "tokens") if args.tokens else DEFAULT_TABLES
    if args.engine == "dask" and not args.scheduler:
        # After a kill -9 of this process, multiprocessing's resource tracker cleans up the semaphores
        # of the LocalCluster's processes and warns about each "leak"; the kill was the user's, the
        # cleanup is done, and the warning is noise.  Its interpreter inherits these -W options.
        sys.warnoptions.append("ignore:resource_tracker:UserWarning")
    _note_unread_record_files(args.inputs)
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
            allow_new_inputs=args.allow_new_inputs,
            batch_size=args.batch_size,
            date=args.date,
            timeout=args.timeout,
            max_chars=args.max_chars,
            tables=tables,
            code=args.code,
            config=args.config,
            progress=not args.quiet,
            dedup=args.dedup,
            cli=True,
        )
    except (InputError, ChineseNewsNLPError, ImportError, OSError) as exc:
        print(f"cnnlp process: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("cnnlp process: interrupted; run again with --resume to continue", file=sys.stderr)
        return 130
    if not args.quiet:
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
