"""The pipeline: an ordered list of named stages, and ``pipe()`` for batches.

A stage is any object with a ``name`` and ``__call__(doc) -> doc``; it may also
offer ``pipe(docs) -> iterator of docs`` to batch model inference, and
``in_pipeline(stage_names)``, called with the names of the pipeline's stages when
a pipeline is built around it.  It declares what it reads and writes on the Doc
(class attributes ``requires``, ``uses``, ``assigns``: :mod:`chinese_news_nlp.contracts`),
and the pipeline refuses an order those declarations rule out.  Stages are
registered by name with :func:`register_stage` and built from keyword config
with :func:`create_stage`.  The pipeline knows nothing else about them.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import re
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Protocol, Union, runtime_checkable

from .contracts import check_order
from .decode import make_doc
from .doc import Doc, Token
from .errors import ChineseNewsNLPError, ConfigError, InputError, StageError, UnknownStageError
from .pieces import PIECE_CHARS, piece_bounds, split_doc, stitch

DEFAULT_STAGES = ("repair", "convert", "zones", "segment", "entities", "facts")

# Where each built-in stage lives; imported on first use so that `import
# chinese_news_nlp` stays cheap and a missing optional engine hurts no one else.
_BUILTIN_MODULES = {
    "repair": "chinese_news_nlp.repair",
    "convert": "chinese_news_nlp.convert",
    "zones": "chinese_news_nlp.zones",
    "segment": "chinese_news_nlp.segmentation",
    "entities": "chinese_news_nlp.entities",
    "facts": "chinese_news_nlp.facts",
}

_REGISTRY: dict[str, Callable[..., Stage]] = {}

# A document: text, bytes, an html.Html page, or a mapping with "text" (or "html") and optional "id", "date".
DocInput = Union[str, bytes, dict]


@runtime_checkable
class Stage(Protocol):
    name: str

    def __call__(self, doc: Doc) -> Doc: ...


def register_stage(name: str) -> Callable[[Callable[..., Stage]], Callable[..., Stage]]:
    """Class decorator: make a stage buildable as ``create_stage(name, **config)``."""

    def decorate(factory: Callable[..., Stage]) -> Callable[..., Stage]:
        _REGISTRY[name] = factory
        return factory

    return decorate


def registered_stages() -> list[str]:
    """Names :func:`create_stage` accepts (built-in stages whose module fails to import are left out)."""
    for name in _BUILTIN_MODULES:
        try:
            _load_builtin(name)
        except ImportError:
            continue
    return sorted(_REGISTRY)


def _load_builtin(name: str) -> None:
    if name not in _REGISTRY and name in _BUILTIN_MODULES:
        importlib.import_module(_BUILTIN_MODULES[name])


def stage_factory(name: str) -> Callable[..., Stage]:
    """The class (or factory) registered under ``name``; its module is where worker processes import it from."""
    _load_builtin(name)
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownStageError(f"no stage named {name!r}; known: {', '.join(registered_stages())}") from None


def create_stage(name: str, **config: Any) -> Stage:
    """Build the stage registered under ``name`` with ``config``."""
    return stage_factory(name)(**config)


def check_config(stages: Iterable[str] | None, config: Any) -> tuple[list[str], dict[str, dict]]:
    """``(stage names, per-stage options)`` checked before any stage is built or text read.

    The one check of a pipeline's configuration, used by :func:`load`, by the worker
    processes of ``nlp.pipe(n_process=...)`` and by the corpus runner: every stage name is
    registered, the stages' declared contracts allow their order (:func:`~.contracts.check_order`:
    repair before convert, the fact stage after the entity and zone stages...), config is
    given only for stages in the pipeline, each stage's options are a mapping, and each
    option is one the stage takes.  A stage whose factory takes
    ``**options`` may define ``check_config(options)`` (a static or class method raising
    ``ValueError``) to say which it accepts; otherwise its signature decides.
    Then :func:`build_pipeline` builds the stages, and a stage's own complaint about a value
    (``segment={"engine": "nope"}``) is raised there as :class:`ConfigError`.
    """
    names = list(DEFAULT_STAGES if stages is None else stages)
    # UnknownStageError for a name nobody registered; the declarations are class attributes,
    # so the order is checked before any stage (or model) is built
    check_order([(name, stage_factory(name)) for name in names])
    if not isinstance(config, Mapping):
        raise ConfigError(
            f'config must map stage names to options, e.g. {{"segment": {{"engine": "lac"}}}}, not {config!r}'
        )
    unknown = set(config) - set(names)
    if unknown:
        raise UnknownStageError(f"config given for stages not in the pipeline: {sorted(unknown)}")
    checked: dict[str, dict] = {}
    for name, options in config.items():
        if not isinstance(options, Mapping):
            raise ConfigError(f"the options of stage {name!r} must be a mapping of option to value, not {options!r}")
        _check_options(name, stage_factory(name), dict(options))
        checked[name] = dict(options)
    return names, checked


def _check_options(name: str, factory: Callable[..., Stage], options: dict[str, Any]) -> None:
    custom = getattr(factory, "check_config", None)
    if custom is not None:
        try:
            custom(options)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"stage {name!r}: {exc}") from None
        return
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # a builtin or C factory: its constructor decides
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    accepted = [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        known = ", ".join(accepted) or "none"
        raise ConfigError(f"stage {name!r} has no option {', '.join(map(repr, unknown))}; its options: {known}")


class Pipeline:
    """Run stages in order over documents.

    ``nlp(text_or_bytes, date=None, id=None)`` returns a :class:`Doc` and raises
    on failure; ``nlp.pipe(items)`` yields one Doc per item, in input order, and
    records a failure in ``doc.error`` instead of raising.
    """

    def __init__(
        self,
        stages: Iterable[Stage] = (),
        *,
        max_chars: int = 2_000_000,
        piece_chars: int = PIECE_CHARS,
        spec: dict | None = None,
    ):
        self.stages: list[Stage] = list(stages)
        check_order([(getattr(s, "name", type(s).__name__), s) for s in self.stages])
        self.max_chars = max_chars
        # Longer documents go through the stages in pieces of about this size (chinese_news_nlp.pieces).
        self.piece_chars = piece_chars
        # How to say "raise max_chars" to whoever runs this pipeline (the CLI says --max-chars).
        self.limit_hint = "load(max_chars=...)"
        # How to rebuild this pipeline in a worker process (see load()).
        self._spec = spec
        # A stage may adapt to the stages beside it (segmentation reads LAC's words from
        # the entity stage's pass): it offers in_pipeline(stage_names).
        for stage in self.stages:
            hook = getattr(stage, "in_pipeline", None)
            if callable(hook):
                hook(self.stage_names)

    # -- composition ----------------------------------------------------------------
    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]

    def get_stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise UnknownStageError(f"pipeline has no stage {name!r}; it has {self.stage_names}")

    def __getitem__(self, name: str) -> Stage:
        return self.get_stage(name)

    def __repr__(self) -> str:
        return f"Pipeline({self.stage_names})"

    # -- one document -------------------------------------------------------------
    def make_doc(self, item: DocInput, date: str | None = None, id: str | None = None) -> Doc:
        """Decode and validate input into a Doc that no stage has touched."""
        return make_doc(item, date=date, id=id, max_chars=self.max_chars, limit_hint=self.limit_hint)

    def __call__(self, item: DocInput, date: str | None = None, id: str | None = None) -> Doc:
        doc = self.make_doc(item, date=date, id=id)
        if self.is_large(doc):
            return stitch(doc, self._pieces(doc, strict=True))
        return self._finish(self._run_strict(doc))

    def is_large(self, doc: Doc) -> bool:
        """Whether ``doc`` goes through the stages in pieces (see :mod:`chinese_news_nlp.pieces`)."""
        return len(doc.text) > self.piece_chars and doc.error is None

    def _run_strict(self, doc: Doc, where: str = "") -> Doc:
        for stage in self.stages:
            try:
                done = stage(doc)
            except ChineseNewsNLPError:
                raise
            except Exception as exc:  # a bug or a model failure: say which stage, keep the cause
                raise StageError(stage.name, f"{type(exc).__name__}: {exc}{where}") from exc
            if not isinstance(done, Doc):
                raise StageError(stage.name, f"{_not_a_doc(done)}{where}")
            doc = done
        return doc

    def _finish(self, doc: Doc) -> Doc:
        doc.fill_raw_offsets()
        keep_controls_out(doc)
        return doc

    def _pieces(self, doc: Doc, strict: bool = False) -> Iterator[tuple[int, Doc]]:
        """``(raw offset, processed piece)`` of a large ``doc``, one piece through every stage at a
        time, so that no stage holds more than one piece; stops after a piece that failed."""
        for raw_offset, piece in split_doc(doc, piece_bounds(doc.text, self.piece_chars)):
            if strict:
                where = f" (in the piece at characters {raw_offset:,}–{raw_offset + len(piece.raw):,})"
                yield raw_offset, self._finish(self._run_strict(piece, where))
                continue
            for stage in self.stages:
                done = self._run_stage_aligned(stage, [piece])[0]
                if done is None:  # the piece that failed, carrying the error
                    yield raw_offset, piece
                    return
                piece = done  # a stage may return another Doc than it was given
            yield raw_offset, self._finish(piece)

    # -- many documents -------------------------------------------------------------
    def pipe(
        self,
        items: Iterable[DocInput],
        batch_size: int = 32,
        n_process: int = 1,
        ids: Iterable[str] | None = None,
        timeout: float | None = None,
    ) -> Iterator[Doc]:
        """Yield a Doc per item, in order; a failure becomes ``doc.error``.

        Items are ``str``, ``bytes`` or mappings with ``text`` (and optional
        ``id``, ``date``).  Work is streamed in batches of ``batch_size``.
        ``timeout``: seconds per document (or piece of a large one) and stage, after which
        the document is recorded as timed out (``doc.error["type"] == "DocumentTimeoutError"``).

        With ``n_process > 1`` batches go to worker processes through the corpus runner's
        pool (:mod:`chinese_news_nlp.corpus.pool`): each builds the pipeline once from this
        one's stages and options, with the same checks as :func:`load`, and warms its models
        up before the first batch; a worker that dies or overruns its batch's deadline (then
        it is killed) is replaced and its documents retried one by one, so a crash in native
        code costs one document, recorded in ``doc.error``, not the run.  Workers are
        started with ``spawn``: a script that calls this needs the
        ``if __name__ == "__main__":`` guard.
        """
        keyed = _with_ids(items, ids)
        batches = batched(keyed, batch_size)
        if n_process <= 1:
            nlp = self._timed(timeout) if timeout else self
            for batch in batches:
                yield from nlp._run_batch(batch)
            return
        if self._spec is None:
            raise ValueError("n_process > 1 needs a pipeline built by chinese_news_nlp.load()")
        from .corpus.worker import pipe_in_workers

        yield from pipe_in_workers(self, batches, n_process, timeout)

    def _timed(self, timeout: float) -> Pipeline:
        """A copy of this pipeline whose stages stop a document after ``timeout`` seconds each
        (the corpus runner's soft time-out: :class:`chinese_news_nlp.corpus.timeout.TimedStage`)."""
        import copy

        from .corpus.timeout import TimedStage

        timed = copy.copy(self)
        timed.stages = [TimedStage(stage, timeout, i) for i, stage in enumerate(self.stages)]
        return timed

    def _run_batch(
        self,
        batch: list[tuple[DocInput, str | None, str | None]],
        assemble: Callable[[Doc, Iterator[tuple[int, Doc]]], Any] = stitch,
    ) -> list[Any]:
        """A Doc per item of ``batch``; a large document is processed in pieces and becomes
        ``assemble(doc, pieces)`` (by default the stitched Doc; the corpus runner encodes the
        pieces for output as they come instead, never holding the whole)."""
        docs: list[Doc] = []
        for item, doc_id, date in batch:
            try:
                if isinstance(item, Unreadable):
                    raise InputError(item.message)
                docs.append(self.make_doc(item, date=date, id=doc_id))
            except InputError as exc:
                docs.append(failed_doc(doc_id, date, "decode", type(exc).__name__, str(exc)))
            except Exception as exc:  # noqa: BLE001 - a bug in decoding or extraction: this document's failure
                docs.append(failed_doc(doc_id, date, "decode", type(exc).__name__, str(exc), trace=True))
        # The slots of the documents still going; each takes the Doc its stage returned, which
        # need not be the one it was given (a stage returning a new Doc had its work dropped here,
        # though nlp() kept it).
        # Large or not as made: a stage that lengthens a document past piece_chars must not send
        # it through the stages again, in pieces.
        large = [self.is_large(d) for d in docs]
        slots = [i for i, d in enumerate(docs) if d.error is None and not large[i]]
        for stage in self.stages:
            done = self._run_stage_aligned(stage, [docs[i] for i in slots])
            for i, doc in zip(slots, done):
                if doc is not None:
                    docs[i] = doc
            slots = [i for i, doc in zip(slots, done) if doc is not None]
        out: list[Any] = []
        for doc, is_large in zip(docs, large):
            try:
                if is_large:
                    out.append(assemble(doc, self._pieces(doc)))
                else:
                    out.append(self._finish(doc) if doc.error is None else doc)
            except Exception as exc:  # noqa: BLE001 - offsets of a stage's spans that do not hold, ...
                out.append(failed_doc(doc.id, doc.date, "finish", type(exc).__name__, str(exc), trace=True))
        return out

    def _run_stage_aligned(self, stage: Stage, docs: list[Doc]) -> list[Doc | None]:
        """What one stage returns for each of ``docs``, in order: ``None`` for a doc that made it
        raise (the doc is marked with the error)."""
        batch_pipe = getattr(stage, "pipe", None)
        if batch_pipe is not None and len(docs) > 1:
            try:
                done = list(batch_pipe(docs))
            except Exception:  # noqa: BLE001 - retry one by one to find the culprit
                done = None
            if done is not None and len(done) == len(docs):
                return [d if isinstance(d, Doc) else _fail_not_a_doc(stage, doc, d) for doc, d in zip(docs, done)]
            # (a batch that came back short or long: one by one, so that no document is lost)
        out: list[Doc | None] = []
        for doc in docs:
            started = time.perf_counter()
            try:
                done = stage(doc)
            except Exception as exc:  # noqa: BLE001 - recorded, never lost
                out.append(None)
                doc.error = {
                    "stage": stage.name,
                    "type": type(exc).__name__,
                    "message": bounded(str(exc) or type(exc).__name__),
                    "traceback": traceback.format_exc(limit=5),
                    "seconds": round(time.perf_counter() - started, 3),
                }
                continue
            out.append(done if isinstance(done, Doc) else _fail_not_a_doc(stage, doc, done))
        return out


def _not_a_doc(value: Any) -> str:
    return f"returned {type(value).__name__}, not a Doc (a stage returns the document it was given, or a new one)"


def _fail_not_a_doc(stage: Stage, doc: Doc, value: Any) -> None:
    """Record on ``doc`` that ``stage`` returned ``value`` instead of a Doc: ``None`` (a forgotten
    ``return doc``) left the document without the later stages' work and without an error, and
    anything else failed the batch in the next stage or when the Doc was finished."""
    doc.error = {"stage": stage.name, "type": "StageError", "message": _not_a_doc(value)}
    return None


# Characters no token, entity or fact may contain.  decode.make_doc already turns control
# characters into spaces; C1 controls next to Latin-1 are left for the repair stage (they may be
# bytes of mojibake), and whatever of them is still there after the stages is kept out here.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def holds_control(text: str) -> bool:
    """Whether ``text`` contains a control character (C0 but tab and line ends, DEL, C1)."""
    return _CONTROL.search(text) is not None


def keep_controls_out(doc: Doc) -> None:
    """Make sure no token, entity, fact or official contains a control character.

    A token is split around the controls it holds (they are not words); an entity, fact or
    official holding one is dropped, since its boundaries are not to be trusted.
    """
    if not _CONTROL.search(doc.text):
        return
    text = doc.text
    tokens: list[Token] = []
    for tok in doc.tokens:
        if not _CONTROL.search(tok.text):
            tokens.append(tok)
            continue
        pos = tok.start
        for part in re.split(f"({_CONTROL.pattern}+)", tok.text):
            if part and not _CONTROL.match(part) and part.strip():
                tokens.append(Token(part, pos, pos + len(part), *doc.to_raw(pos, pos + len(part)), pos=tok.pos))
            pos += len(part)
    doc.tokens = tokens
    doc.entities = [e for e in doc.entities if not _CONTROL.search(text[e.start : e.end])]
    doc.facts = [f for f in doc.facts if not _CONTROL.search(text[f.start : f.end])]
    doc.officials = [o for o in doc.officials if not any(_CONTROL.search(v or "") for v in (o.person, o.title, o.org))]


def bounded(message: str, limit: int = 2000) -> str:
    """``message`` cut to ``limit`` characters (an exception may quote a whole document)."""
    return message if len(message) <= limit else f"{message[:limit]}… ({len(message) - limit:,} more characters)"


def failed_doc(doc_id: str | None, date: str | None, stage: str, kind: str, message: str, trace: bool = False) -> Doc:
    """An empty Doc that keeps a document's id and says why it could not be processed; with
    ``trace``, called while handling an exception (a bug, not bad input), its traceback too."""
    doc = Doc(raw="", meta={k: v for k, v in (("id", doc_id), ("date", date)) if v is not None})
    doc.error = {"stage": stage, "type": kind, "message": message}
    if trace:
        doc.error["traceback"] = traceback.format_exc(limit=5)
    return doc


def _with_ids(
    items: Iterable[DocInput], ids: Iterable[str] | None
) -> Iterator[tuple[DocInput, str | None, str | None]]:
    id_iter = iter(ids) if ids is not None else itertools.repeat(None)
    for item in items:
        doc_id = next(id_iter, None)
        date = None
        if isinstance(item, dict):
            doc_id = item.get("id", doc_id)
            date = item.get("date")
            if item.get("text") is None and item.get("html") is not None:
                from .html import Html

                item = Html(item["html"], url=item.get("url"))
            elif "text" not in item:  # (was an empty document, processed without an error)
                item = Unreadable("the mapping has no 'text' field (nor 'html')")
            else:
                item = item["text"]
        yield item, (str(doc_id) if doc_id is not None else None), date


@dataclass(frozen=True)
class Unreadable:
    """Stands in for an item of ``pipe()`` that holds no document (a mapping without ``text``):
    it becomes a Doc whose error (stage ``decode``, :class:`InputError`) says why."""

    message: str
    content: str = ""  # (pipe_in_workers counts the characters of the items it reads ahead)


def batched(it: Iterable, size: int) -> Iterator[list]:
    """Lists of up to ``size`` consecutive items of ``it``."""
    it = iter(it)
    while batch := list(itertools.islice(it, max(1, size))):
        yield batch


def build_pipeline(
    stages: Iterable[str] | None,
    config: Mapping[str, Mapping],
    max_chars: int = 2_000_000,
    piece_chars: int = PIECE_CHARS,
) -> Pipeline:
    """Check the configuration (:func:`check_config`), then build every stage; a stage that
    rejects its options raises :class:`ConfigError` here, before any document is read."""
    names, config = check_config(stages, config)
    if max_chars < 1 or piece_chars < 1:
        raise ConfigError(f"max_chars and piece_chars must be positive (got {max_chars}, {piece_chars})")
    built = []
    for name in names:
        try:
            built.append(create_stage(name, **config.get(name, {})))
        except (ChineseNewsNLPError, ImportError):
            raise
        except (TypeError, ValueError, KeyError, LookupError) as exc:
            raise ConfigError(f"stage {name!r}: {exc}") from exc
    return Pipeline(built, max_chars=max_chars, piece_chars=piece_chars, spec={"stages": names, "config": config})


def load(
    stages: Iterable[str] | None = None,
    *,
    max_chars: int = 2_000_000,
    piece_chars: int = PIECE_CHARS,
    **config: dict,
) -> Pipeline:
    """Build a pipeline: ``load()`` for the default, ``load(["convert", "segment"])``
    for a subset, and per-stage options by stage name:
    ``load(convert={"config": "s2t"}, segment={"engine": "lac"})``.

    Unknown stages, options and engines are errors here, not on the first document.
    ``max_chars``: longer documents are rejected (:class:`DocumentTooLargeError`);
    ``piece_chars``: longer ones go through the stages in pieces of about this size.
    """
    return build_pipeline(stages, config, max_chars=max_chars, piece_chars=piece_chars)


__all__ = [
    "DEFAULT_STAGES",
    "ConfigError",
    "Pipeline",
    "Stage",
    "StageError",
    "check_config",
    "create_stage",
    "load",
    "register_stage",
    "registered_stages",
    "stage_factory",
]
