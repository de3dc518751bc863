"""The planner's view of a document: units of study and how they group into concepts.

A unit is a section worth learning from (front matter, glossaries, indexes and reference
lists are left out; retrieval chunks are folded into their parent section) or a topical part
of one. Units are grouped so that a book gives a usable map: tiny sections join a neighbour,
small sibling sections merge, and a text without headings is cut into topical parts.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from learningos.ai.inputs import SectionInput
from learningos.ai.offline import keyphrases as kp
from learningos.ai.offline import nlp
from learningos.ai.offline.keyphrases import Gram
from learningos.content.headings import heading_kind
from learningos.retrieval.embeddings import Embedder

MAX_CONCEPTS = 60
TINY_WORDS = 40  # a section shorter than this joins a neighbour
SPLIT_BLOCKS = 40  # sentence groups embedded to cut one untitled text into parts
NOTHING_TO_PLAN = (
    "Nothing to plan: the material has no readable text outside front matter, glossaries "
    "and indexes."
)

_SKIPPED_KINDS = {"front_matter", "glossary", "exercises"}
_BACK_MATTER = re.compile(
    r"^(?:index|subject index|author index|name index|references|bibliography|works cited"
    r"|literature|further reading|sources|credits|image credits|figure credits|photo credits"
    r"|list of (?:figures|tables|symbols|abbreviations)|abbreviations|notation|symbols"
    r"|colophon|copyright|about the authors?|acknowledge?ments|stichwortverzeichnis"
    r"|sachverzeichnis|register|literatur(?:verzeichnis)?|quellen(?:verzeichnis)?|bildquellen"
    r"|abbildungsverzeichnis|tabellenverzeichnis|abkürzungsverzeichnis|symbolverzeichnis"
    r"|bibliographie|bibliografía|índice|índice alfabético|références)$",
    re.I,
)
# Sections a textbook repeats in every chapter or puts around its matter: never an idea a
# learner explains. Left out like exercises (a section at the top level keeps its place as a
# chapter, but never names a concept).
_BOILERPLATE = re.compile(
    r"^(?:debugging|glossary|vocabulary|key terms|key concepts|exercises?|problems"
    r"|practice problems|review questions|questions|quiz(?:zes)?|self[- ]test|solutions?"
    r"|answers(?: to (?:the )?exercises)?|further reading|preface|foreword|contributors?"
    r"|contributor list|acknowledge?ments|about (?:this book|the authors?)|how to use this book"
    r"|using the code|what['’]?s next|checklist|übungen|übungsaufgaben|aufgaben|lösungen)$",
    re.I,
)
# A case study applies a chapter's ideas; it is no idea of its own ("Case study: word play").
_APPLICATION = re.compile(r"^(?:a )?case stud(?:y|ies)\b|^fallstudie\b", re.I)
_PAGE_REFERENCE_LINE = re.compile(r"\d[\d,–\- ]*$")
_NUMBERING = re.compile(
    r"^(?:(?:chapter|part|section|lecture|lesson|unit|kapitel|teil|abschnitt|chapitre"
    r"|capítulo|appendix|anhang)\s+(?:\d{1,3}|[IVXLC]{1,7}|[A-Z])\b\s*[.:—–-]?\s*"
    r"|\d{1,3}(?:\.\d{1,3})*\.?\s+|[IVXLC]{1,7}\.\s+)",
    re.I,
)
_GENERATED_TITLE = re.compile(
    r"^(?:pages?\s+\d+(?:\s*[–-]\s*\d+)?|untitled section|text|front matter)$"
    r"|\(part \d+ of \d+\)$|,\s+pages?\s+\d+(?:\s*[–-]\s*\d+)?$",
    re.I,
)
_WEAK_TITLES = {
    "introduction", "overview", "summary", "discussion", "conclusion", "conclusions",
    "background", "abstract", "motivation", "preliminaries", "remarks", "implementation",
    "einleitung", "zusammenfassung", "einführung", "fazit", "résumé", "introducción",
}  # fmt: skip
_CHUNK_TITLE = re.compile(r"^(.*) \(part \d+\)$")


@dataclass
class Unit:
    """A piece of the material a concept is taught from: a section, or a part of one."""

    ids: list[str]
    title: str
    level: int
    text: str
    page_start: int | None
    page_end: int | None
    chapter: int = 0
    words: int = 0
    sentences: list[str] = field(default_factory=list)
    grams: Counter[Gram] = field(default_factory=Counter)
    title_grams: set[Gram] = field(default_factory=set)


# --- units from sections --------------------------------------------------------------------


def content_units(sections: Sequence[SectionInput]) -> list[Unit]:
    """The units to learn from, in document order. Exercises and glossaries count only when
    there is nothing else (a problem sheet); front matter never does. Raises ValueError when
    nothing is left."""
    units = _fold_chunks(sections)
    main = [
        u
        for u, kind in units
        if kind not in _SKIPPED_KINDS
        and not _back_matter(u)
        and not (u.level > 1 and boilerplate(u.title))
    ]
    if not any(u.text.strip() for u in main):
        main = [u for u, kind in units if kind in {"exercises", "glossary"}]
    main = [u for u in main if u.text.strip()]
    if not main:
        raise ValueError(NOTHING_TO_PLAN)
    return main


def _fold_chunks(sections: Sequence[SectionInput]) -> list[tuple[Unit, str]]:
    """One unit per section, with its kind. A chunk is a piece of its parent section: dropped
    when the parent (which holds the full text) is there, else joined to its sibling chunks
    and standing for the parent (title, level and kind from the parent's title)."""
    units: list[tuple[Unit, str]] = []
    parent_title: str | None = None
    for s in sections:
        if s.kind != "chunk":
            units.append((_unit(s), s.kind))
            parent_title = s.title if s.text.strip() else None
            continue
        match = _CHUNK_TITLE.match(s.title)
        base = match.group(1) if match else s.title
        if base == parent_title:
            continue
        if units and units[-1][1] == "chunk" and units[-1][0].title == base:
            _append_chunk(units[-1][0], s)
        else:
            unit = _unit(s)
            unit.title, unit.level = base, max(1, s.level - 1)
            units.append((unit, "chunk"))
    return [(u, heading_kind(u.title) if kind == "chunk" else kind) for u, kind in units]


def _unit(s: SectionInput) -> Unit:
    return Unit([s.id], s.title.strip(), max(1, s.level), s.text, s.page_start, s.page_end)


def _append_chunk(unit: Unit, chunk: SectionInput) -> None:
    """Join a chunk to the one before it, without the text they overlap on."""
    text = chunk.text
    for k in range(min(len(unit.text), len(text), 800), 19, -1):
        if unit.text.endswith(text[:k]):
            text = text[k:]
            break
    unit.text = f"{unit.text}\n{text}" if text else unit.text
    unit.ids.append(chunk.id)
    unit.page_start, unit.page_end = page_range([unit, chunk])


def _back_matter(unit: Unit) -> bool:
    """An index, a reference list and the like: by title, or by shape (most lines end in a
    page number)."""
    if _BACK_MATTER.match(strip_numbering(unit.title).strip(" .:").lower()):
        return True
    lines = [line for line in unit.text.split("\n") if line.strip()]
    if len(lines) < 8:
        return False
    numbered = sum(1 for line in lines if _PAGE_REFERENCE_LINE.search(line))
    return numbered >= 0.7 * len(lines)


def boilerplate(title: str) -> bool:
    """A heading of the textbook's furniture ("1.10 Glossary", "5.12 Debugging")."""
    return bool(_BOILERPLATE.match(strip_numbering(title).strip(" .:")))


def page_range(items: Iterable[Unit | SectionInput]) -> tuple[int | None, int | None]:
    listed = list(items)
    starts = [x.page_start for x in listed if x.page_start is not None]
    ends = [x.page_end for x in listed if x.page_end is not None]
    return (min(starts) if starts else None, max(ends) if ends else None)


def analyse(unit: Unit, lexicon: kp.Lexicon) -> None:
    """The cheap text statistics of a unit: words, prose sentences, phrase counts."""
    blocks = kp.prose_blocks(_without_heading(unit.text, unit.title))
    unit.words = kp.word_count(unit.text)
    unit.sentences = kp.block_sentences(blocks)
    unit.grams = lexicon.count(blocks)
    unit.title_grams = kp.title_grams(lexicon, strip_numbering(unit.title))


def _without_heading(text: str, title: str) -> str:
    """The text without the lines that repeat its heading ("Chapter 11", "Regression"), so
    the heading does not run into the first sentence."""
    lines = text.split("\n")
    key = _key(title)
    skip = 0
    while skip < min(3, len(lines)) and (not lines[skip].strip() or _key(lines[skip]) in key):
        skip += 1
    return "\n".join(lines[skip:])


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def assign_chapters(units: list[Unit]) -> list[str | None]:
    """Number the top-level chapters (a unit at the top level opens one) and return their
    titles. In a document whose units are all at one level, each unit is its own chapter."""
    top = min(u.level for u in units)
    titles: list[str | None] = []
    for unit in units:
        if unit.level == top or not titles:
            titles.append(strip_numbering(unit.title) if unit.level == top else None)
        unit.chapter = len(titles) - 1
    return titles


def has_hierarchy(units: Iterable[Unit]) -> bool:
    return len({u.level for u in units}) > 1


# --- titles ---------------------------------------------------------------------------------


def strip_numbering(title: str) -> str:
    """ "2.3 Plotting histograms" → "Plotting histograms"; kept when nothing would be left."""
    stripped = _NUMBERING.sub("", title.strip(), count=1).strip()
    return stripped if re.search(r"[^\W\d_]{3}", stripped) else title.strip()


def meaningful_title(title: str, content_title: str = "") -> bool:
    """Whether a section title names its content (not "Pages 3–5", the first line of a text
    without headings, "Introduction" or the document's own title)."""
    t = strip_numbering(title)
    if not re.search(r"[^\W\d_]{2}", t) or _GENERATED_TITLE.search(t):
        return False
    if t.endswith("…") or len(t) > 90 or len(t.split()) > 12:
        return False
    if t.endswith(".") and len(t.split()) > 5:  # a sentence, not a heading
        return False
    if t.casefold() in _WEAK_TITLES or boilerplate(t) or _APPLICATION.match(t):
        return False
    return t.casefold() != content_title.strip().casefold()


# --- how many concepts, and grouping --------------------------------------------------------


def target_count(words: int) -> int:
    """How many concepts a text of this length should give: about one per 300 words for a
    note, one per 1,100 for a book (words ** 0.65 grows slower than the text), at most 60."""
    return max(1, min(MAX_CONCEPTS, round(words**0.65 / 27)))


def absorb_tiny(groups: list[list[Unit]]) -> list[list[Unit]]:
    """Join groups of fewer than TINY_WORDS words (a chapter's title page, a one-line
    section) to the next group of the same chapter, or else to the previous one."""
    result = [list(g) for g in groups]
    i = 0
    while len(result) > 1 and i < len(result):
        if sum(u.words for u in result[i]) >= TINY_WORDS:
            i += 1
            continue
        chapter = result[i][0].chapter
        if i == 0 or (i + 1 < len(result) and result[i + 1][0].chapter == chapter):
            result[i + 1] = result[i] + result[i + 1]
            del result[i]
        else:
            result[i - 1] = result[i - 1] + result[i]
            del result[i]
            i -= 1  # the group it joined may still be tiny
    return result


@dataclass
class _Group:
    """Units being merged, with their size and single-word counts (for similarity)."""

    units: list[Unit]
    words: int = 0
    vocabulary: Counter[Gram] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.words = sum(u.words for u in self.units)
        for unit in self.units:
            self.vocabulary.update({g: n for g, n in unit.grams.items() if len(g) == 1})

    def absorb(self, other: _Group) -> None:
        self.units.extend(other.units)
        self.words += other.words
        self.vocabulary.update(other.vocabulary)


def merge_to(groups: list[list[Unit]], target: int) -> list[list[Unit]]:
    """Merge neighbouring groups until there are at most `target`: the pair with the fewest
    words together goes first (similar pairs a little sooner), which keeps concepts of even
    size. Within a chapter first; across chapters only if that is not enough."""
    merging = [_Group(list(g)) for g in groups]
    passes = [True, False] if has_hierarchy(u for g in groups for u in g) else [False]
    for within_chapters in passes:
        costs = [_merge_cost(a, b, within_chapters) for a, b in pairwise(merging)]
        while len(merging) > target and costs and min(costs) < math.inf:
            i = min(range(len(costs)), key=lambda k: (costs[k], k))
            merging[i].absorb(merging.pop(i + 1))
            del costs[i]
            if i > 0:
                costs[i - 1] = _merge_cost(merging[i - 1], merging[i], within_chapters)
            if i < len(costs):
                costs[i] = _merge_cost(merging[i], merging[i + 1], within_chapters)
    return [g.units for g in merging]


def _merge_cost(a: _Group, b: _Group, within_chapters: bool) -> float:
    if within_chapters and a.units[-1].chapter != b.units[0].chapter:
        return math.inf
    return (a.words + b.words) * (1.15 - 0.3 * cosine(a.vocabulary, b.vocabulary))


def cosine(a: Counter[Gram], b: Counter[Gram]) -> float:
    """Cosine of two count vectors."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(n * b.get(g, 0) for g, n in a.items())
    norm = math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))
    return dot / norm if norm else 0.0


# --- topical parts of a text without headings -----------------------------------------------


def split_untitled(
    units: list[Unit], target: int, content_title: str, embedder: Embedder, lexicon: kp.Lexicon
) -> list[Unit]:
    """Cut long units without a real title (a text without headings, pages cut by size) into
    topical parts, so that a short unstructured text still gives a few concepts. A document
    of a single section counts as unstructured whatever its title."""
    per_concept = sum(u.words for u in units) / target
    result: list[Unit] = []
    for unit in units:
        untitled = len(units) == 1 or not meaningful_title(unit.title, content_title)
        parts = round(unit.words / per_concept) if untitled else 1
        if parts >= 2:
            result.extend(_topical_parts(unit, parts, embedder, lexicon))
        else:
            result.append(unit)
    return result


def _topical_parts(unit: Unit, parts: int, embedder: Embedder, lexicon: kp.Lexicon) -> list[Unit]:
    """Cut a unit where consecutive stretches of text are least alike (TextTiling with
    sentence embeddings): groups of sentences are embedded and the cuts go to the deepest
    dips in similarity between what comes before and after."""
    sentences = nlp.sentences(unit.text)
    if len(sentences) < 4:
        return [unit]
    per_block = math.ceil(len(sentences) / SPLIT_BLOCKS)
    blocks = [sentences[i : i + per_block] for i in range(0, len(sentences), per_block)]
    # The start of each block is enough to tell its topic, and keeps the embedding cheap.
    vectors = embed(embedder, [" ".join(" ".join(b).split()[:60]) for b in blocks])
    lengths = [sum(len(s.split()) for s in b) for b in blocks]
    cuts = _cut_points(vectors, lengths, min(parts, len(blocks)))
    pieces = [
        [s for block in blocks[start:end] for s in block]
        for start, end in zip([0, *cuts], [*cuts, len(blocks)], strict=True)
    ]
    return _parts_as_units(unit, pieces, lexicon)


def _cut_points(vectors: np.ndarray, lengths: list[int], parts: int) -> list[int]:
    """Block indexes to cut before, `parts - 1` of them, at the least similar boundaries,
    never leaving a part shorter than half the average."""
    n = len(vectors)
    min_part = sum(lengths) / parts / 2
    prefix = np.cumsum([0, *lengths])
    dips = []
    for i in range(1, n):
        before = vectors[max(0, i - 2) : i].mean(axis=0)
        after = vectors[i : i + 2].mean(axis=0)
        norms = float(np.linalg.norm(before) * np.linalg.norm(after)) or 1.0
        dips.append((float(before @ after) / norms, i))
    cuts: list[int] = []
    for _, i in sorted(dips):
        bounds = sorted([0, *cuts, i, n])
        if min(prefix[b] - prefix[a] for a, b in pairwise(bounds)) >= min_part:
            cuts.append(i)
        if len(cuts) == parts - 1:
            break
    return sorted(cuts)


def _parts_as_units(unit: Unit, pieces: list[list[str]], lexicon: kp.Lexicon) -> list[Unit]:
    """Units for the parts of a unit; its pages are shared out in proportion to the text."""
    total = sum(len(" ".join(p)) for p in pieces) or 1
    done = 0
    result = []
    for piece in pieces:
        text = " ".join(piece)
        first = _page_at(unit, done / total)
        done += len(text)
        last = _page_at(unit, max(0.0, (done - 1) / total))
        part = Unit(list(unit.ids), "", unit.level, text, first, last, unit.chapter)
        analyse(part, lexicon)
        result.append(part)
    return result


def _page_at(unit: Unit, share: float) -> int | None:
    if unit.page_start is None or unit.page_end is None:
        return None
    return unit.page_start + int(share * (unit.page_end - unit.page_start + 1) - 1e-9)


def embed(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Unit vectors for the texts in one call, shortest first so each batch pads little."""
    if not texts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
    vectors = embedder.embed([texts[i] for i in order])
    result = np.zeros((len(texts), len(vectors[0])), dtype=np.float32)
    result[order] = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(result, axis=1, keepdims=True)
    return result / np.where(norms == 0, 1.0, norms)


# --- chapters that are one idea, and the ideas a chapter title names ------------------------

ONE_IDEA_SHARE = 0.5  # of a chapter's titled sections naming its title's idea
_TITLE_JOINS = re.compile(r"\s*(?:[,;:&]|\band\b|\bund\b|\bet\b|\bversus\b|\bvs\.?)\s*", re.I)


def title_parts(title: str) -> list[str]:
    """The ideas a chapter title names: "Conditionals and recursion" → ["Conditionals",
    "recursion"]; "Lists" → ["Lists"]."""
    parts = _TITLE_JOINS.split(strip_numbering(title))
    return [p.strip() for p in parts if re.search(r"[^\W\d_]{3}", p)]


def phrase_stems(lexicon: kp.Lexicon, phrase: str) -> frozenset[str]:
    """The stems of a phrase's content words ("The class size paradox" → class, size, paradox)."""
    return frozenset(kp.word_key(w) for run in lexicon.runs(phrase) for w in run)


def names_phrase(lexicon: kp.Lexicon, title: str, phrase: str) -> bool:
    """Whether a section title names the idea of a phrase: all its content words, or its
    acronym ("Plotting PMFs" names "Probability mass functions")."""
    stems = phrase_stems(lexicon, phrase)
    if not stems:
        return False
    own = phrase_stems(lexicon, title)
    if stems <= own:
        return True
    words = [w for run in lexicon.runs(phrase) for w in run]
    if len(words) < 2:
        return False
    acronym = "".join(w[0] for w in words).lower()
    return any(w.strip(".,:;()").lower() in (acronym, acronym + "s") for w in title.split())


def one_idea(chapter_title: str | None, units: list[Unit], lexicon: kp.Lexicon, top: int) -> bool:
    """Whether a chapter is about one idea a learner explains as a whole ("Lists": "A list is
    a sequence", "List slices", "Lists are mutable" …): its title names a single idea and at
    least half of its titled sections (below the chapter's level, `top`) name it again."""
    if not chapter_title or not meaningful_title(chapter_title):
        return False
    if len(title_parts(chapter_title)) != 1 or len(chapter_title.split()) > 4:
        return False
    sections = [u for u in units if u.level > top and meaningful_title(u.title)]
    if len(sections) < 2:
        return False
    named = sum(1 for u in sections if names_phrase(lexicon, u.title, chapter_title))
    return named >= ONE_IDEA_SHARE * len(sections)
