"""The pipeline: an ordered list of named stages, and ``pipe()`` for batches.

A stage is any object with a ``name`` and ``__call__(doc) -> doc``; it may also
offer ``pipe(docs) -> iterator of docs`` to batch model inference.  Stages are
registered by name with :func:`register_stage` and built from keyword config
with :func:`create_stage`.  The pipeline knows nothing else about them.
"""

from __future__ import annotations

import importlib
import itertools
import time
import traceback
from typing import Any, Callable, Iterable, Iterator, Protocol, Union, runtime_checkable

from .decode import make_doc
from .doc import Doc
from .errors import ChineseNewsNLPError, InputError, StageError, UnknownStageError

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


class Pipeline:
    """Run stages in order over documents.

    ``nlp(text_or_bytes, date=None, id=None)`` returns a :class:`Doc` and raises
    on failure; ``nlp.pipe(items)`` yields one Doc per item, in input order, and
    records a failure in ``doc.error`` instead of raising.
    """

    def __init__(self, stages: Iterable[Stage] = (), *, max_chars: int = 2_000_000, spec: dict | None = None):
        self.stages: list[Stage] = list(stages)
        self.max_chars = max_chars
        # How to rebuild this pipeline in a worker process (see load()).
        self._spec = spec

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
        return make_doc(item, date=date, id=id, max_chars=self.max_chars)

    def __call__(self, item: DocInput, date: str | None = None, id: str | None = None) -> Doc:
        doc = self.make_doc(item, date=date, id=id)
        for stage in self.stages:
            try:
                doc = stage(doc)
            except ChineseNewsNLPError:
                raise
            except Exception as exc:  # a bug or a model failure: say which stage, keep the cause
                raise StageError(stage.name, f"{type(exc).__name__}: {exc}") from exc
        doc.fill_raw_offsets()
        return doc

    # -- many documents -------------------------------------------------------------
    def pipe(
        self,
        items: Iterable[DocInput],
        batch_size: int = 32,
        n_process: int = 1,
        ids: Iterable[str] | None = None,
    ) -> Iterator[Doc]:
        """Yield a Doc per item, in order; a failure becomes ``doc.error``.

        Items are ``str``, ``bytes`` or mappings with ``text`` (and optional
        ``id``, ``date``).  Work is streamed in batches of ``batch_size``; with
        ``n_process > 1`` batches go to worker processes that each build the
        pipeline once.
        """
        keyed = _with_ids(items, ids)
        batches = batched(keyed, batch_size)
        if n_process <= 1:
            for batch in batches:
                yield from self._run_batch(batch)
            return
        if self._spec is None:
            raise ValueError("n_process > 1 needs a pipeline built by chinese_news_nlp.load()")
        # A supervised pool (chinese_news_nlp.corpus.pool): input order kept, a bounded number of
        # batches in flight, and a worker that dies is replaced, its documents retried one by one,
        # so that a crash in native code costs one document (marked in doc.error), not the run.
        from .corpus.pool import WorkerPool, module_refs

        modules = module_refs(stage_factory(name).__module__ for name in self._spec["stages"])
        pool = WorkerPool(
            n_process,
            initializer=_init_worker,
            initargs=(self._spec, self.max_chars, modules),
            task=_worker_run_batch,
            fail_item=_lost_doc,
        )
        with pool:
            for docs in pool.imap(batches):
                yield from (Doc.from_dict(d) for d in docs)

    def _run_batch(self, batch: list[tuple[DocInput, str | None, str | None]]) -> list[Doc]:
        docs: list[Doc] = []
        for item, doc_id, date in batch:
            try:
                docs.append(self.make_doc(item, date=date, id=doc_id))
            except InputError as exc:
                docs.append(failed_doc(doc_id, date, "decode", type(exc).__name__, str(exc)))
        live = [d for d in docs if d.error is None]
        for stage in self.stages:
            live = self._run_stage(stage, live)
        for doc in docs:
            doc.fill_raw_offsets()
        return docs

    def _run_stage(self, stage: Stage, docs: list[Doc]) -> list[Doc]:
        """Run one stage over a batch; a doc that makes it raise is marked and dropped from later stages."""
        batch_pipe = getattr(stage, "pipe", None)
        if batch_pipe is not None and len(docs) > 1:
            try:
                return list(batch_pipe(docs))
            except Exception:  # noqa: BLE001 - retry one by one to find the culprit
                pass
        out = []
        for doc in docs:
            started = time.perf_counter()
            try:
                out.append(stage(doc))
            except Exception as exc:  # noqa: BLE001 - recorded, never lost
                doc.error = {
                    "stage": stage.name,
                    "type": type(exc).__name__,
                    "message": str(exc) or type(exc).__name__,
                    "traceback": traceback.format_exc(limit=5),
                    "seconds": round(time.perf_counter() - started, 3),
                }
        return out


def failed_doc(doc_id: str | None, date: str | None, stage: str, kind: str, message: str) -> Doc:
    """An empty Doc that keeps a document's id and says why it could not be processed."""
    doc = Doc(raw="", meta={k: v for k, v in (("id", doc_id), ("date", date)) if v is not None})
    doc.error = {"stage": stage, "type": kind, "message": message}
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
            else:
                item = item.get("text", "")
        yield item, (str(doc_id) if doc_id is not None else None), date


def batched(it: Iterable, size: int) -> Iterator[list]:
    """Lists of up to ``size`` consecutive items of ``it``."""
    it = iter(it)
    while batch := list(itertools.islice(it, max(1, size))):
        yield batch


# -- worker processes ---------------------------------------------------------------
_WORKER_PIPELINE: Pipeline | None = None


def _init_worker(spec: dict, max_chars: int, modules: list = (), progress=None) -> None:
    global _WORKER_PIPELINE
    from .corpus.pool import import_modules

    import_modules(modules)  # custom stages register themselves on import
    _WORKER_PIPELINE = build_pipeline(spec["stages"], spec["config"], max_chars=max_chars)


def _worker_run_batch(batch: list) -> list[dict]:
    assert _WORKER_PIPELINE is not None
    return [d.to_dict() for d in _WORKER_PIPELINE._run_batch(batch)]


def _lost_doc(item: tuple, stage_index: int, message: str) -> dict:
    """The record of a document whose worker process died while holding it."""
    _, doc_id, date = item
    return failed_doc(doc_id, date, "worker", "RuntimeError", message).to_dict()


def build_pipeline(stages: Iterable[str] | None, config: dict[str, dict], max_chars: int = 2_000_000) -> Pipeline:
    names = list(DEFAULT_STAGES if stages is None else stages)
    unknown = set(config) - set(names)
    if unknown:
        raise UnknownStageError(f"config given for stages not in the pipeline: {sorted(unknown)}")
    built = [create_stage(name, **config.get(name, {})) for name in names]
    return Pipeline(built, max_chars=max_chars, spec={"stages": names, "config": config})


def load(stages: Iterable[str] | None = None, *, max_chars: int = 2_000_000, **config: dict) -> Pipeline:
    """Build a pipeline: ``load()`` for the default, ``load(["convert", "segment"])``
    for a subset, and per-stage options by stage name:
    ``load(convert={"config": "s2t"}, segment={"engine": "lac"})``.
    """
    return build_pipeline(stages, {k: dict(v) for k, v in config.items()}, max_chars=max_chars)


__all__ = [
    "DEFAULT_STAGES",
    "Pipeline",
    "Stage",
    "StageError",
    "create_stage",
    "load",
    "register_stage",
    "registered_stages",
    "stage_factory",
]
