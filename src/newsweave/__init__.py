"""newsweave: many outlets' articles in, sourced and cross-checked stories out.

The public API is re-exported here lazily, so ``import newsweave`` does no work::

    import newsweave
    digest = newsweave.digest(["examples/"])
    article = newsweave.read("examples/01_aldane-courier.txt")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "digest": "newsweave.pipeline",
    "read": "newsweave.pipeline",
    "read_all": "newsweave.pipeline",
    "extract": "newsweave.pipeline",
    "DigestConfig": "newsweave.pipeline",
    "ingest": "newsweave.pipeline",
    "stories": "newsweave.pipeline",
    "stored_story": "newsweave.pipeline",
    "stored_digest": "newsweave.pipeline",
    "assign_stories": "newsweave.pipeline",
    "IngestReport": "newsweave.pipeline",
    "open_store": "newsweave.store",
    "Store": "newsweave.store",
    "StoreError": "newsweave.store",
    "ClusterConfig": "newsweave.cluster",
    "CrossCheckConfig": "newsweave.crosscheck",
    "cross_checked": "newsweave.pipeline",
    "summarized": "newsweave.pipeline",
    "SummaryConfig": "newsweave.summarize",
    "LLMConfig": "newsweave.summarize",
    "Summary": "newsweave.records",
    "SummarySentence": "newsweave.records",
    "SummarySource": "newsweave.records",
    "Citation": "newsweave.records",
    "Dropped": "newsweave.records",
    "CrossCheck": "newsweave.records",
    "Fact": "newsweave.records",
    "Statement": "newsweave.records",
    "Conflict": "newsweave.records",
    "StreamClusterer": "newsweave.cluster",
    "cluster_batch": "newsweave.cluster",
    "cluster_stream": "newsweave.cluster",
    "IngestConfig": "newsweave.ingest",
    "CleanConfig": "newsweave.clean",
    "Article": "newsweave.records",
    "Sentence": "newsweave.records",
    "Span": "newsweave.records",
    "Story": "newsweave.records",
    "Digest": "newsweave.records",
    "Problem": "newsweave.records",
    "NewsweaveError": "newsweave.errors",
    "InputError": "newsweave.errors",
    "FormatError": "newsweave.errors",
    "to_json": ("newsweave.render.json", "dumps"),
    "from_json": ("newsweave.render.json", "loads"),
    "to_markdown": ("newsweave.render.markdown", "render"),
}
__all__ = [
    "Article",
    "Citation",
    "CleanConfig",
    "ClusterConfig",
    "Conflict",
    "CrossCheck",
    "CrossCheckConfig",
    "Digest",
    "DigestConfig",
    "Dropped",
    "Fact",
    "FormatError",
    "IngestConfig",
    "IngestReport",
    "InputError",
    "LLMConfig",
    "NewsweaveError",
    "Problem",
    "Sentence",
    "Span",
    "Statement",
    "Store",
    "StoreError",
    "Story",
    "StreamClusterer",
    "Summary",
    "SummaryConfig",
    "SummarySentence",
    "SummarySource",
    "assign_stories",
    "cluster_batch",
    "cluster_stream",
    "cross_checked",
    "digest",
    "extract",
    "from_json",
    "ingest",
    "open_store",
    "read",
    "read_all",
    "stored_digest",
    "stored_story",
    "stories",
    "summarized",
    "to_json",
    "to_markdown",
]

if TYPE_CHECKING:
    from newsweave.clean import CleanConfig
    from newsweave.cluster import ClusterConfig, StreamClusterer, cluster_batch, cluster_stream
    from newsweave.crosscheck import CrossCheckConfig
    from newsweave.errors import FormatError, InputError, NewsweaveError
    from newsweave.ingest import IngestConfig
    from newsweave.pipeline import (
        DigestConfig,
        IngestReport,
        assign_stories,
        cross_checked,
        digest,
        extract,
        ingest,
        read,
        read_all,
        stored_digest,
        stored_story,
        stories,
        summarized,
    )
    from newsweave.records import (
        Article,
        Citation,
        Conflict,
        CrossCheck,
        Digest,
        Dropped,
        Fact,
        Problem,
        Sentence,
        Span,
        Statement,
        Story,
        Summary,
        SummarySentence,
        SummarySource,
    )
    from newsweave.render.json import dumps as to_json
    from newsweave.render.json import loads as from_json
    from newsweave.render.markdown import render as to_markdown
    from newsweave.store import Store, StoreError, open_store
    from newsweave.summarize import LLMConfig, SummaryConfig


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'newsweave' has no attribute {name!r}")
    module_name, attribute = target if isinstance(target, tuple) else (target, name)
    value = getattr(import_module(module_name), attribute)
    globals()[name] = value  # later lookups skip this function
    return value
