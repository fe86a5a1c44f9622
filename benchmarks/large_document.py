"""One very large document through the full pipeline: in pieces (ours) vs whole (the baseline).

Builds one file of ``--chars`` characters (default 8 M, about 21 MB in UTF-8) from the seed
articles, then runs ``chinese_news_nlp.corpus.process`` on it in fresh child processes, with
``max_chars`` above its size:

* ours: the document goes through the stages in pieces of ``PIECE_CHARS`` and is written piece
  by piece (:mod:`chinese_news_nlp.pieces`, ``records.PieceEncoder``);
* baseline, same run: ``piece_chars`` above the document's size, i.e. every stage on the whole
  text at once and one JSON line built in memory, as before issue 12.

Reported: peak RSS of the child (target: < 1.5 GB for 8 M characters), seconds, whether the
document came out without error, and the size of its output line.  ``--timeout`` is the
per-stage time-out (default: the corpus default, 120 s; the whole document's entity stage
once ran into it).  Usage::

    .venv/bin/python benchmarks/large_document.py [--chars 8000000] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys
from chinese_news_nlp.corpus import process
args = json.loads(sys.argv[1])
summary = process(args["input"], args["output"], max_chars=args["max_chars"], piece_chars=args["piece_chars"],
                  timeout=args["timeout"], progress=False)
with open(args["output"], "rb") as fh:
    line = fh.readline()
record = json.loads(line)
print(json.dumps({"seconds": summary.seconds, "errors": summary.errors, "tokens": summary.tokens,
                  "error": (record["error"] or {}).get("type"), "line_bytes": len(line),
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def build_document(path: Path, chars: int) -> None:
    block = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))) + "\n"
    path.write_text((block * (chars // len(block) + 1))[:chars], encoding="utf-8")


def run(doc: Path, out: Path, piece_chars: int, chars: int, timeout: float) -> dict:
    args = {"input": str(doc), "output": str(out), "max_chars": chars + 1, "piece_chars": piece_chars,
            "timeout": timeout}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=8_000_000)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--skip-baseline", action="store_true", help="only ours (the baseline takes ~5 GB)")
    args = parser.parse_args()
    from chinese_news_nlp.pieces import PIECE_CHARS

    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "big.txt"
        build_document(doc, args.chars)
        print(f"one document of {args.chars:,} characters ({doc.stat().st_size / 1e6:.1f} MB), full pipeline")
        rows = [("pieces (ours)", run(doc, Path(tmp) / "ours.jsonl", PIECE_CHARS, args.chars, args.timeout))]
        if not args.skip_baseline:
            rows.append(
                ("whole (baseline)", run(doc, Path(tmp) / "base.jsonl", args.chars + 1, args.chars, args.timeout))
            )
    print(f"{'mode':18} {'peak RSS':>10} {'seconds':>8} {'error':>22} {'tokens':>10} {'line':>9}")
    for name, r in rows:
        print(f"{name:18} {r['maxrss_kb'] / 1024:8.0f} MB {r['seconds']:8.1f} {r['error'] or '-':>22} "
              f"{r['tokens']:>10,} {r['line_bytes'] / 1e6:7.1f} MB")  # fmt: skip
    if len(rows) == 2:
        ours, base = rows[0][1], rows[1][1]
        print(f"peak RSS ours / baseline: {ours['maxrss_kb'] / base['maxrss_kb']:.2f}; "
              f"time ours / baseline: {ours['seconds'] / base['seconds']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
