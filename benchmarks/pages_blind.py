"""A blind, seeded generator of scraped Chinese news pages with line-level zone gold.

Written without reading the zones stage, its cue lists, ``benchmarks/pages.py`` or
``benchmarks/zones.py``: the page furniture below was designed from how Chinese news sites look,
and every line is labelled by the definitions in ``/work/shared/gold/README.md``.

Articles are real People's Daily sentences from ``<shared>/data/msra/train.jsonl``, read at
run time (nothing of it is copied into the repository). A page is one *family* of furniture:

``xinhua``   wire-service page: breadcrumb, 【字体】 bar, ``新华社北京3月5日电（记者 …）`` lead, 【纠错】, editor
``people``   party-paper portal: channel path, deck, ``来源：人民网-人民日报``, 分享到 bar, 《人民日报》版次 line
``portal``   commercial portal (Sina/Sohu/NetEase-like): channel menu, captions, 返回…查看更多, comments, 猜你喜欢
``paper``    new-media outlet (The Paper-like): reporter line above the dateline, 关键词, 特别声明, 延伸阅读 with dates
``gov``      local government site: 您当前的位置, 发布时间/来源/作者/浏览次数, 一、 headings, 上一篇/下一篇, ICP footer
``wechat``   WeChat article dump: 原创 account line, 收录于合集, END, 往期推荐, 分享 收藏 在看
``forum``    forum repost: 楼主 line, 只看该作者, replies (comment section), 返回列表
``epaper``   PDF-to-text e-paper: masthead/版次 line, hard-wrapped paragraphs, 本报记者 line, 本版责编

Any page may additionally be converted to traditional script (opencc s2t), lose or keep its blank
lines, get full-width paragraph indents and CRLF line ends.

Gold conventions (README: ``meta`` = dateline, source, byline lines):

* a lead such as ``新华社北京3月5日电`` / ``本报讯（记者 …）`` starts the first paragraph: ``body``;
  its reporters are ``authors``;
* an editor credit line (``责任编辑：…``, ``（责编：…）``, ``编辑：… 审核：…``) is a byline line: ``meta``,
  but editors are not reporters, so never ``authors``;
* a 通讯员 (correspondent) named in a byline is a reporter of it: in ``authors``;
* ``上一篇：<headline>`` names another article: ``related``; pagination (``上一页 1 2 下一页``): ``boilerplate``;
* comment sections (header, 登录/注册 prompts, the comments themselves, forum replies): ``boilerplate``;
* an image caption describes the article's own picture: ``body`` (README's body is the article's own
  content; a caption is not furniture shared across pages);
* a deck (副标题) right under the headline: ``title``; ``doc.meta['title']`` is the headline alone;
* metadata ``title``/``source``/``authors`` are simplified even on traditional pages (README: normalized);
  ``date`` is ISO or None when the page gives no year; ``time`` is ``HH:MM[:SS]`` zero-padded or None;
  ``source`` is what follows 来源 up to the next gap, as written (e.g. ``人民网-人民日报``).

``Page.zones`` holds ``(line_index, label)`` for every non-blank line, ``line_index`` being the
0-based index into ``text.split("\\n")`` (a CRLF page keeps its ``\\r`` at the line ends).
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# the shared data folder, as tests/conftest.py finds it ($CNNLP_SHARED, else ../shared beside the repo)
SHARED = Path(os.environ.get("CNNLP_SHARED") or Path(__file__).resolve().parents[2] / "shared")
MSRA = SHARED / "data" / "msra" / "train.jsonl"
LABELS = ("title", "meta", "heading", "body", "boilerplate", "related")
FAMILIES = ("xinhua", "people", "portal", "paper", "gov", "wechat", "forum", "epaper")

END_PUNCT = "。！？!?…”"


@dataclass
class Page:
    text: str
    zones: list[tuple[int, str]]
    meta: dict
    family: str = ""
    flags: dict = field(default_factory=dict)


@lru_cache(maxsize=1)
def _sentences() -> tuple[str, ...]:
    out = []
    with MSRA.open(encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["text"].strip())
    return tuple(out)


# ---------------------------------------------------------------- vocabulary (our own)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍鹏辉建国红梅琳斌宇浩凯健俊帆晨欣怡佳雪慧颖婷鑫波宁峰亮志勤海燕丹蕾倩然东文博思远晓阳春雨立新振兴子豪翔瑞"
CITIES = [
    "北京",
    "上海",
    "广州",
    "武汉",
    "成都",
    "西安",
    "南京",
    "杭州",
    "长沙",
    "郑州",
    "济南",
    "昆明",
    "兰州",
    "拉萨",
    "乌鲁木齐",
    "哈尔滨",
    "福州",
    "南宁",
]
PROVINCE_PAPERS = [
    "湖北日报",
    "南方日报",
    "浙江日报",
    "大众日报",
    "四川日报",
    "河南日报",
    "解放日报",
    "新京报",
    "经济日报",
    "光明日报",
    "工人日报",
    "中国青年报",
]
CHANNELS = ["时政", "国内", "社会", "财经", "科技", "文化", "教育", "地方", "国际", "评论", "民生", "法治"]
CATEGORIES = ["时政", "社会", "财经", "文旅", "科技", "体育", "健康", "教育", "三农", "房产"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _names(rng: random.Random, k: int) -> list[str]:
    out: list[str] = []
    while len(out) < k:
        n = _name(rng)
        if n not in out:
            out.append(n)
    return out


# A date style: its text, whether it gives the year, which clock time it gives (None: none).
_DATE_STYLES: dict[str, tuple[str, bool, str | None]] = {
    "dash_hms": ("{iso} {hms}", True, "hms"),
    "dash_hm": ("{iso} {hm}", True, "hm"),
    "dash": ("{iso}", True, None),
    "cn_pad_hm": ("{y}年{m2}月{d2}日 {hm}", True, "hm"),
    "cn_pad_tight": ("{y}年{m2}月{d2}日{hm}", True, "hm"),
    "cn": ("{y}年{m}月{d}日", True, None),
    "cn_hm": ("{y}年{m}月{d}日 {hm}", True, "hm"),
    "slash_hm": ("{y}/{m2}/{d2} {hm}", True, "hm"),
    "dot": ("{y}.{m2}.{d2}", True, None),
    "short_hms": ("{y}-{m}-{d} {hh}:{mm2}:{ss2}", True, "hms"),  # forum style, no zero padding in the text
    "noyear_hm": ("{m2}-{d2} {hm}", False, "hm"),
}


class _Date:
    def __init__(self, rng: random.Random):
        self.y = rng.randint(2012, 2024)
        self.m = rng.randint(1, 12)
        self.d = rng.randint(1, 28)
        self.hh = rng.randint(0, 23)
        self.mm = rng.randint(0, 59)
        self.ss = rng.randint(0, 59)

    @property
    def iso(self) -> str:
        return f"{self.y:04d}-{self.m:02d}-{self.d:02d}"

    def hm(self) -> str:
        return f"{self.hh:02d}:{self.mm:02d}"

    def hms(self) -> str:
        return f"{self.hh:02d}:{self.mm:02d}:{self.ss:02d}"

    def render(self, rng: random.Random, styles: tuple[str, ...]) -> tuple[str, str | None, str | None]:
        """Text, ISO date (None without a year), time (None without one)."""
        template, with_year, clock = _DATE_STYLES[rng.choice(styles)]
        fields = {
            "y": self.y, "m": self.m, "d": self.d, "m2": f"{self.m:02d}", "d2": f"{self.d:02d}", "hh": self.hh,
            "mm2": f"{self.mm:02d}", "ss2": f"{self.ss:02d}", "iso": self.iso, "hm": self.hm(), "hms": self.hms(),
        }  # fmt: skip
        return template.format(**fields), self.iso if with_year else None, fields[clock] if clock else None

    def cn_md(self) -> str:
        return f"{self.m}月{self.d}日"

    def weekday(self) -> str:
        import datetime

        return "星期" + "一二三四五六日"[datetime.date(self.y, self.m, self.d).weekday()]


# ---------------------------------------------------------------- article text


# a clause opening like these reads as the middle of a story, not as a headline
_BAD_OPEN = (
    "但",
    "由于",
    "他",
    "她",
    "它",
    "这",
    "那",
    "据",
    "而",
    "并",
    "也",
    "又",
    "因",
    "所以",
    "其",
    "此",
    "我",
    "你",
    "可",
    "就",
    "则",
    "还",
    "与此",
)
_BAD_IN = ("本报", "记者", "电", "讯", "“", "”", "（", "）", "(", ")", "《", "》", "：", "——")


def _clause(s: str, lo: int = 8, hi: int = 26) -> str | None:
    """A headline-like clause: a short sentence without its end mark, or its first clause."""
    s = s.strip()
    body = s.rstrip("。！？；，、…")
    cand = None
    if lo <= len(body) <= hi and body.count("，") <= 1:
        cand = body.replace("，", " ")
    else:
        first = body.split("，")[0]
        if lo <= len(first) <= hi:
            cand = first
    if not cand or cand.startswith(_BAD_OPEN) or any(b in cand for b in _BAD_IN):
        return None
    if len(re.sub(r"[\d０-９年月日号．.％%\s]", "", cand)) < 4:  # a bare date or figure is no headline
        return None
    return cand


def _headlines(rng: random.Random, k: int, avoid: set[str] | None = None) -> list[str]:
    sents = _sentences()
    out: list[str] = []
    while len(out) < k:
        h = _clause(rng.choice(sents), 8, 24)
        if h and h not in out and not (avoid and h in avoid):
            out.append(h)
    return out


def _lead(rng: random.Random, lo: int = 40, hi: int = 70) -> str:
    sents = _sentences()
    while True:
        s = rng.choice(sents)
        if len(s) >= lo:
            return s[: rng.randint(lo, min(hi, len(s)))].rstrip("，、；") + rng.choice(("……", "...", "…", ""))


@dataclass
class Article:
    title: str
    deck: str | None
    items: list[tuple[str, str]]  # ("body"|"heading", text)


def _article(rng: random.Random) -> Article:
    sents = _sentences()
    while True:
        n = rng.randint(8, 30)
        start = rng.randrange(0, len(sents) - n)
        window = list(reversed(sents[start : start + n]))  # the file lists an article's sentences last-first
        window = [s for s in window if len(s) >= 6]
        if len(window) < 6:
            continue
        # merge sentences that end mid-sentence (；，) with the next one
        merged: list[str] = []
        for s in window:
            if merged and merged[-1][-1:] in "；，、：":
                merged[-1] += s
            else:
                merged.append(s)
        if merged[-1][-1:] not in END_PUNCT:
            merged[-1] = merged[-1].rstrip("；，、：") + "。"
        cands = [c for c in (_clause(s, 8, 24) for s in merged) if c]
        if not cands:
            continue
        title = rng.choice(cands)
        break
    deck = None
    if rng.random() < 0.3:
        d = _clause(rng.choice(merged), 8, 24)
        if d and d != title:
            deck = d
    # paragraphs of 2-6 sentences, headings between some of them
    paras: list[str] = []
    i = 0
    while i < len(merged):
        k = rng.randint(2, 6)
        paras.append("".join(merged[i : i + k]))
        i += k
    if len(paras) > 1 and len(paras[-1]) < 20:
        paras[-2] += paras.pop()
    items: list[tuple[str, str]] = []
    heading_style = rng.choice((None, None, "cn_num", "paren_num", "bare", "mark")) if len(paras) >= 3 else None
    hnum = 0
    for j, p in enumerate(paras):
        if heading_style and j > 0 and (j % 2 == 0 or rng.random() < 0.3):
            # a subheading sums up what follows: a clause of this section's own sentences
            h = next((c for c in (_clause(x, 6, 18) for x in re.split(r"(?<=[。！？])", p)) if c), None)
            if h is None:
                h = _clause(rng.choice(sents), 6, 18)
            if h:
                num = "一二三四五六七八九十"[min(hnum, 9)]
                hnum += 1
                h = {
                    "cn_num": f"{num}、{h}",
                    "paren_num": f"（{num}）{h}",
                    "bare": h,
                    "mark": rng.choice(("■", "◆", "▲")) + " " + h,
                }[heading_style]
                items.append(("heading", h))
        items.append(("body", p))
    return Article(title, deck, items)


def _prefix_first_body(items: list[tuple[str, str]], prefix: str) -> None:
    for i, (lab, t) in enumerate(items):
        if lab == "body":
            items[i] = (lab, prefix + t)
            return


def _append_last_body(items: list[tuple[str, str]], suffix: str) -> None:
    for i in range(len(items) - 1, -1, -1):
        if items[i][0] == "body":
            items[i] = (items[i][0], items[i][1].rstrip() + suffix)
            return


def _insert_captions(rng: random.Random, items: list[tuple[str, str]], dt: _Date, city: str) -> None:
    # image caption: the article's own picture -> body (see module doc)
    if rng.random() < 0.35 and len(items) > 2:
        at = rng.randrange(1, len(items))
        who = _name(rng)
        cap = rng.choice(
            (
                f"图为{dt.cn_md()}，{city}市民在活动现场参观。{rng.choice(('记者', '本报记者', '通讯员'))} {who} 摄",
                f"{dt.cn_md()}，工作人员在{city}一处施工现场检查设备。（{who} 摄）",
                f"▲{city}街头一景。图片由受访者提供",
            )
        )
        items.insert(at, ("body", cap))


# ---------------------------------------------------------------- furniture pieces


def _related_block(rng: random.Random, header: str, dt: _Date, avoid: set[str]) -> list[tuple[str, str]]:
    out = [(header, "related")]
    k = rng.randint(3, 8)
    style = rng.choice(("plain", "date_inline", "date_line", "lead", "bullet", "cat_date"))
    for h in _headlines(rng, k, avoid):
        md = f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        full = f"{dt.y}-{md}"
        if style == "plain":
            out.append((h, "related"))
        elif style == "date_inline":
            out.append((f"{h}　{rng.choice((full, md, '[' + full + ']', '(' + md + ')'))}", "related"))
        elif style == "date_line":
            out.append((h, "related"))
            out.append((full, "related"))
        elif style == "lead":
            out.append((h, "related"))
            out.append((_lead(rng), "related"))
        elif style == "bullet":
            out.append((rng.choice(("· ", "• ", "> ", "□ ")) + h, "related"))
        else:
            out.append((h, "related"))
            out.append((f"{rng.choice(CATEGORIES)}　{full}", "related"))
    return out


def _comments(rng: random.Random, style: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if style == "portal":
        out.append((rng.choice(("网友评论", "全部评论", "我要评论", "热门评论")), "boilerplate"))
        out.append(
            (
                rng.choice(
                    ("登录 | 注册", "请登录后发表评论  登录  注册", "文明上网，理性发言", "已有0人参与  登录后参与评论")
                ),
                "boilerplate",
            )
        )
        for _ in range(rng.randint(0, 3)):
            loc = rng.choice(CITIES)
            out.append(
                (
                    f"{rng.choice(('网友', '用户', '手机用户'))}{rng.randint(1000, 99999)} [{loc}] {rng.choice(('说得好，点赞！', '希望早日落实。', '支持一下', '这个好，我们那里也应该学学'))}",
                    "boilerplate",
                )
            )
        out.append((rng.choice(("发表评论", "查看更多评论>>", "共有评论0条")), "boilerplate"))
    return out


def _copyright(rng: random.Random, site: str) -> list[tuple[str, str]]:
    pool = [
        f"版权所有 © {site} 未经书面授权禁止转载、摘编、复制或建立镜像",
        f"Copyright © 2004-2024 {site} All Rights Reserved",
        f"免责声明：本文转载自其他媒体，目的在于传递更多信息，并不代表{site}赞同其观点和对其真实性负责。",
        f"互联网新闻信息服务许可证：{rng.randint(10000000000, 99999999999)}",
        f"{rng.choice('京沪粤浙鄂川陕豫')}ICP备{rng.randint(10000000, 99999999)}号-{rng.randint(1, 9)}",
        f"{rng.choice('京沪粤浙鄂川陕豫')}公网安备 {rng.randint(10000000000000, 99999999999999)}号",
        f"违法和不良信息举报电话：{rng.randint(100, 999)}-{rng.randint(10000000, 99999999)}",
        "关于我们 | 联系我们 | 广告服务 | 网站地图 | 招聘信息",
    ]
    return [(x, "boilerplate") for x in rng.sample(pool, rng.randint(2, 5))]


def _share(rng: random.Random) -> tuple[str, str]:
    return (
        rng.choice(
            ("分享到：", "分享到：微信 微博 QQ空间", "分享：  ", "【分享到】 新浪微博 微信 人人网", "分享到 微信朋友圈")
        ),
        "boilerplate",
    )


def _qr(rng: random.Random) -> tuple[str, str]:
    return (
        rng.choice(
            (
                "扫一扫，手机阅读本文",
                "扫一扫在手机打开当前页",
                "扫描二维码 关注我们",
                "微信扫一扫，分享到朋友圈",
                "手机看新闻，请扫描二维码",
            )
        ),
        "boilerplate",
    )


def _author_line(rng: random.Random, names: list[str], comm: list[str]) -> str:
    s = "（记者 " + " ".join(names)
    if comm:
        s += " 通讯员 " + " ".join(comm)
    return s + "）"


# ---------------------------------------------------------------- families
# each returns (lines as [(text, label)], meta); article items are spliced in as they are.


def _body_lines(items: list[tuple[str, str]], indent: str) -> list[tuple[str, str]]:
    return [((indent + t) if lab == "body" else t, lab) for lab, t in items]


def fam_xinhua(rng: random.Random, art: Article, dt: _Date, indent: str):
    city = rng.choice(CITIES)
    reporters = _names(rng, rng.randint(1, 3))
    items = list(art.items)
    _prefix_first_body(items, f"新华社{city}{dt.cn_md()}电（记者{'、'.join(reporters)}）")
    _insert_captions(rng, items, dt, city)
    date_text, iso, tm = dt.render(rng, ("dash_hms", "dash_hm", "cn_pad_hm"))
    src = rng.choice(("新华网", "新华社", "新华每日电讯"))
    editor = _name(rng)
    lines: list[tuple[str, str]] = []
    lines.append(
        (
            rng.choice(
                ("新华网 > 正文", f"首页 > {rng.choice(CHANNELS)} > 正文", f"新华网首页 | {rng.choice(CHANNELS)}频道")
            ),
            "boilerplate",
        )
    )
    lines.append((art.title, "title"))
    if rng.random() < 0.5:
        lines.append((f"{date_text}　来源：{src}", "meta"))
    else:
        lines.append((date_text, "meta"))
        lines.append((f"来源：{src}", "meta"))
    lines.append(
        (
            rng.choice(("【字体：大 中 小】", "【字号 大 中 小】【打印】【关闭】", "字体：大 中 小 打印本页")),
            "boilerplate",
        )
    )
    lines += _body_lines(items, indent)
    lines.append(("【纠错】", "boilerplate"))
    lines.append((f"【责任编辑:{editor}】", "meta"))
    if rng.random() < 0.6:
        lines.append(_qr(rng))
    lines += _related_block(rng, rng.choice(("相关新闻", "相关稿件", "热点推荐")), dt, {art.title})
    lines += _copyright(rng, "新华网")
    meta = {"title": art.title, "date": iso, "time": tm, "source": src, "authors": reporters}
    return lines, meta


def fam_people(rng: random.Random, art: Article, dt: _Date, indent: str):
    city = rng.choice(CITIES)
    reporters = _names(rng, rng.randint(1, 2))
    items = list(art.items)
    lead = rng.choice(("本报{city}{md}电 ", "本报{city}{md}电　"))
    _prefix_first_body(items, lead.format(city=city, md=dt.cn_md()) + f"（记者{'、'.join(reporters)}）")
    date_text, iso, tm = dt.render(rng, ("cn_pad_tight", "cn_pad_hm"))
    src = rng.choice(("人民网-人民日报", "人民日报", "人民网-人民日报海外版"))
    editors = _names(rng, 2)
    lines: list[tuple[str, str]] = []
    lines.append((f"人民网>>{rng.choice(CHANNELS)}>>{rng.choice(('滚动', '原创稿件', '正文'))}", "boilerplate"))
    lines.append((art.title, "title"))
    if art.deck:
        lines.append((art.deck, "title"))
    lines.append((f"{date_text}  来源：{src}", "meta"))
    lines.append(_share(rng))
    lines += _body_lines(items, indent)
    lines.append((f"《 人民日报 》（ {dt.y}年{dt.m:02d}月{dt.d:02d}日 {rng.randint(1, 20):02d} 版）", "meta"))
    lines.append((f"(责编：{'、'.join(editors)})", "meta"))
    if rng.random() < 0.5:
        lines.append(("点击收看人民网视频频道", "boilerplate"))
    lines += _related_block(rng, rng.choice(("相关新闻", "推荐阅读", "热点推荐")), dt, {art.title})
    lines += _copyright(rng, "人民网")
    meta = {"title": art.title, "date": iso, "time": tm, "source": src, "authors": reporters}
    return lines, meta


def fam_portal(rng: random.Random, art: Article, dt: _Date, indent: str):
    site = rng.choice(("新浪新闻", "搜狐", "网易新闻", "腾讯新闻"))
    items = list(art.items)
    city = rng.choice(CITIES)
    _insert_captions(rng, items, dt, city)
    lead_kind = rng.choice(("zxw", "paper", "none"))
    src = rng.choice(PROVINCE_PAPERS + ["中国新闻网", "央视新闻客户端"])
    reporters: list[str] = []
    if lead_kind == "zxw":
        src = "中国新闻网"
        reporters = _names(rng, 1)
        _prefix_first_body(items, f"中新网{city}{dt.cn_md()}电 (记者 {reporters[0]})")
    elif lead_kind == "paper":
        reporters = _names(rng, rng.randint(1, 2))
        comm = _names(rng, rng.randint(0, 2))
        _prefix_first_body(items, "本报讯" + _author_line(rng, reporters, comm))
        reporters = reporters + comm
    date_text, iso, tm = dt.render(rng, ("dash_hm", "dash_hms", "cn_hm", "noyear_hm"))
    lines: list[tuple[str, str]] = []
    lines.append(
        (
            rng.choice(
                (
                    "首页 新闻 体育 财经 娱乐 科技 汽车 房产 时尚 视频",
                    "新闻 | 国内 | 国际 | 社会 | 评论 | 图片",
                    "要闻 财经 科技 体育 娱乐 军事 更多",
                )
            ),
            "boilerplate",
        )
    )
    if rng.random() < 0.4:
        lines.append((rng.choice(("打开APP，阅读体验更佳", "下载客户端 独家抢先看", "广告")), "boilerplate"))
    lines.append((art.title, "title"))
    sep = rng.choice(("  ", "　", " | "))
    lines.append((f"{date_text}{sep}来源: {src}", "meta"))
    if rng.random() < 0.5:
        lines.append((rng.choice(("举报", "字号 关注", "0 评论 收藏")), "boilerplate"))
    lines += _body_lines(items, indent)
    if rng.random() < 0.4:
        lines.append((rng.choice(("上一页 1 2 3 下一页", "上一页 下一页", "1 2 下一页 余下全文")), "boilerplate"))
    editor = _name(rng)
    lines.append((rng.choice((f"责任编辑：{editor}", f"[责任编辑:{editor}]", f"责编：{editor} ")), "meta"))
    if site == "搜狐":
        lines.append(("返回搜狐，查看更多", "boilerplate"))
        lines.append(
            ("声明：该文观点仅代表作者本人，搜狐号系信息发布平台，搜狐仅提供信息存储空间服务。", "boilerplate")
        )
    elif rng.random() < 0.5:
        lines.append(
            (
                rng.choice(
                    (
                        "特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台用户上传并发布，本平台仅提供信息存储服务。",
                        "本文来自网络，如有侵权请联系删除。",
                    )
                ),
                "boilerplate",
            )
        )
    lines.append(_share(rng))
    lines += _comments(rng, "portal")
    lines += _related_block(rng, rng.choice(("猜你喜欢", "为您推荐", "24小时热文", "热门推荐")), dt, {art.title})
    lines += _copyright(rng, site)
    meta = {"title": art.title, "date": iso, "time": tm, "source": src, "authors": reporters}
    return lines, meta


def fam_paper(rng: random.Random, art: Article, dt: _Date, indent: str):
    reporters = _names(rng, rng.randint(1, 2))
    date_text, iso, tm = dt.render(rng, ("dash_hm", "dash_hms"))
    src = rng.choice(("澎湃新闻", "界面新闻", "上观新闻", "红星新闻"))
    lines: list[tuple[str, str]] = []
    if rng.random() < 0.5:
        lines.append((f"{src} > {rng.choice(CHANNELS)}", "boilerplate"))
    lines.append((art.title, "title"))
    if art.deck:
        lines.append((art.deck, "title"))
    lines.append((f"{src}记者 {' '.join(reporters)}", "meta"))
    lines.append((f"{date_text} 来源：{src}", "meta"))
    lines += _body_lines(art.items, indent)
    if rng.random() < 0.6:
        editor = _name(rng)
        lines.append((f"责任编辑：{editor}　图片编辑：{_name(rng)}", "meta"))
        lines.append((f"校对：{_name(rng)}", "meta"))
    lines.append((f"关键词 >> {'，'.join(rng.sample(CATEGORIES, 3))}", "boilerplate"))
    lines.append((f"特别声明：本文为{src}原创，未经授权禁止转载。", "boilerplate"))
    lines.append((f"{src}报料：{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}", "boilerplate"))
    lines += _related_block(rng, rng.choice(("延伸阅读", "相关推荐", "更多精彩")), dt, {art.title})
    lines += _copyright(rng, src)
    meta = {"title": art.title, "date": iso, "time": tm, "source": src, "authors": reporters}
    return lines, meta


def fam_gov(rng: random.Random, art: Article, dt: _Date, indent: str):
    city = rng.choice(CITIES)
    office = rng.choice(("市发展改革委", "市政府办公室", "区融媒体中心", "市农业农村局", "县文化和旅游局"))
    author = _names(rng, 1)
    date_text, iso, tm = dt.render(rng, ("dash", "dash_hms", "cn"))
    lines: list[tuple[str, str]] = []
    lines.append((f"{city}市人民政府门户网站", "boilerplate"))
    lines.append(("首页 | 政务公开 | 政务服务 | 互动交流 | 走进" + city, "boilerplate"))
    lines.append(
        (
            rng.choice(
                (
                    "您当前的位置：首页 > 政务公开 > 工作动态",
                    "当前位置：首页 >> 新闻中心 >> 部门动态",
                    "您现在的位置: 首页 > 信息公开",
                )
            ),
            "boilerplate",
        )
    )
    lines.append((art.title, "title"))
    has_author = rng.random() < 0.6
    parts = [f"发布时间：{date_text}", f"来源：{office}"]
    if has_author:
        parts.append(f"作者：{author[0]}")
    if rng.random() < 0.6:
        parts.append(f"浏览次数：{rng.randint(10, 9999)}")
    lines.append(("  ".join(parts), "meta"))
    lines.append(
        (
            rng.choice(
                ("【字体：大 中 小】 【打印本页】 【关闭窗口】", "字号：T|T  打印  关闭", "【大 中 小】【打印】")
            ),
            "boilerplate",
        )
    )
    lines += _body_lines(art.items, indent)
    if rng.random() < 0.5:
        lines.append(("附件：", "boilerplate"))
    h1, h2 = _headlines(rng, 2, {art.title})
    lines.append((f"上一篇：{h1}", "related"))
    lines.append((f"下一篇：{h2}", "related"))
    lines.append(("【打印本页】【关闭窗口】", "boilerplate"))
    lines.append((f"主办单位：{city}市人民政府办公室　承办单位：{city}市大数据中心", "boilerplate"))
    lines.append(
        (
            f"网站标识码：{rng.randint(1000000000, 9999999999)}　{rng.choice('京沪粤浙鄂川陕豫')}ICP备{rng.randint(1000000, 9999999)}号",
            "boilerplate",
        )
    )
    lines.append(("联系我们 | 网站地图 | 隐私声明 | 使用帮助", "boilerplate"))
    meta = {"title": art.title, "date": iso, "time": tm, "source": office, "authors": author if has_author else []}
    return lines, meta


def fam_wechat(rng: random.Random, art: Article, dt: _Date, indent: str):
    account = rng.choice(("青年说", "城事早知道", "基层观察", "政务发布", "晚报微读")) + rng.choice(("", "君", "号"))
    date_text, iso, tm = dt.render(rng, ("dash_hm", "cn", "dash"))
    lines: list[tuple[str, str]] = []
    lines.append((art.title, "title"))
    lines.append((f"{rng.choice(('原创 ', ''))}{account} {date_text}", "meta"))
    if rng.random() < 0.5:
        lines.append(
            (rng.choice(("收录于合集 #基层治理 12个", "收录于话题 #民生", "点击上方蓝字关注我们")), "boilerplate")
        )
    lines += _body_lines(art.items, indent)
    lines.append((rng.choice(("END", "- END -", "—— 完 ——")), "boilerplate"))
    src_paper = rng.choice(PROVINCE_PAPERS)
    has_src = rng.random() < 0.7
    if has_src:
        lines.append((f"来源：{src_paper}", "meta"))
    lines.append((f"编辑：{_name(rng)} | 审核：{_name(rng)}", "meta"))
    lines.append(("长按二维码 关注我们", "boilerplate"))
    lines += _related_block(rng, rng.choice(("往期推荐", "推荐阅读", "往期回顾")), dt, {art.title})
    lines.append((rng.choice(("分享 收藏 在看 点赞", "点击“阅读原文”了解更多", "喜欢此内容的人还喜欢")), "boilerplate"))
    meta = {"title": art.title, "date": iso, "time": tm, "source": src_paper if has_src else None, "authors": []}
    return lines, meta


def fam_forum(rng: random.Random, art: Article, dt: _Date, indent: str):
    user = rng.choice(("老张", "江城过客", "blue_sky", "路人甲", "风吹麦浪")) + str(rng.randint(1, 999))
    date_text, iso, tm = dt.render(rng, ("short_hms",))
    src = rng.choice(PROVINCE_PAPERS)
    lines: list[tuple[str, str]] = []
    lines.append((f"首页 › 论坛 › {rng.choice(('时事评论', '百姓杂谈', '本地新闻'))} › 帖子", "boilerplate"))
    lines.append((f"查看: {rng.randint(100, 99999)}|回复: {rng.randint(0, 300)}", "boilerplate"))
    lines.append((art.title, "title"))
    lines.append((f"楼主  {user}  发表于 {date_text}", "meta"))
    lines.append(("只看该作者 | 倒序浏览 | 阅读模式", "boilerplate"))
    lines.append((f"来源：{src}", "meta"))
    lines += _body_lines(art.items, indent)
    lines.append(("回复 引用 举报 顶 踩", "boilerplate"))
    for i in range(rng.randint(1, 4)):
        lines.append(
            (
                f"{i + 2}楼  {rng.choice(('网友', '游客', 'qq'))}{rng.randint(100, 9999)}  发表于 {dt.y}-{dt.m}-{dt.d} {rng.randint(0, 23)}:{rng.randint(10, 59)}",
                "boilerplate",
            )
        )
        lines.append(
            (rng.choice(("顶一个", "楼主辛苦了，转走了", "说得有道理，支持！", "mark一下，回头细看")), "boilerplate")
        )
    lines.append(("返回列表 发新帖", "boilerplate"))
    meta = {"title": art.title, "date": iso, "time": tm, "source": src, "authors": []}
    return lines, meta


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def fam_epaper(rng: random.Random, art: Article, dt: _Date, indent: str):
    paper = rng.choice(PROVINCE_PAPERS + ["人民日报"])
    reporters = _names(rng, rng.randint(1, 3))
    lines: list[tuple[str, str]] = []
    lines.append(
        (
            f"{paper}　{dt.y}年{dt.m:02d}月{dt.d:02d}日　{dt.weekday()}　第{rng.randint(1, 16):02d}版：{rng.choice(('要闻', '综合', '经济', '社会', '地方新闻'))}",
            "meta",
        )
    )
    lines.append((art.title, "title"))
    if art.deck:
        lines.append(("——" + art.deck, "title"))
    lines.append((f"本报记者　{'　'.join(reporters)}", "meta"))
    width = rng.choice((None, 22, 26, 30))
    for lab, t in art.items:
        if lab == "body" and width:
            # hard-wrapped PDF text: every fragment of a paragraph is still the paragraph
            for frag in _wrap(indent + t, width):
                lines.append((frag, "body"))
        else:
            lines.append(((indent + t) if lab == "body" else t, lab))
    lines.append((f"本版责编：{_name(rng)}　版式设计：{_name(rng)}", "meta"))
    lines.append(
        (f"{paper}社出版　国内统一连续出版物号 CN{rng.randint(11, 65)}-{rng.randint(1, 9999):04d}", "boilerplate")
    )
    lines.append((rng.choice(("上一版　下一版", "返回目录", "第1版　第2版　第3版　第4版")), "boilerplate"))
    meta = {"title": art.title, "date": dt.iso, "time": None, "source": None, "authors": reporters}
    return lines, meta


FAMILY_FUNCS = {
    "xinhua": fam_xinhua,
    "people": fam_people,
    "portal": fam_portal,
    "paper": fam_paper,
    "gov": fam_gov,
    "wechat": fam_wechat,
    "forum": fam_forum,
    "epaper": fam_epaper,
}


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def make_page(rng: random.Random, family: str | None = None) -> Page:
    family = family or rng.choice(FAMILIES)
    art = _article(rng)
    dt = _Date(rng)
    indent = rng.choice(("", "", "　　", "  "))
    lines, meta = FAMILY_FUNCS[family](rng, art, dt, indent)
    traditional = rng.random() < 0.15
    blank = rng.random() < 0.5
    crlf = rng.random() < 0.2
    out: list[str] = []
    zones: list[tuple[int, str]] = []
    conv = _s2t().convert if traditional else None
    for text, label in lines:
        assert label in LABELS, label
        if conv:
            text = conv(text)
        if not text.strip():
            continue
        zones.append((len(out), label))
        out.append(text)
        if blank:
            out.append("")
    sep = "\r\n" if crlf else "\n"
    page_text = sep.join(out) + sep
    meta = dict(meta)
    meta["authors"] = list(meta.get("authors") or [])
    return Page(page_text, zones, meta, family, {"traditional": traditional, "blank": blank, "crlf": crlf})


def make_pages(n: int, seed: int) -> list[Page]:
    """``n`` pages, families in rotation order shuffled per seed; deterministic for ``seed``."""
    rng = random.Random(seed)
    fams = [FAMILIES[i % len(FAMILIES)] for i in range(n)]
    rng.shuffle(fams)
    return [make_page(rng, f) for f in fams]


def page_lines(page: Page) -> list[tuple[int, int, str]]:
    """(start, end, text) of every line of ``page.text`` split on ``\\n``, ``\\r`` excluded."""
    out = []
    pos = 0
    for line in page.text.split("\n"):
        end = pos + len(line)
        core_end = end - 1 if line.endswith("\r") else end
        out.append((pos, core_end, page.text[pos:core_end]))
        pos = end + 1
    return out


if __name__ == "__main__":  # pragma: no cover - eyeballing aid
    import sys

    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    for p in make_pages(int(sys.argv[2]) if len(sys.argv) > 2 else 3, seed):
        print("=" * 20, p.family, p.flags, p.meta)
        lab = dict(p.zones)
        for i, (_, _, t) in enumerate(page_lines(p)):
            if t.strip():
                print(f"{lab[i]:12s}| {t[:80]}")
