"""The ``cnnlp`` command.

``cnnlp process INPUT... -o OUT.jsonl`` runs the pipeline over files, folders
and JSONL; ``cnnlp segment``, ``cnnlp convert`` and ``cnnlp repair`` run one
stage over files or standard input, line by line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Iterator, Sequence, TextIO


def _read_lines(paths: Sequence[str]) -> Iterator[str]:
    """Lines of the named files (any encoding the pipeline detects), or of stdin."""
    if not paths:
        stdin = sys.stdin
        yield from stdin
        return
    from .decode import decode_bytes

    for path in paths:
        yield from decode_bytes(Path(path).read_bytes()).text.splitlines(keepends=True)


def _write(out: TextIO, line: str) -> None:
    out.write(line + "\n")


def _cmd_segment(args: argparse.Namespace) -> int:
    from .segmentation import SegmentStage

    stage = SegmentStage(engine=args.engine, user_dicts=args.user_dict or ())
    from .doc import Doc

    for line in _read_lines(args.inputs):
        line = line.rstrip("\r\n")
        doc = stage(Doc(raw=line))
        _write(sys.stdout, args.sep.join(t.text for t in doc.tokens))
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    from .convert import convert_text

    for line in _read_lines(args.inputs):
        sys.stdout.write(convert_text(line, args.config))
    return 0


def _cmd_repair(args: argparse.Namespace) -> int:
    from .repair import fix_and_explain

    for line in _read_lines(args.inputs):
        fixed, edits = fix_and_explain(line)
        sys.stdout.write(fixed)
        if args.explain:
            for e in edits:
                record = {"start": e.start, "end": e.end, "before": line[e.start : e.end], "after": e.replacement,
                          "cause": e.cause, "confidence": e.confidence, "recoverable": e.recoverable,
                          "guessed": e.guessed}  # fmt: skip
                print(json.dumps(record, ensure_ascii=False), file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnnlp",
        description="Chinese news text into structured data.",
        epilog="exit status: 0 done; 1 process: some documents failed (see cnnlp process --help); 2 bad usage",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    process = sub.add_parser("process", help="run the pipeline over files, folders (*.txt), JSONL or Parquet")
    from .corpus.cli import add_process_arguments, run_process

    add_process_arguments(process)
    process.set_defaults(func=run_process)

    seg = sub.add_parser("segment", help="segment lines of text (stdin when no file)")
    seg.add_argument("inputs", nargs="*", help="text files; stdin when none")
    from .segmentation import ENGINES

    seg.add_argument("--engine", default="auto", choices=ENGINES, help="default: auto (the best installed)")
    seg.add_argument("--user-dict", action="append", help="a user dictionary in jieba's format (repeatable)")
    seg.add_argument("--sep", default=" ", help="word separator in the output (default: a space)")
    seg.set_defaults(func=_cmd_segment)

    conv = sub.add_parser("convert", help="convert script with OpenCC (stdin when no file)")
    conv.add_argument("inputs", nargs="*")
    conv.add_argument("--config", default="t2s", help="OpenCC config: t2s (default), tw2sp, hk2s, s2t, ...")
    conv.set_defaults(func=_cmd_convert)

    rep = sub.add_parser("repair", help="repair damaged text (stdin when no file)")
    rep.add_argument("inputs", nargs="*")
    rep.add_argument("--explain", action="store_true", help="print each repair as JSON on stderr")
    rep.set_defaults(func=_cmd_repair)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # `cnnlp segment big.txt | head`
        return 0
    except (ValueError, OSError) as exc:
        print(f"cnnlp: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
