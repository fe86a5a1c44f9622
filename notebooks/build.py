"""Write the example notebooks from the Python source below and execute them.

    .venv/bin/python notebooks/build.py              # write and execute both, saved with outputs
    .venv/bin/python notebooks/build.py --no-execute # write the cells only
    .venv/bin/python notebooks/build.py 01_quickstart

The notebooks are committed with their outputs so that a reader on a code host
sees the results; ``tests/test_notebooks.py`` executes them again (no network)
and checks that the committed cells are the ones written here.  Edit the cells
here, not in Jupyter.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS_DIR = Path(__file__).resolve().parent
KERNEL = "python3"
TIMEOUT = 900  # seconds per cell: the first call loads the models

# A cell is ("md", source) or ("code", source).
Cell = tuple[str, str]


def _setup(third_party: list[str], first_party: list[str]) -> str:
    """The first code cell: the shared imports plus this notebook's own, in isort's order, then options."""

    def block(lines: list[str]) -> str:
        return "\n".join(sorted(lines, key=lambda line: (line.startswith("from "), line.split()[1].lower())))

    return _SETUP.format(
        third_party=block(["import pandas as pd", *third_party]),
        first_party=block(
            ["import chinese_news_nlp as cnn", "from chinese_news_nlp.frames import to_frames", *first_party]
        ),
    )


# (braces doubled: this is a str.format template)
_SETUP = """\
from pathlib import Path

{third_party}

{first_party}

pd.set_option("display.max_colwidth", 48)
pd.set_option("display.min_rows", 20)
# 103,900,000,000 rather than 1.039000e+11
pd.set_option("display.float_format", lambda v: f"{{v:,.0f}}" if abs(v) >= 1e6 else f"{{v:,.6g}}")
# The seed articles, whether this runs from notebooks/ or from the repository root.
SEEDS = Path("../seeds") if Path("../seeds").is_dir() else Path("seeds")"""

QUICKSTART: list[Cell] = [
    (
        "md",
        """\
# chinese-news-nlp: quickstart

Raw Chinese news text, however damaged, into clean structured data: **repair → OpenCC t2s → page
zones → jieba segmentation → entities and officials → number–unit–year facts**, with every span
keeping its offsets in the raw text.

This notebook processes the five seed pages in `seeds/`, shows which lines of a page are the article
and what the page says about it, looks at the damaged document 004 before and after repair, shows the
entity view of document 000, and tabulates officials and facts.""",
    ),
    ("code", _setup(["from IPython.display import HTML, display"], ["from chinese_news_nlp.display import render"])),
    ("md", "## Load the pipeline\n\n`cnn.load()` builds the default pipeline; models load lazily, once per process."),
    ("code", "nlp = cnn.load()\nnlp"),
    (
        "md",
        """\
## Process the five seed articles

`nlp(text, id=..., date=...)` returns a `Doc`. The zones stage reads the page's title, date and source
into `doc.meta`; the page's date (or one you pass, which wins) lets the facts stage resolve 今年 and
去年. `to_frames` tabulates documents, entities, facts, officials, repairs and zones; every row carries
its `doc_id`.""",
    ),
    (
        "code",
        """\
docs = {}
for path in sorted(SEEDS.glob("*.txt")):
    docs[path.stem[:3]] = nlp(path.read_text(encoding="utf-8"), id=path.stem)

frames = to_frames(docs.values())
frames["documents"]""",
    ),
    (
        "md",
        """\
## The article inside a scraped page

The seeds are scraped pages: document 001 has a breadcrumb, a byline with a relative date, a contact
ad, a copyright notice, share buttons and a list of other articles whose headlines appear twice.
`doc.zones` labels every line; the metadata the page states is in `doc.meta`:""",
    ),
    (
        "code",
        """\
page = docs["001"]
display(pd.Series({k: page.meta.get(k) for k in ("title", "date", "date_text", "source", "authors", "site")}).to_frame("001"))
zones = frames["zones"].query("doc_id == @page.id").assign(line=lambda t: [page.text[s:e][:40] for s, e in zip(t.start, t.end)])
zones[["label", "line", "repeat_of"]].head(14)""",
    ),
    (
        "md",
        """\
Entities and facts carry the zone they lie in: those in `related` and `boilerplate` belong to other
articles or to the site. `render(doc, style="zones")` shows the article as it is and the rest muted:""",
    ),
    (
        "code",
        """\
entities = frames["entities"]
display(pd.crosstab(entities["doc_id"].str[:3], entities["zone"]))
HTML(render(page, style="zones", max_chars=2600))""",
    ),
    (
        "md",
        """\
## Document 004 before and after repair

Document 004 arrived damaged: traditional script, a GB18030 byte stream shifted by one byte,
pinyin readings pasted after characters (`業(yè)`), half-width punctuation. `doc.raw` never changes;
`doc.text` is the repaired, simplified text the annotators read.""",
    ),
    (
        "code",
        """\
doc = docs["004"]
for name, text in (("raw", doc.raw), ("text", doc.text)):
    print(f"── doc.{name} ──")
    print(text[:420], "…\\n")""",
    ),
    (
        "md",
        "Each change is a `Repair` with its cause and confidence, and `raw_start`/`raw_end` in the raw text:",
    ),
    (
        "code",
        """\
repairs = frames["repairs"].query("doc_id == @doc.id")
print(repairs["cause"].value_counts().to_string() if len(repairs) else "no repairs")
repairs[["raw_start", "raw_end", "before", "after", "cause", "confidence", "recoverable"]].head(12)""",
    ),
    (
        "md",
        '`render(doc, style="repairs")` shows them in place, before → after (the first part of the article):',
    ),
    (
        "code",
        """\
HTML(render(doc, style="repairs", max_chars=900))""",
    ),
    (
        "md",
        """\
## The entity view of document 000

A `Doc` shows itself in a notebook: entities highlighted by label (legend at the top), facts underlined
(hover for value, unit, year, metric), repairs as before → after. `render(doc, style=...)` picks one
layer; `cnn.display.save_html(doc, "doc.html")` writes a page.""",
    ),
    ("code", 'docs["000"]'),
    ("md", "The same entities as a table:"),
    (
        "code",
        """\
entities = docs["000"].entities_frame()
display(entities["label"].value_counts().to_frame("mentions").T)
entities[["text", "label", "start", "end", "raw_start", "raw_end"]].head(12)""",
    ),
    (
        "md",
        "## Officials\n\nPeople linked to the title they hold and the organization it belongs to, across the five articles:",
    ),
    ("code", 'frames["officials"][["doc_id", "person", "title", "org"]]'),
    (
        "md",
        """\
## Facts

Number–unit facts with their value (multipliers applied: 亿 = 1e8), kind, qualifier (约, 超, 以上…),
the year they refer to, and what was measured of whom:""",
    ),
    (
        "code",
        """\
facts = frames["facts"]
facts[["doc_id", "surface", "value", "unit", "kind", "qualifier", "year", "metric", "subject"]]""",
    ),
]

CORPUS_FACTS: list[Cell] = [
    (
        "md",
        """\
# The seed corpus: facts by year and kind, who is mentioned, what was repaired

`nlp.pipe()` processes a corpus in batches (`n_process=` for several cores); a document that fails keeps
its id and gets `doc.error` instead of stopping the run. `to_frames` turns the result into pandas tables
that join on `doc_id`. Only the articles' own facts and entities are counted here (zones `title`, `meta`,
`heading`, `body`): the seeds are scraped pages whose lists of other articles carry other facts.""",
    ),
    (
        "code",
        _setup(["import matplotlib.pyplot as plt", "from IPython.display import display"], [])
        + """

%matplotlib inline
plt.rcParams.update({"figure.dpi": 96, "axes.spines.top": False, "axes.spines.right": False})""",
    ),
    (
        "code",
        """\
items = [{"id": path.stem, "text": path.read_text(encoding="utf-8")} for path in sorted(SEEDS.glob("*.txt"))]

nlp = cnn.load()
docs = list(nlp.pipe(items, batch_size=8))
frames = to_frames(docs)
documents, entities, facts, officials, repairs = (frames[k] for k in ("documents", "entities", "facts", "officials", "repairs"))
article = ["title", "meta", "heading", "body"]
print(f"{(~facts['zone'].isin(article)).sum()} facts and {(~entities['zone'].isin(article)).sum()} entities "
      "lie in other articles' lists or the site's furniture; left out below")
facts, entities = facts[facts["zone"].isin(article)], entities[entities["zone"].isin(article)]
officials = officials[officials["zone"].isin(article)]
documents""",
    ),
    (
        "md",
        """\
## Facts by year and by kind

`year` is the calendar year a fact refers to (explicit 2023年, 去年 from the article's date, a period's
first year), `<NA>` when the text gives none.""",
    ),
    (
        "code",
        """\
dated = facts.dropna(subset=["year"]).astype({"year": int})
by_year = dated.pivot_table(index="year", columns="kind", values="surface", aggfunc="count", fill_value=0)
by_kind = facts["kind"].value_counts()

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 1.3]})
if by_year.empty:
    left.text(0.5, 0.5, "no dated facts", ha="center", va="center", transform=left.transAxes)
else:
    by_year.plot.bar(stacked=True, ax=left, width=0.8, rot=0)
    left.legend(title="kind", frameon=False)
left.set(title=f"Facts by the year they refer to ({len(dated)} carry a year)", xlabel="year", ylabel="facts")
if by_kind.empty:
    right.text(0.5, 0.5, "no facts", ha="center", va="center", transform=right.transAxes)
else:
    by_kind.sort_values().plot.barh(ax=right, color="tab:gray")
right.set(title=f"Facts by kind ({len(facts)} in all)", xlabel="facts", ylabel="")
fig.tight_layout()
plt.show()""",
    ),
    ("md", "Money facts in yuan, summed per year and article (亿元), to see where the big figures are:"),
    (
        "code",
        """\
money = dated.query("kind == 'money' and unit == '元'")
per_year = money.pivot_table(index="year", columns="doc_id", values="value", aggfunc="sum", fill_value=0) / 1e8
per_year.rename(columns=lambda doc_id: doc_id[:3]).round(1)""",
    ),
    (
        "md",
        """\
## The most frequent labs, companies and officials

Mentions across the corpus, with the number of articles that mention each name.""",
    ),
    (
        "code",
        """\
def top_names(label: str, n: int = 10) -> pd.DataFrame:
    named = entities[entities["label"] == label]
    table = named.groupby("text").agg(mentions=("doc_id", "size"), articles=("doc_id", "nunique"))
    return table.sort_values(["mentions", "articles"], ascending=False).head(n).rename_axis(label)


display(top_names("LAB"))
display(top_names("COMPANY"))""",
    ),
    (
        "code",
        """\
person_mentions = entities[entities["label"] == "PERSON"].groupby("text").size()
top_officials = (
    officials.groupby(["person", "title"], dropna=False)
    .agg(org=("org", "first"), articles=("doc_id", "nunique"))
    .reset_index()
    .assign(mentions=lambda t: t["person"].map(person_mentions).fillna(0).astype(int))
    .sort_values(["mentions", "articles"], ascending=False)
)
top_officials.head(12)""",
    ),
    (
        "md",
        """\
## Repair report by cause

What the repair stage changed, by cause: how often, in how many articles, how confident, and an
example before → after.""",
    ),
    (
        "code",
        """\
changes = repairs.assign(change=repairs["before"] + " → " + repairs["after"])
report = (
    changes.groupby("cause")
    .agg(
        repairs=("cause", "size"),
        articles=("doc_id", "nunique"),
        mean_confidence=("confidence", "mean"),
        example=("change", "first"),
    )
    .sort_values("repairs", ascending=False)
    .round({"mean_confidence": 3})
)
report""",
    ),
    (
        "code",
        """\
fig, ax = plt.subplots(figsize=(8, 0.5 + 0.45 * max(1, len(report))))
if report.empty:
    ax.text(0.5, 0.5, "no repairs", ha="center", va="center", transform=ax.transAxes)
else:
    report["repairs"].sort_values().plot.barh(ax=ax, color="tab:green", logx=True)
    ax.bar_label(ax.containers[0], padding=3)
ax.set(title="Repairs by cause", xlabel="repairs (log scale)", ylabel="")
fig.tight_layout()
plt.show()""",
    ),
    ("md", "Documents the pipeline could not process (none expected):"),
    ("code", 'documents[documents["error_stage"].notna()][["doc_id", "error_stage", "error_message"]]'),
]

NOTEBOOKS: dict[str, list[Cell]] = {
    "01_quickstart": QUICKSTART,
    "02_corpus_facts": CORPUS_FACTS,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook ``name`` with its cells and no outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, source) in enumerate(NOTEBOOKS[name]):
        new_cell = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        # Stable ids (nbformat would draw random ones): diffs show content, not churn.
        nb.cells.append(new_cell(source, id=f"{name[:2]}-{i:02d}"))
    return nb


def execute(nb: nbformat.NotebookNode, cwd: Path = NOTEBOOKS_DIR, timeout: int = TIMEOUT) -> nbformat.NotebookNode:
    """Run every cell in a fresh ``python3`` kernel started in ``cwd``; a failing cell raises."""
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,  # keep the saved notebooks free of timestamps
    )
    client.execute()
    return nb


def path_of(name: str) -> Path:
    return NOTEBOOKS_DIR / f"{name}.ipynb"


def write(nb: nbformat.NotebookNode, name: str) -> Path:
    path = path_of(name)
    nbformat.write(nb, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"notebooks to build: {', '.join(NOTEBOOKS)} (default: all)")
    parser.add_argument("--no-execute", action="store_true", help="write the cells without running them")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(NOTEBOOKS)
    if unknown:
        parser.error(f"no notebook named {', '.join(sorted(unknown))}")
    for name in args.names or NOTEBOOKS:
        nb = build(name)
        if not args.no_execute:
            execute(nb)
        print(f"wrote {write(nb, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
