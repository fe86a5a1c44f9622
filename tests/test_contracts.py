"""Declared stage contracts (issue 13): what a stage requires, uses and assigns, checked at load time."""

import pytest

import chinese_news_nlp as cnn
from chinese_news_nlp import ConfigError, Doc, Pipeline, StageContractError, Token, create_stage, load, register_stage
from chinese_news_nlp.contracts import check_order, contract_of
from chinese_news_nlp.pipeline import DEFAULT_STAGES, stage_factory

BUILT = []  # names of the test stages built, to show an order is refused before anything is built


@register_stage("test_keywords")
class KeywordStage:
    """A user's stage: the two longest tokens of the document into ``doc.meta["keywords"]``."""

    name = "test_keywords"
    requires = ("text", "tokens")
    assigns = ("meta.keywords",)

    def __init__(self, top: int = 2):
        BUILT.append(self.name)
        self.top = top

    def __call__(self, doc: Doc) -> Doc:
        doc.meta["keywords"] = [t.text for t in sorted(doc.tokens, key=lambda t: -len(t.text))[: self.top]]
        return doc


@register_stage("test_shout")
class ShoutStage:
    """A user's stage that rewrites the text (full-width ！ for !): what reads the text must come after it."""

    name = "test_shout"
    requires = ("text",)
    assigns = ("text",)

    def __call__(self, doc: Doc) -> Doc:
        from chinese_news_nlp.alignment import Edit

        doc.apply_edits([Edit(i, i + 1, "！") for i, ch in enumerate(doc.text) if ch == "!"])
        return doc


@register_stage("test_bad_declaration")
class BadDeclarationStage:
    name = "test_bad_declaration"
    requires = "tokens"  # a string, not a tuple: the classic slip

    def __call__(self, doc: Doc) -> Doc:
        return doc


def test_every_built_in_stage_declares_and_the_default_order_passes():
    contracts = check_order([(name, stage_factory(name)) for name in DEFAULT_STAGES])
    assert all(c.declared for c in contracts), [c.name for c in contracts if not c.declared]
    by_name = {c.name: c for c in contracts}
    assert "repairs" in by_name["repair"].assigns and "tokens" in by_name["segment"].assigns
    assert {"entities", "officials"} <= set(by_name["entities"].assigns)
    assert "facts" in by_name["facts"].assigns
    load()  # the default pipeline builds


@pytest.mark.parametrize(
    "order, message",
    [
        (["convert", "repair"], "'convert' reads doc.repairs, which 'repair' assigns after it: put 'repair' before"),
        (["zones", "repair", "convert"], "'zones' reads doc.text, which 'repair' assigns after it"),
        (["segment", "convert"], "'segment' reads doc.text, which 'convert' assigns after it"),
        (["repair", "facts", "zones"], "'facts' reads doc.zones, which 'zones' assigns after it"),
        (["convert", "facts", "entities"], "'facts' reads doc.entities, which 'entities' assigns after it"),
    ],
)
def test_an_impossible_order_is_refused_at_load_time(order, message):
    with pytest.raises(StageContractError, match=message):
        load(order)


def test_an_order_error_comes_before_any_stage_is_built():
    BUILT.clear()
    with pytest.raises(StageContractError, match="'test_keywords' requires doc.tokens, which no stage before it"):
        load(["convert", "test_keywords", "segment"])
    assert BUILT == []


def test_a_users_stage_is_checked_like_the_built_in_ones():
    with pytest.raises(StageContractError, match="'segment', after it, does: put it first"):
        load(["test_keywords", "segment"], segment={"engine": "jieba"})
    with pytest.raises(StageContractError, match="'segment' reads doc.text, which 'test_shout' assigns after it"):
        load(["segment", "test_shout"], segment={"engine": "jieba"})
    nlp = load(["test_shout", "segment", "test_keywords"], segment={"engine": "jieba"}, test_keywords={"top": 1})
    doc = nlp("发展经济!中华人民共和国")
    assert doc.text == "发展经济！中华人民共和国" and doc.meta["keywords"] == ["中华人民共和国"]
    doc.check()


def test_a_users_stage_config_keys_are_checked_too():
    with pytest.raises(ConfigError, match="stage 'test_keywords' has no option 'topp'; its options: top"):
        load(["segment", "test_keywords"], test_keywords={"topp": 3})


def test_a_pipeline_built_by_hand_is_checked_too():
    keywords, segment = create_stage("test_keywords"), create_stage("segment", engine="jieba")
    with pytest.raises(StageContractError, match="requires doc.tokens"):
        Pipeline([keywords, segment])
    assert Pipeline([segment, keywords])("北京欢迎你").meta["keywords"]


def test_bad_declarations_are_named():
    with pytest.raises(StageContractError, match=r"declares requires='tokens': a tuple of Doc attribute names"):
        load(["test_bad_declaration"])

    class Typo:
        name = "typo"
        uses = ("token",)

    with pytest.raises(StageContractError, match="declares uses 'token', which is not a Doc attribute"):
        contract_of("typo", Typo)


def test_a_stage_that_rewrites_what_is_there_does_not_make_it():
    class Recut:  # re-cuts tokens when a segmenter made them, like the entity stage
        name = "recut"
        requires = ("text",)
        uses = ("tokens",)
        assigns = ("tokens",)

    class NeedsTokens:
        name = "needs"
        requires = ("tokens",)

    with pytest.raises(StageContractError, match="'needs' requires doc.tokens"):
        check_order([("recut", Recut), ("needs", NeedsTokens)])
    check_order([("segment", stage_factory("segment")), ("recut", Recut), ("needs", NeedsTokens)])
    # either order of a segmenter and a re-cutter is fine: the re-cutter rewrites, the segmenter cuts anew
    check_order([("recut", Recut), ("segment", stage_factory("segment"))])


def test_meta_keys_from_the_input_count_as_given():
    class NeedsDate:
        name = "needs_date"
        requires = ("meta.date",)

    check_order([("needs_date", NeedsDate)])  # a user may pass date=...: not refused


def test_a_stage_without_declarations_is_not_checked():
    class Old:
        name = "old"

        def __call__(self, doc: Doc) -> Doc:
            doc.tokens = [Token(doc.text, 0, len(doc.text))]
            return doc

    assert not contract_of("old", Old).declared
    assert [t.text for t in Pipeline([Old(), create_stage("convert")])("國").tokens] == ["国"]


def test_the_error_is_a_config_error_of_the_package():
    assert issubclass(cnn.StageContractError, cnn.ConfigError)
