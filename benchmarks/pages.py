"""Scraped pages generated from news text, with a zone for every line: the zones benchmark's test set.

Articles come from the People's Daily text of the SIGHAN 2005 PKU test file
(``../shared/data/icwb2/testing/pku_test.utf8``: headline lines followed by paragraphs).  Each
page wraps one article in furniture drawn at random (fixed seed) from layout families that
are *not* the seeds' (other meta formats, menus, share bars, comment boxes, footers, lists with
and without a header, headline lists before the article, bullets with dates on the same line,
pages without blank lines, traditional script...).  The vocabulary of the furniture is written
here, independently of ``chinese_news_nlp/data/zones/``: some of its words are in the cue
files, many are not, so the layout rules are measured too.

``make_pages(n, seed)`` returns ``Page`` objects (text, zones per line, metadata);
``repost_corpus(...)`` builds a corpus with reposts of some articles for the near-duplicate
benchmark.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "icwb2" / "testing" / "pku_test.utf8"

TERMINAL = "。！？”；…"


@dataclass
class Article:
    headline: str
    paragraphs: list[str]


@dataclass
class Page:
    text: str
    lines: list[tuple[str, str]]  # (line text, zone) for every non-blank line, in order
    meta: dict = field(default_factory=dict)  # title, date, time, source, authors
    article: int = -1  # index of the article in the source list


def load_articles(path: Path = DEFAULT_SOURCE, min_paragraphs: int = 3) -> list[Article]:
    """Headline + paragraphs blocks of the PKU file; bracketed notes and tables left out."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    articles: list[Article] = []
    head, paras = None, []

    def flush():
        if head and len(paras) >= min_paragraphs and "图片" not in head:
            articles.append(Article(head, paras[:12]))

    for line in lines:
        if not line or line.startswith(("（", "(")):
            continue
        if len(line) <= 28 and line[-1] not in TERMINAL + "：:，,）)" and "。" not in line:
            flush()
            head, paras = line, []
        elif head and line[-1] in TERMINAL and len(line) >= 20:
            paras.append(line)
    flush()
    return articles


SITES = ["东方资讯网", "城市财经在线", "华夏新闻网", "江南时报网", "北方科技网", "晨光新闻", "环球视点网", "海峡资讯"]
SOURCES = ["人民日报", "新华社", "经济参考报", "中国新闻网", "央视新闻", "工人日报", "环球时报", "中国青年报"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国宁波斌峰雪梅琳晨曦宇航思远海涛志刚晓东春生"
)
CATEGORIES = ["国内", "国际", "财经", "社会", "科技", "文化", "体育", "教育"]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def date_of(rng: random.Random) -> tuple[int, int, int, int, int]:
    return rng.randint(2001, 2024), rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59)


class PageBuilder:
    def __init__(self, rng: random.Random, blank_lines: bool):
        self.rng = rng
        self.blank = blank_lines
        self.lines: list[tuple[str, str]] = []

    def add(self, text: str, zone: str) -> None:
        self.lines.append((text, zone))

    def text(self) -> str:
        sep = "\n\n" if self.blank else "\n"
        indent = self.rng.choice(("", "", "　　", "  "))
        return sep.join((indent + t if z == "body" else t) for t, z in self.lines) + "\n"


def _headlines(rng: random.Random, articles: list[Article], exclude: int, n: int) -> list[Article]:
    picks = []
    while len(picks) < n:
        k = rng.randrange(len(articles))
        if k != exclude:
            picks.append(articles[k])
    return picks


def _lead(rng: random.Random, art: Article) -> str:
    text = art.paragraphs[0]
    cut = rng.randint(45, 75)
    return text[:cut] + rng.choice(("...", "…", "", "……"))


def header_furniture(b: PageBuilder, site: str) -> None:
    rng = b.rng
    if rng.random() < 0.5:
        b.add(site, "boilerplate")
    if rng.random() < 0.5:
        b.add(" | ".join(["首页"] + rng.sample(CATEGORIES, 5)), "boilerplate")
    if rng.random() < 0.3:
        b.add("登录 | 注册 | 手机版", "boilerplate")
    if rng.random() < 0.5:
        label = rng.choice(("您的位置：", "当前位置：", "位置：", ""))
        b.add(f"{label}首页 > {rng.choice(CATEGORIES)} > 正文", "boilerplate")


def sidebar_list(b: PageBuilder, items: list[Article]) -> None:
    b.add(rng_header(b.rng, ("热点新闻", "今日热点", "24小时排行", "图片新闻")), "related")
    for art in items:
        b.add(art.headline, "related")


def rng_header(rng: random.Random, choices) -> str:
    word = rng.choice(choices)
    return rng.choice((word, f"【{word}】", f"▌{word}", f"{word}：", f">> {word}"))


def meta_line(rng: random.Random, meta: dict, when, source: str | None, authors: list[str]) -> str:
    y, mo, d, h, mi = when
    form = rng.randrange(5)
    if form == 0:
        line = f"{y}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}"
        meta.update(date=f"{y}-{mo:02d}-{d:02d}", time=f"{h:02d}:{mi:02d}")
    elif form == 1:
        line = f"发布时间：{y}年{mo}月{d}日 {h:02d}:{mi:02d}"
        meta.update(date=f"{y}-{mo:02d}-{d:02d}", time=f"{h:02d}:{mi:02d}")
    elif form == 2:
        line = f"{y}/{mo:02d}/{d:02d}"
        meta.update(date=f"{y}-{mo:02d}-{d:02d}", time=None)
    elif form == 3:
        line = f"{y}年{mo:02d}月{d:02d}日 {h:02d}:{mi:02d}:{rng.randint(0, 59):02d}"
        meta.update(date=f"{y}-{mo:02d}-{d:02d}", time=line[-8:])
    else:
        line = f"{person(rng)} {rng.randint(2, 11)}天前 ({mo:02d}-{d:02d}) {rng.choice(CATEGORIES)}"
        meta.update(date=None, time=None, date_text=f"{mo:02d}-{d:02d}")
    if source:
        line += rng.choice(("  来源：", " 来源:", "　稿源：")) + source
    if authors:
        line += "  作者：" + " ".join(authors)
    return line


def make_page(rng: random.Random, articles: list[Article], k: int) -> Page:
    art = articles[k]
    b = PageBuilder(rng, blank_lines=rng.random() < 0.6)
    site = rng.choice(SITES)
    source = rng.choice(SOURCES) if rng.random() < 0.7 else None
    byline = [person(rng) for _ in range(rng.choice((0, 0, 1, 2)))]
    meta: dict = {"title": art.headline, "source": source, "authors": []}
    header_furniture(b, site)
    if rng.random() < 0.2:
        sidebar_list(b, _headlines(rng, articles, k, rng.randint(3, 6)))
    b.add(art.headline, "title")
    if rng.random() < 0.25:
        deck = "——" + rng.choice(articles).headline
        b.add(deck, "title")
    when = date_of(rng)
    meta_at_end = rng.random() < 0.2
    if not meta_at_end:
        b.add(meta_line(rng, meta, when, source, byline), "meta")
        meta["authors"] = list(byline)
    else:
        meta.update(date=None, time=None)
    if rng.random() < 0.2:
        b.add("【字体：大 中 小】 【打印】", "boilerplate")
    paragraphs = list(art.paragraphs)
    subheads = rng.random() < 0.3 and len(paragraphs) >= 6
    ad_at = rng.randrange(2, len(paragraphs)) if rng.random() < 0.15 else -1
    for i, para in enumerate(paragraphs):
        if subheads and i in (2, 5, 9):
            b.add(rng.choice(articles).headline[:14], "heading")
        if i == ad_at:
            b.add(rng.choice(("扫码关注我们的公众号", "点击下载客户端，阅读更多新闻", "广告")), "boilerplate")
        b.add(para, "body")
    if meta_at_end:
        if source:
            b.add(f"（来源：{source}）", "meta")
        else:
            meta["source"] = None
        b.add(f"（责任编辑：{person(rng)}）", "meta")
    tail = rng.sample(["share", "tags", "copyright", "contact", "comments", "editor"], rng.randint(1, 4))
    for part in tail:
        if part == "share":
            b.add(rng.choice(("分享到：微博 微信 QQ空间", "分享：", "一键分享到朋友圈")), "boilerplate")
        elif part == "tags":
            b.add(rng.choice(("关键词：", "标签：")) + " ".join(rng.sample(CATEGORIES, 2)), "boilerplate")
        elif part == "copyright":
            b.add(
                rng.choice(
                    (f"版权所有 © {site}", f"{site}版权所有，未经授权禁止转载", f"Copyright © 2001-2024 {site}")
                ),
                "boilerplate",
            )
        elif part == "contact":
            b.add(f"热线电话：0{rng.randint(10, 99)}-{rng.randint(10000000, 99999999)}", "boilerplate")
        elif part == "comments":
            b.add(rng.choice(("发表评论", "网友评论")), "boilerplate")
            b.add(rng.choice(("已有0人参与", "查看全部评论")), "boilerplate")
        elif part == "editor" and not meta_at_end:
            b.add(f"责任编辑：{person(rng)}", "meta")
    related_list(b, _headlines(rng, articles, k, rng.randint(3, 10)))
    if rng.random() < 0.5:
        b.add("关于我们 | 联系我们 | 广告服务 | 网站地图", "boilerplate")
    if rng.random() < 0.3:
        b.add(f"京ICP备{rng.randint(10000000, 99999999)}号", "boilerplate")
    text = b.text()
    if rng.random() < 0.1:  # a page in traditional script
        text = _s2t(text)
        b.lines = [(_s2t(t), z) for t, z in b.lines]
    return Page(text, b.lines, meta, k)


def related_list(b: PageBuilder, items: list[Article]) -> None:
    rng = b.rng
    form = rng.randrange(6)
    if rng.random() < 0.8:
        b.add(
            rng_header(rng, ("相关新闻", "推荐阅读", "延伸阅读", "热门文章", "猜你喜欢", "相关报道", "更多精彩")),
            "related",
        )
    elif form == 0:
        form = 1  # a bare headline list needs a header or other evidence to be a list at all
    for art in items:
        y, mo, d, _, _ = date_of(rng)
        if form == 0:
            b.add(art.headline, "related")
        elif form == 1:
            b.add(art.headline, "related")
            b.add(f"{y}-{mo:02d}-{d:02d}", "related")
        elif form == 2:
            b.add(art.headline, "related")
            b.add(_lead(rng, art), "related")
        elif form == 3:
            b.add(art.headline, "related")
            b.add(art.headline, "related")
            b.add(_lead(rng, art), "related")
        elif form == 4:
            b.add(f"· {art.headline}  {mo:02d}-{d:02d}", "related")
        else:
            b.add(rng.choice(CATEGORIES), "related")
            b.add(art.headline, "related")
            b.add(_lead(rng, art), "related")


_CONVERTER = None


def _s2t(text: str) -> str:
    global _CONVERTER
    if _CONVERTER is None:
        import opencc

        _CONVERTER = opencc.OpenCC("s2t")
    return _CONVERTER.convert(text)


def make_pages(n: int, seed: int = 14, articles: list[Article] | None = None) -> list[Page]:
    rng = random.Random(seed)
    articles = articles or load_articles()
    order = rng.sample(range(len(articles)), min(n, len(articles)))
    return [make_page(rng, articles, k) for k in order]


# -- reposts ------------------------------------------------------------------------------
def edit_article(rng: random.Random, art: Article) -> Article:
    """A repost's text: one or two sentences edited, a paragraph dropped or one added."""
    paras = list(art.paragraphs)
    for _ in range(rng.randint(1, 2)):
        i = rng.randrange(len(paras))
        sentences = [s for s in re.split(r"(?<=。)", paras[i]) if s]
        j = rng.randrange(len(sentences))
        sentences[j] = (
            rng.choice(("据悉，", "记者了解到，", "")) + sentences[j][: max(4, len(sentences[j]) // 2)] + "。"
        )
        paras[i] = "".join(sentences)
    if len(paras) > 4 and rng.random() < 0.4:
        del paras[rng.randrange(1, len(paras))]
    if rng.random() < 0.3:
        paras.append("（本文转载自其他媒体，内容有删改。）" if rng.random() < 0.5 else "以上内容仅供参考。")
    return Article(art.headline if rng.random() < 0.7 else art.headline + "（转载）", paras)


def repost_corpus(n_originals: int, n_reposts: int, seed: int = 41) -> tuple[list[str], list[int]]:
    """Page texts and, for each, the article it carries (the same number for an article and its reposts).

    Reposts wrap an edited copy of an earlier article in a different page layout; a tenth are
    in traditional script.
    """
    rng = random.Random(seed)
    articles = load_articles()
    picks = rng.sample(range(len(articles)), min(n_originals, len(articles)))
    texts, origin = [], []
    for k in picks:
        texts.append(make_page(rng, articles, k).text)
        origin.append(len(origin))
    for _ in range(n_reposts):
        o = rng.randrange(len(picks))
        copy = list(articles)
        copy[picks[o]] = edit_article(rng, articles[picks[o]])
        page = make_page(rng, copy, picks[o]).text
        if rng.random() < 0.1:
            page = _s2t(page)
        texts.append(page)
        origin.append(o)
    order = list(range(len(texts)))
    rng.shuffle(order)  # a repost may come first: a cluster's first document is its original
    return [texts[i] for i in order], [origin[i] for i in order]
