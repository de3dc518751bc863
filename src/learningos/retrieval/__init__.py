"""Retrieval: section embeddings in Qdrant, BM25, hybrid search and context assembly.

- `embeddings`: the `Embedder` interface, local MiniLM (default) and OpenAI.
- `index`: `SectionIndex`, the `content_sections` collection (upserts, deletes, search).
- `lexical`: BM25 over one item's sections, cached per item and version.
- `search`: `search_content`, the hybrid search the API calls.
- `context`: `assemble_context`, the AI roles' context within a token budget, cached.
- `evaluate`: recall@k / MRR / latency on a question set (`learningos eval retrieval`).
"""
