"""Context for the AI roles: concept + top sections + the learner's notes and past mistakes.

The whole context stays within a token budget (4,000 by default), counted with MiniLM's
WordPiece tokenizer, which ships with the local model (no download; `tiktoken` fetches its
files from the internet on first use, so it is not used). WordPiece counts are a proxy for
the chat model's tokens, close for English prose. Sources (section, pages) are kept for
citations. Assemblies are cached by a key of all their inputs and the item's generation,
which `invalidate_content` changes when an item's sections change.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.cache import Cache
from learningos.retrieval.embeddings import local_model_path
from learningos.retrieval.index import Hit, SectionIndex
from learningos.retrieval.search import search_with_docs

CACHE_TTL_SECONDS = 6 * 3600
_SHARES = {"concept": 0.25, "notes": 0.15, "mistakes": 0.15}  # caps, as shares of the budget
_MIN_SECTION_TOKENS = 48  # a source cut shorter than this is left out


@dataclass
class Context:
    text: str
    sources: list[Hit]
    tokens: int
    source_texts: list[str] = field(default_factory=list)  # each source as included (cut)


class TokenCounter:
    """Counts and cuts text in MiniLM WordPiece tokens (no special tokens). Counts add up
    across whitespace, so parts can be counted separately and joined by blank lines."""

    def __init__(self) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(local_model_path() / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def count(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def cut(self, text: str, limit: int) -> str:
        """The longest prefix of whole words of at most `limit` tokens."""
        if limit <= 0:
            return ""
        offsets = self._tokenizer.encode(text, add_special_tokens=False).offsets
        if len(offsets) <= limit:
            return text
        end = offsets[limit][0]  # where the first token that does not fit starts
        if not text[end - 1 : end].isspace():  # inside a word: drop the partial word
            end = max(text.rfind(" ", 0, end), text.rfind("\n", 0, end), 0)
        return text[:end].rstrip()


_counter: TokenCounter | None = None
_counter_lock = threading.Lock()


def token_counter() -> TokenCounter:
    """The process's token counter (the tokenizer file loads once)."""
    global _counter
    with _counter_lock:
        if _counter is None:
            _counter = TokenCounter()
        return _counter


def _block(counter: TokenCounter, heading: str, body: str, cap: int) -> str:
    body = body.strip()
    if not body:
        return ""
    text = counter.cut(f"{heading}\n{body}", cap)
    return text if len(text) > len(heading) else ""


def _list_block(counter: TokenCounter, heading: str, items: list[str], cap: int) -> str:
    lines = [heading]
    used = counter.count(heading)
    for item in (i.strip() for i in items):
        if not item:
            continue
        line = counter.cut(f"- {item}", cap - used)
        if counter.count(line) < min(8, counter.count(f"- {item}")):
            break
        lines.append(line)
        used += counter.count(line)
    return "\n".join(lines) if len(lines) > 1 else ""


def _source_blocks(
    counter: TokenCounter, hits: list[Hit], texts: dict[uuid.UUID, str], room: int
) -> tuple[list[str], list[Hit], list[str]]:
    """Numbered sources in rank order; the last one is cut to fit, unless too little of it
    would remain."""
    blocks: list[str] = ["## Sources"]
    kept: list[Hit] = []
    texts_kept: list[str] = []
    room -= counter.count(blocks[0])
    for hit in hits:
        text = texts.get(hit.section_id, "").strip()
        if not text:
            continue
        full = f"[{len(kept) + 1}] {hit.title}{_pages(hit)}\n{text}"
        block = counter.cut(full, room)
        tokens = counter.count(block)
        if not block or (block != full and tokens < _MIN_SECTION_TOKENS):
            break
        blocks.append(block)
        kept.append(hit)
        texts_kept.append(block.split("\n", 1)[1] if "\n" in block else "")
        room -= tokens
    return (blocks, kept, texts_kept) if kept else ([], [], [])


def build_context(
    concept_text: str,
    hits: list[Hit],
    texts: dict[uuid.UUID, str],
    notes: list[str],
    mistakes: list[str],
    budget_tokens: int = 4000,
) -> Context:
    """Lay out the context within the budget: the concept (at most a quarter of it), then
    the sources in rank order, then notes and mistakes (at most 15 % each); the sources get
    all the room the others leave."""
    counter = token_counter()
    concept = _block(counter, "## Concept", concept_text, int(budget_tokens * _SHARES["concept"]))
    notes_block = _list_block(
        counter, "## Learner's notes", notes, int(budget_tokens * _SHARES["notes"])
    )
    mistakes_block = _list_block(
        counter, "## Past mistakes", mistakes, int(budget_tokens * _SHARES["mistakes"])
    )
    others = [b for b in (concept, notes_block, mistakes_block) if b]
    room = budget_tokens - sum(counter.count(b) for b in others)
    sources, kept, kept_texts = _source_blocks(counter, hits, texts, room)
    parts = [b for b in (concept, *sources, notes_block, mistakes_block) if b]
    text = "\n\n".join(parts)
    return Context(text=text, sources=kept, tokens=counter.count(text), source_texts=kept_texts)


def page_label(start: int | None, end: int | None) -> str:
    """ "p. 4" or "pp. 4-6"; empty without a page."""
    if start is None:
        return ""
    if end in (None, start):
        return f"p. {start}"
    return f"pp. {start}-{end}"


def _pages(hit: Hit) -> str:
    label = page_label(hit.page_start, hit.page_end)
    return f" ({label})" if label else ""


def _generation_key(content_id: uuid.UUID) -> str:
    return f"retrieval:generation:{content_id}"


async def invalidate_content(cache: Cache, content_id: uuid.UUID) -> None:
    """Make cached contexts of this item stale (call after its sections or vectors change)."""
    await cache.set(_generation_key(content_id), uuid.uuid4().hex)


def _key(generation: str, index: SectionIndex, inputs: dict[str, Any]) -> str:
    raw = json.dumps({"g": generation, "e": index.embedder.name, **inputs}, sort_keys=True)
    return "retrieval:context:" + hashlib.sha256(raw.encode()).hexdigest()


def _dump(context: Context) -> str:
    sources = [{**asdict(h), "section_id": str(h.section_id)} for h in context.sources]
    return json.dumps(
        {
            "text": context.text,
            "tokens": context.tokens,
            "sources": sources,
            "source_texts": context.source_texts,
        }
    )


def _load(raw: str) -> Context:
    data = json.loads(raw)
    sources = [Hit(**{**s, "section_id": uuid.UUID(s["section_id"])}) for s in data["sources"]]
    return Context(
        text=data["text"],
        sources=sources,
        tokens=data["tokens"],
        source_texts=data.get("source_texts", []),
    )


async def assemble_context(
    session: AsyncSession,
    index: SectionIndex,
    cache: Cache,
    *,
    content_id: uuid.UUID,
    concept_text: str,
    notes: list[str],
    mistakes: list[str],
    k: int = 4,
    budget_tokens: int = 4000,
) -> Context:
    """The context for an AI role about one concept of one content item, from the cache
    when the same inputs were assembled before. The caller checks read access."""
    inputs: dict[str, Any] = {"c": str(content_id), "q": concept_text, "n": notes}
    inputs |= {"m": mistakes, "k": k, "b": budget_tokens}
    generation = await cache.get(_generation_key(content_id)) or "0"
    key = _key(generation, index, inputs)
    cached = await cache.get(key)
    if cached is not None:
        return _load(cached)
    hits, lexical = await search_with_docs(session, index, content_id, concept_text, k)
    texts = {
        h.section_id: lexical.docs[lexical.position[h.section_id]].text
        for h in hits
        if h.section_id in lexical.position
    }
    context = build_context(concept_text, hits, texts, notes, mistakes, budget_tokens)
    await cache.set(key, _dump(context), CACHE_TTL_SECONDS)
    return context
