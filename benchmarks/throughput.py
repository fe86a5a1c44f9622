"""Corpus throughput: one process vs ``--workers 2`` vs Dask with two workers, and memory vs corpus size.

Builds a corpus of at least ``--mb`` MB by repeating the seed articles with light
variations (paragraphs rotated, numbers shifted, some copies in traditional script or
GB18030), then runs ``chinese_news_nlp.corpus.process`` in fresh child processes:

* single process on the full corpus: the baseline, and its peak RSS;
* single process on the first ~1 MB: peak RSS, to show memory stays flat (target: < 10 % growth);
* ``workers=2`` (local worker pool) and ``engine="dask"`` with a 2-worker LocalCluster.

Throughput is reported as characters/s and as a ratio to the single process in the
same run (targets: 2 workers ≥ 1.7×, Dask ≥ 1.5×).  "end to end" counts everything
(model loading, worker or cluster start); "steady" subtracts each engine's fixed cost,
measured on a one-document corpus.  With ``--repeat N`` (default 3) the modes run
N times, interleaved, so that a burst of load from other tenants of the machine hits
every mode alike; each figure is the median of the N runs, with the range of the
ratio beside it.  Usage::

    .venv/bin/python benchmarks/throughput.py [--mb 5] [--repeat 3] [--stages repair,convert,...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
from chinese_news_nlp.corpus import process
args = json.loads(sys.argv[1])
summary = process(args["input"], args["output"], stages=args["stages"], workers=args["workers"],
                  engine=args["engine"], format="jsonl", progress=False)
print(json.dumps({"chars": summary.chars, "docs": summary.documents, "errors": summary.errors,
                  "seconds": summary.seconds, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def vary(text: str, k: int, rng: random.Random) -> str:
    """A light variation of a seed: paragraphs rotated, digits shifted, a sentence dropped."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    shift = k % max(1, len(paragraphs))
    paragraphs = paragraphs[shift:] + paragraphs[:shift]
    if len(paragraphs) > 3:
        paragraphs.pop(rng.randrange(len(paragraphs)))
    out = "\n".join(paragraphs)
    return re.sub(r"\d", lambda m: str((int(m.group()) + k) % 10), out)


def build_corpus(seeds: Path, folder: Path, min_bytes: int, seed: int = 0) -> tuple[int, int]:
    """Write varied copies of the seeds into ``folder`` until ``min_bytes``; return (files, bytes)."""
    import opencc

    to_traditional = opencc.OpenCC("s2t")
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    total = files = 0
    k = 0
    while total < min_bytes:
        for i, text in enumerate(texts):
            body = vary(text, k, rng)
            encoding = "utf-8"
            if k % 7 == 3:
                body = to_traditional.convert(body)
            if k % 5 == 2:
                encoding = "gb18030"
            data = body.encode(encoding, errors="replace")
            (folder / f"{k:05d}_{i}.txt").write_bytes(data)
            total += len(data)
            files += 1
            if total >= min_bytes:
                break
        k += 1
    return files, total


# The baseline is one process on one core: LAC's batches, which otherwise run on every core
# of a lone process, run one at a time, as they do in each worker of a pool.
ONE_CORE = {"CNNLP_LAC_THREADS": "1"}


def run(
    input_: Path, output: Path, stages: str, workers: int = 1, engine: str = "local", env: dict | None = None
) -> dict:
    spec = {"input": str(input_), "output": str(output), "stages": stages, "workers": workers, "engine": engine}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise SystemExit(f"child failed ({engine}, {workers} workers):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="size of the large corpus (MB)")
    parser.add_argument("--small-mb", type=float, default=1.0, help="size of the small corpus for the RSS comparison")
    parser.add_argument("--stages", default="repair,convert,segment,entities,facts")
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each mode, interleaved; medians are reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cnnlp-bench-") as tmp:
        tmp_path = Path(tmp)
        n_big, b_big = build_corpus(args.seeds, tmp_path / "big", int(args.mb * 1e6))
        n_small, b_small = build_corpus(args.seeds, tmp_path / "small", int(args.small_mb * 1e6))
        one = tmp_path / "one"
        one.mkdir()
        first = sorted((tmp_path / "big").glob("*.txt"))[0]
        (one / first.name).write_bytes(first.read_bytes())
        print(f"corpus: {n_big} files, {b_big / 1e6:.2f} MB; small: {n_small} files, {b_small / 1e6:.2f} MB")
        print(f"stages: {args.stages}; cores: {os.cpu_count()} (shared machine: ratios are noisy)\n")

        modes = {
            "single": (1, "local", ONE_CORE),
            "single, LAC mt": (1, "local", {}),  # one process, LAC batches on every core
            "workers=2": (2, "local", {}),
            "dask 2 workers": (2, "dask", {}),
        }
        # seconds[mode] and fixed[mode]: one entry per repeat
        seconds: dict[str, list[float]] = {name: [] for name in modes}
        fixed: dict[str, list[float]] = {name: [] for name in modes}
        results: dict[str, dict] = {}
        for r in range(max(1, args.repeat)):
            for n, (name, (workers, engine, env)) in enumerate(modes.items()):
                suffix = "" if engine == "dask" else ".jsonl"  # JSONL everywhere; Dask writes a folder of shards
                tag = f"{n}-{r}{suffix}"
                fixed[name].append(run(one, tmp_path / f"o-one-{tag}", args.stages, workers, engine, env)["seconds"])
                results[name] = run(tmp_path / "big", tmp_path / f"o-{tag}", args.stages, workers, engine, env)
                seconds[name].append(results[name]["seconds"])
        small = run(tmp_path / "small", tmp_path / "o-small.jsonl", args.stages, env=ONE_CORE)

        chars = results["single"]["chars"]
        median = statistics.median

        def e2e(name: str, r: int | None = None) -> float:
            return chars / (median(seconds[name]) if r is None else seconds[name][r])

        def steady(name: str) -> float:
            return chars / max(1e-9, median(seconds[name]) - median(fixed[name]))

        targets = {"single": None, "single, LAC mt": None, "workers=2": 1.7, "dask 2 workers": 1.5}
        n_runs = len(seconds["single"])
        print(f"medians of {n_runs} interleaved run(s) per mode; 'range' is the ratio's lowest and highest run")
        print(
            f"{'mode':<16}{'docs':>7}{'errors':>7}{'chars/s e2e':>14}{'ratio':>8}{'range':>13}"
            f"{'chars/s steady':>16}{'ratio':>8}  target"
        )
        for name, r in results.items():
            ratio = e2e(name) / e2e("single")
            runs = [e2e(name, i) / e2e("single", i) for i in range(n_runs)]  # paired with the same round
            target = targets[name]
            verdict = "" if target is None else f"≥ {target}× " + ("met" if ratio >= target else "MISSED")
            print(
                f"{name:<16}{r['docs']:>7}{r['errors']:>7}{e2e(name):>14,.0f}{ratio:>7.2f}×"
                f"{f'{min(runs):.2f}–{max(runs):.2f}':>13}"
                f"{steady(name):>16,.0f}{steady(name) / steady('single'):>7.2f}×  {verdict}"
            )
        print("\ntargets are judged end to end; 'single' is one process on one core, the baseline of every ratio")
        print("fixed start-up cost (1-document run): " + ", ".join(f"{k} {median(v):.1f} s" for k, v in fixed.items()))
        rss_small, rss_big = small["maxrss_kb"] / 1024, results["single"]["maxrss_kb"] / 1024
        growth = (rss_big - rss_small) / rss_small
        print(
            f"peak RSS, single process: {b_small / 1e6:.1f} MB corpus {rss_small:,.0f} MiB (baseline), "
            f"{b_big / 1e6:.1f} MB corpus {rss_big:,.0f} MiB: growth {growth:+.1%} "
            f"(target < 10 %: {'met' if growth < 0.10 else 'MISSED'})"
        )


if __name__ == "__main__":
    main()
