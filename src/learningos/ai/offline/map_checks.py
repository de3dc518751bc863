"""Counts of what makes a learning map read badly, for `learningos eval map`: concepts that
are the book's furniture, repeated or numbered titles, long descriptions and descriptions that
need their surroundings. Independent of how the planner chose them (plain patterns)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from learningos.ai.offline import keyphrases as kp
from learningos.ai.offline import nlp

_FURNITURE = re.compile(
    r"\b(?:debugging|glossary|exercises?|preface|contributors?|acknowledge?ments|further "
    r"reading|solutions|review questions|case stud(?:y|ies))\b",
    re.I,
)
_NUMBERED = re.compile(r"^\s*(?:\d|(?:chapter|section|part)\s+\d)", re.I)
_DANGLING = re.compile(
    r"^(?:in this|if you|this |these |that |it |they |the result|for each|where |here |so |"
    r"and |but |then |now |i |we )|\bthis code\b|\b(?:above|below)\b"
    r"|\b(?:chapter|section|page|p\.)\s*\d|\b\d{1,2}\.\d{1,2}\s+[A-Z]",
    re.I,
)


def map_checks(concepts: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Counts over a map's concepts (dicts with title, description, prerequisites)."""
    lexicon = kp.Lexicon(kp.stopwords_for(""))
    keys: set[str] = set()
    duplicates = 0
    for concept in concepts:
        stems = sorted(kp.word_key(w) for run in lexicon.runs(concept["title"]) for w in run)
        key = " ".join(stems) or concept["title"].casefold()
        duplicates += key in keys
        keys.add(key)
    sentences = [nlp.sentences(c["description"]) for c in concepts]
    return {
        "concepts": len(concepts),
        "boilerplate_titles": sum(1 for c in concepts if _FURNITURE.search(c["title"])),
        "duplicate_titles": duplicates,
        "numbered_titles": sum(1 for c in concepts if _NUMBERED.match(c["title"])),
        "descriptions_over_two_sentences": sum(1 for s in sentences if len(s) > 2),
        "dangling_descriptions": sum(1 for s in sentences if any(_DANGLING.search(x) for x in s)),
        "with_prerequisites": sum(1 for c in concepts if c["prerequisites"]),
    }
