"""The offline planner: a learning map from a document's sections, without an LLM.

1. Units and concepts from the document's structure (see `structure`): about 40 concepts
   for a 300-page book, a few for a note; a text without headings is cut into topical parts.
   The book's furniture (Debugging, Glossary, Exercises, Contributors …) is left out and
   names nothing, nor do case studies or titles recurring chapter after chapter; a chapter
   about one idea ("Lists") is one concept; a chapter cut into several names them after the
   ideas its title joins ("Conditionals and recursion").
2. For each concept, cheaply (see `keyphrases`): TF-IDF phrase candidates and its most
   central sentences; its description is one or two of them, its first definition first.
3. One batched embedding call: a short digest of each concept (title and description) and
   every distinct candidate phrase; key phrases are chosen KeyBERT-style (cosine to the
   digest, then MMR for diversity). A concept without a real section title is named after
   its best key phrase.
4. Prerequisites from the terms an earlier concept introduced (its title's, or one it
   defines) that a concept keeps using; difficulty from readability, term density and depth;
   minutes from length; milestones by chapter or time.

Blocking CPU work (the embedding model runs here): call it from a worker thread. The same
input gives the same map.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby

import numpy as np

from learningos.ai.inputs import PlannerInput
from learningos.ai.offline import keyphrases as kp
from learningos.ai.offline import structure as st
from learningos.ai.offline.descriptions import describe
from learningos.ai.offline.keyphrases import Gram
from learningos.ai.offline.prerequisites import link_prerequisites
from learningos.ai.offline.structure import Unit
from learningos.ai.schemas import Milestone, PlannedConcept, PlannerOutput
from learningos.retrieval.embeddings import Embedder

MAX_MILESTONES = 8
KEY_PHRASES = 5
DIGEST_WORDS = 32  # words of title and description embedded per concept
# Phrases embedded: about 450 for a whole map (many are shared by several concepts), at
# least 12 and at most 40 for each concept. With the digests that is about 2 s of MiniLM
# on one thread for a 300-page book.
PHRASE_BUDGET = 450
MIN_CANDIDATES, MAX_CANDIDATES = 12, 40
READING_WPM = 200


@dataclass
class Draft:
    """A concept being built: its units and everything worked out about it."""

    units: list[Unit]
    grams: Counter[Gram] = field(default_factory=Counter)
    words: int = 0
    title: str = ""
    description: str = ""
    digest: str = ""
    candidates: list[tuple[Gram, float]] = field(default_factory=list)
    relevance: dict[Gram, float] = field(default_factory=dict)
    key_phrases: list[Gram] = field(default_factory=list)
    prerequisites: list[int] = field(default_factory=list)
    depth: int = 0  # longest chain of prerequisites below it
    difficulty: int = 1
    minutes: int = 5
    milestone: int = 0

    @property
    def chapter(self) -> int:
        return self.units[0].chapter


def plan(inp: PlannerInput, embedder: Embedder) -> PlannerOutput:
    """A learning map of the material: concepts in prerequisite-first order, milestones and
    an overview. Raises ValueError when there is nothing to learn from (only front matter,
    or no text)."""
    units, chapters, lexicon = _units(inp, embedder)
    scale = GRANULARITY.get(inp.granularity, 1.0)
    drafts = [_draft(group) for group in _groups(units, chapters, lexicon, scale)]
    weights = kp.idf([d.grams for d in drafts])
    _describe(drafts, units, chapters, weights, lexicon, inp.content_title)
    _embed_and_pick_phrases(drafts, embedder, lexicon)
    _name(drafts, lexicon, chapters)
    link_prerequisites(drafts, weights, lexicon)
    _rate_difficulty(drafts)
    for draft in drafts:
        draft.minutes = _minutes(draft.words, draft.difficulty)
    milestones = _milestones(drafts, chapters, lexicon)
    concepts = [_concept(d, drafts) for d in drafts]
    _check_order(concepts)
    overview = _overview(inp.content_title, drafts, milestones, lexicon)
    return PlannerOutput(overview=overview, milestones=milestones, concepts=concepts)


def _units(
    inp: PlannerInput, embedder: Embedder
) -> tuple[list[Unit], list[str | None], kp.Lexicon]:
    """The units to learn from, their chapters' titles, and the lexicon that counted them.
    A text with fewer units than it needs concepts has its untitled units cut into parts."""
    units = st.content_units(inp.sections)
    lexicon = kp.Lexicon(kp.stopwords_for("\n".join(u.text for u in units)))
    for unit in units:
        st.analyse(unit, lexicon)
    units = [u for u in units if u.words > 0]
    if not units:
        raise ValueError(st.NOTHING_TO_PLAN)
    chapters = st.assign_chapters(units)
    _unname_recurring(units)
    target = _scaled(st.target_count(sum(u.words for u in units)), inp.granularity)
    if len(st.absorb_tiny([[u] for u in units])) < target:
        units = st.split_untitled(units, target, inp.content_title, embedder, lexicon)
    return units, chapters, lexicon


# A short text whose author gave it headings keeps a concept per heading (up to a few): a
# learner who wrote four sections expects four ideas, not one merged by length.
SHORT_TEXT_WORDS = 3000
SHORT_TEXT_CONCEPTS = 8


RECURRING_CHAPTERS = 3  # a section title seen in this many chapters is the book's furniture


def _unname_recurring(units: list[Unit]) -> None:
    """Sections that recur under one title in chapter after chapter ("Summary", "Try it
    yourself", "Debugging") keep their text but never name a concept."""
    top = min(u.level for u in units)
    chapters_of: defaultdict[str, set[int]] = defaultdict(set)
    for unit in units:
        if unit.level > top and unit.title:
            chapters_of[st.strip_numbering(unit.title).casefold()].add(unit.chapter)
    for unit in units:
        key = st.strip_numbering(unit.title).casefold()
        if unit.level > top and len(chapters_of.get(key, ())) >= RECURRING_CHAPTERS:
            unit.title = ""


# How many concepts a regeneration asks for, against the planner's own count.
GRANULARITY = {"fewer": 0.5, "default": 1.0, "more": 1.8}


def _scaled(target: int, granularity: str) -> int:
    return max(1, min(st.MAX_CONCEPTS, round(target * GRANULARITY.get(granularity, 1.0))))


def _groups(
    units: list[Unit], chapters: list[str | None], lexicon: kp.Lexicon, scale: float = 1.0
) -> list[list[Unit]]:
    """Units grouped into concepts: a chapter about one idea is one concept; the sections
    of other chapters are merged by size and likeness to about the target count."""
    words = sum(u.words for u in units)
    top = min(u.level for u in units)
    groups: list[list[Unit]] = []
    for _, run in groupby(units, key=lambda u: u.chapter):
        members = list(run)
        if st.one_idea(chapters[members[0].chapter], members, lexicon, top):
            groups.append(members)
        else:
            groups.extend([u] for u in members)
    groups = st.absorb_tiny(groups)
    target = st.target_count(words)
    if words < SHORT_TEXT_WORDS:
        target = max(target, min(len(groups), SHORT_TEXT_CONCEPTS))
    target = max(1, min(st.MAX_CONCEPTS, round(target * scale)))
    return st.merge_to(groups, target)


def _draft(units: list[Unit]) -> Draft:
    grams: Counter[Gram] = Counter()
    for unit in units:
        grams.update(unit.grams)
    return Draft(units=units, grams=grams, words=sum(u.words for u in units))


# --- per concept: title from structure, description, candidates -----------------------------


def _describe(
    drafts: list[Draft],
    units: list[Unit],
    chapters: list[str | None],
    weights: dict[Gram, float],
    lexicon: kp.Lexicon,
    content_title: str,
) -> None:
    """Each concept's structural title, description, phrase candidates and digest, all by
    counting."""
    chapter_sizes = Counter(u.chapter for u in units)
    per_concept = max(MIN_CANDIDATES, min(MAX_CANDIDATES, PHRASE_BUDGET // len(drafts)))
    parts = _part_titles(drafts, chapters, lexicon, min(u.level for u in units))
    for index, draft in enumerate(drafts):
        draft.title = parts.get(index) or _structural_title(
            draft, content_title, chapters, chapter_sizes, weights
        )
        content_words = sum(n for g, n in draft.grams.items() if len(g) == 1)
        draft.candidates = lexicon.candidates(draft.grams, weights, content_words, per_concept)
        draft.description = describe(draft, weights, lexicon)
        digest = f"{draft.title}. {draft.description}" if draft.title else draft.description
        if len(digest.split()) < 8:  # no prose to speak of: its best phrases instead
            digest += " " + ", ".join(lexicon.surface(g) for g, _ in draft.candidates[:8])
        draft.digest = " ".join(digest.split()[:DIGEST_WORDS])


def _part_titles(
    drafts: list[Draft], chapters: list[str | None], lexicon: kp.Lexicon, top: int
) -> dict[int, str]:
    """Concepts named after an idea their chapter's title names, when the chapter is cut into
    several: in "Conditionals and recursion", the concept holding "Conditional execution" and
    "Chained conditionals" is "Conditionals", the one holding "Recursion" is "Recursion". A
    part names the concept whose sections name it (one section titled just so, or two) with
    the most words; each part names one concept at most."""
    by_chapter: defaultdict[int, list[int]] = defaultdict(list)
    for index, draft in enumerate(drafts):
        if all(u.chapter == draft.chapter for u in draft.units):
            by_chapter[draft.chapter].append(index)
    result: dict[int, str] = {}
    for chapter, indexes in by_chapter.items():
        title = chapters[chapter]
        if len(indexes) < 2 or not title or not st.meaningful_title(title):
            continue
        for part in st.title_parts(title):
            if not st.meaningful_title(part):
                continue
            best, best_words = -1, 0
            for index in indexes:
                matched = [
                    u
                    for u in drafts[index].units
                    if u.level > top and u.title and st.names_phrase(lexicon, u.title, part)
                ]
                exact = any(len(st.phrase_stems(lexicon, u.title)) == 1 for u in matched)
                words = sum(u.words for u in matched)
                if (exact or len(matched) >= 2) and words > best_words:
                    best, best_words = index, words
            if best >= 0 and best not in result:
                result[best] = kp.sentence_case(part)
    return result


def _structural_title(
    draft: Draft,
    content_title: str,
    chapters: list[str | None],
    chapter_sizes: Counter[int],
    weights: dict[Gram, float],
) -> str:
    """The title the document's structure gives a concept ("" when it gives none): its
    chapter's when it is a whole chapter, else one of its sections'."""
    chapter = draft.chapter
    whole = all(u.chapter == chapter for u in draft.units)
    if whole and chapter_sizes[chapter] == len(draft.units) > 1:
        title = chapters[chapter]
        if title and st.meaningful_title(title, content_title):
            return title
    return _best_title(draft.units, content_title, draft.grams, weights)


def _best_title(
    units: list[Unit], content_title: str, counts: Counter[Gram], weights: dict[Gram, float]
) -> str:
    """The title of a group of sections: the section title that says most about the whole
    group (its words weigh most in the group's text, by TF-IDF), the first section and
    bigger ones a little sooner; two sections of about equal weight with short titles share
    it ("Percentiles and CDFs")."""
    total = max(1, sum(u.words for u in units))
    # A section with a small share of the text (a chapter's title page) does not name it,
    # nor does a name from the code ("HypothesisTest") when a section in words can.
    titled = [
        u for u in units if st.meaningful_title(u.title, content_title) and u.words >= 0.08 * total
    ]
    titled = [u for u in titled if not kp.has_identifier(u.title)] or titled
    if not titled:
        return ""
    if len(titled) == 2 and min(u.words for u in titled) >= 0.35 * total:
        first, second = (st.strip_numbering(u.title) for u in titled)
        if len(first) + len(second) <= 44 and not _share_words(first, second):
            return f"{first} and {_mid_title(second)}"
    # The first section on a topic usually introduces it; the next ones elaborate.
    scores = [
        _title_weight(u, counts, weights) * (0.5 + u.words / total) * (1.5 if i == 0 else 1.0)
        for i, u in enumerate(titled)
    ]
    best = max(range(len(titled)), key=lambda i: (scores[i], -i))
    return st.strip_numbering(titled[best].title)


def _mid_title(title: str) -> str:
    """A title joined after another: "Percentiles" → "percentiles", but "Kaplan-Meier
    estimation", "PMFs" and "Pearson’s correlation" keep their capitals."""
    word = title.split()[0] if title else ""
    if not word[:1].isupper() or not word[1:].islower() or "-" in word or "’" in word:
        return title
    return title[0].lower() + title[1:]


def _title_weight(unit: Unit, counts: Counter[Gram], weights: dict[Gram, float]) -> float:
    """How much a section title's words stand for a text: mean TF-IDF of its words there."""
    words = sorted(g for g in unit.title_grams if len(g) == 1)  # sorted: a stable float sum
    if not words:
        return 0.0
    return sum(math.log1p(counts.get(g, 0)) * weights.get(g, 1.0) for g in words) / len(words)


def _share_words(a: str, b: str) -> bool:
    plain = kp.Lexicon(frozenset())
    return bool(kp.title_grams(plain, a) & kp.title_grams(plain, b))


# --- key phrases and titles -----------------------------------------------------------------


def _embed_and_pick_phrases(drafts: list[Draft], embedder: Embedder, lexicon: kp.Lexicon) -> None:
    """Embed every digest and every distinct candidate in one call; keep each candidate's
    relevance to its concept's digest and pick the concept's key phrases by MMR."""
    phrases = sorted({g for d in drafts for g, _ in d.candidates})
    texts = [d.digest for d in drafts] + [lexicon.surface(g) for g in phrases]
    vectors = st.embed(embedder, texts)
    digests, phrase_vectors = vectors[: len(drafts)], vectors[len(drafts) :]
    row = {g: i for i, g in enumerate(phrases)}
    for draft, digest in zip(drafts, digests, strict=True):
        grams = [g for g, _ in draft.candidates]
        if not grams:
            continue
        candidates = phrase_vectors[[row[g] for g in grams]]
        tfidf = np.array([score for _, score in draft.candidates])
        # Cosine decides; TF-IDF breaks near-ties in favour of what the text dwells on.
        relevance = candidates @ digest + 0.1 * tfidf / tfidf.max()
        draft.relevance = {g: float(r) for g, r in zip(grams, relevance, strict=True)}
        picks = kp.mmr(candidates, relevance, KEY_PHRASES, diversity=0.4)
        draft.key_phrases = [grams[i] for i in picks]


def _name(drafts: list[Draft], lexicon: kp.Lexicon, chapters: list[str | None]) -> None:
    """Give every concept a title, unique in the map: its section title when that names it,
    else its best key phrase not taken yet; a repeated section title gets its chapter's name
    (or a key phrase) added."""
    taken = {_title_key(d.title, lexicon) for d in drafts}
    for draft in drafts:
        if not draft.title:
            draft.title = _phrase_title(draft, lexicon, taken)
            taken.add(_title_key(draft.title, lexicon))
    seen: set[str] = set()
    for draft in drafts:
        if _title_key(draft.title, lexicon) in seen:
            draft.title = _disambiguate(draft, lexicon, chapters, seen)
        seen.add(_title_key(draft.title, lexicon))
        seen.add(draft.title.casefold())


def _title_key(title: str, lexicon: kp.Lexicon) -> str:
    """Titles that name the same idea have one key: "The normal distribution" and "Normal
    distributions" (their content words' stems, in order)."""
    stems = [kp.word_key(w) for run in lexicon.runs(title) for w in run]
    return " ".join(stems) if stems else title.casefold()


def _phrase_title(draft: Draft, lexicon: kp.Lexicon, taken: set[str]) -> str:
    """The concept's best key phrase that no other concept is named after yet."""
    grams = draft.key_phrases + [g for g, _ in draft.candidates]
    phrases = [kp.sentence_case(lexicon.surface(g)) for g in grams]
    for phrase in phrases:
        if _title_key(phrase, lexicon) not in taken:
            return phrase
    if phrases:
        return phrases[0]
    first = (draft.units[0].sentences or [draft.units[0].text])[0]
    return " ".join(first.split()[:6]) or "Untitled"


def _disambiguate(
    draft: Draft, lexicon: kp.Lexicon, chapters: list[str | None], seen: set[str]
) -> str:
    chapter = chapters[draft.chapter]
    options = []
    if chapter and st.meaningful_title(chapter) and chapter.casefold() != draft.title.casefold():
        options.append(f"{draft.title} ({chapter})")
    for gram in draft.key_phrases:
        phrase = lexicon.surface(gram)
        if phrase.casefold() not in draft.title.casefold():
            options.append(f"{draft.title}: {phrase}")
    for option in options:
        if option.casefold() not in seen:
            return option
    n = 2
    while f"{draft.title} ({n})".casefold() in seen:
        n += 1
    return f"{draft.title} ({n})"


# --- prerequisites --------------------------------------------------------------------------


def _check_order(concepts: list[PlannedConcept]) -> None:
    """Prerequisite-first: every prerequisite names a concept listed earlier."""
    earlier: set[str] = set()
    for concept in concepts:
        assert all(p in earlier for p in concept.prerequisites), concept.title
        earlier.add(concept.title)


# --- difficulty and time --------------------------------------------------------------------


def _rate_difficulty(drafts: list[Draft]) -> None:
    """Difficulty 1–5: half an absolute score (readability, term density, depth), half the
    concept's rank in this document, so that a book spreads over several levels. A map of a
    few concepts has the absolute score only."""
    scores = [_difficulty_score(d) for d in drafts]
    if len(drafts) < 4:
        for draft, score in zip(drafts, scores, strict=True):
            draft.difficulty = _level(score)
        return
    order = sorted(range(len(drafts)), key=lambda i: (scores[i], i))
    for rank, i in enumerate(order):
        relative = 1 + 4 * rank / (len(drafts) - 1)
        drafts[i].difficulty = _level(0.5 * scores[i] + 0.5 * relative)


def _difficulty_score(draft: Draft) -> float:
    """About 1 for plain prose (grade 7), 3 for a textbook (grade 12, a sixth of words long),
    more for dense, terminology-heavy text deep in the prerequisite graph."""
    reading = kp.readability([s for u in draft.units for s in u.sentences])
    grade = reading.grade if reading else 12.0
    long_words = reading.polysyllables if reading else 0.15
    terms_per_1000 = len(draft.candidates) / max(1.0, draft.words / 1000)
    return (
        1.0
        + (grade - 7) / 4
        + (long_words - 0.12) * 8
        + 0.25 * draft.depth
        + min(terms_per_1000, 30) / 60
    )


def _level(score: float) -> int:
    return max(1, min(5, round(score)))


def _minutes(words: int, difficulty: int) -> int:
    """Reading at about 200 words a minute (slower when harder), plus explaining it back."""
    reading = words / READING_WPM * (0.85 + 0.075 * difficulty)
    explaining = 2 + reading / 2
    return max(5, min(90, round(reading + explaining)))


# --- milestones, overview, output -----------------------------------------------------------


def _milestones(
    drafts: list[Draft], chapters: list[str | None], lexicon: kp.Lexicon
) -> list[Milestone]:
    """Consecutive concepts grouped into 2–8 milestones (one for a single concept): whole
    chapters when the document has chapters, else by about equal time. Sets each concept's
    milestone index."""
    blocks = _chapter_blocks(drafts)
    chaptered = 1 < len(blocks) < len(drafts)
    count = min(len(blocks), MAX_MILESTONES if chaptered else _flat_count(len(drafts)))
    milestones = []
    for index, (start, end) in enumerate(
        _balanced_partition([sum(d.minutes for d in b) for b in blocks], count)
    ):
        members = [d for block in blocks[start:end] for d in block]
        for draft in members:
            draft.milestone = index
        if chaptered:
            names = [chapters[block[0].chapter] or "" for block in blocks[start:end]]
        else:
            names = [d.title for d in members]
        named = [n for n in names if st.meaningful_title(n)]
        title = _join_names(named) if named else _phrase_group_title(members, lexicon)
        milestones.append(Milestone(title=title, description=_milestone_line(members)))
    return milestones


def _chapter_blocks(drafts: list[Draft]) -> list[list[Draft]]:
    """Runs of concepts of the same chapter (one concept a run when there are no chapters)."""
    hierarchy = st.has_hierarchy(u for d in drafts for u in d.units)
    blocks: list[list[Draft]] = []
    for draft in drafts:
        if hierarchy and blocks and blocks[-1][-1].chapter == draft.chapter:
            blocks[-1].append(draft)
        else:
            blocks.append([draft])
    return blocks


def _flat_count(concepts: int) -> int:
    """Milestones for a map without chapters: one for about four concepts, 2–8."""
    if concepts == 1:
        return 1
    return max(2, min(MAX_MILESTONES, math.ceil(concepts / 4)))


def _balanced_partition(sizes: list[int], parts: int) -> list[tuple[int, int]]:
    """Split a sequence into `parts` contiguous runs, making the largest run as small as
    possible (dynamic programming; ties: earlier cuts); returns (start, end) pairs."""
    n = len(sizes)
    parts = max(1, min(parts, n))
    prefix = [0]
    for size in sizes:
        prefix.append(prefix[-1] + size)
    best = [[math.inf] * (n + 1) for _ in range(parts + 1)]
    cut = [[0] * (n + 1) for _ in range(parts + 1)]
    best[0][0] = 0.0
    for k in range(1, parts + 1):
        for end in range(k, n + 1):
            for start in range(k - 1, end):
                cost = max(best[k - 1][start], prefix[end] - prefix[start])
                if cost < best[k][end]:
                    best[k][end], cut[k][end] = cost, start
    bounds = []
    end = n
    for k in range(parts, 0, -1):
        bounds.append((cut[k][end], end))
        end = cut[k][end]
    return bounds[::-1]


def _join_names(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"From {names[0]} to {names[-1]}"


def _phrase_group_title(members: list[Draft], lexicon: kp.Lexicon) -> str:
    """The two key phrases that matter most to a group of concepts, as a title."""
    score: defaultdict[Gram, float] = defaultdict(float)
    for draft in members:
        for gram in draft.key_phrases:
            score[gram] += draft.relevance.get(gram, 0.0)
    top = sorted(score, key=lambda g: (-score[g], g))[:2]
    if not top:
        return members[0].title
    return kp.sentence_case(" and ".join(lexicon.surface(g) for g in top))


def _milestone_line(members: list[Draft]) -> str:
    minutes = sum(d.minutes for d in members)
    titles = ", ".join(d.title for d in members[:3])
    more = f" and {len(members) - 3} more" if len(members) > 3 else ""
    noun = "concept" if len(members) == 1 else "concepts"
    return f"{len(members)} {noun}, about {_duration(minutes)}: {titles}{more}."


def _duration(minutes: int) -> str:
    if minutes < 90:
        return f"{minutes} minutes"
    hours = minutes / 60
    return f"{hours:.0f} hours" if hours >= 10 else f"{hours:.1f} hours"


def _overview(
    content_title: str, drafts: list[Draft], milestones: list[Milestone], lexicon: kp.Lexicon
) -> str:
    """What the material covers, how the map is laid out and how long it takes."""
    themes = _themes(drafts, lexicon)
    name = f"“{content_title.strip()}”" if content_title.strip() else "This material"
    covers = f"{name} covers {_and_list(themes)}." if themes else f"{name} is one topic."
    n, m = len(drafts), len(milestones)
    layout = f"The map has {_count(n, 'concept')} in {_count(m, 'milestone')}"
    layout += f", from “{drafts[0].title}” to “{drafts[-1].title}”." if n > 1 else "."
    time = (
        f"Plan on about {_duration(sum(d.minutes for d in drafts))} in all: reading each part "
        "and explaining it back in your own words."
    )
    return f"{covers} {layout} {time}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _themes(drafts: list[Draft], lexicon: kp.Lexicon, k: int = 4) -> list[str]:
    """The phrases most concepts are about: relevance summed over the concepts whose key
    phrases include them, one phrase per word."""
    score: defaultdict[Gram, float] = defaultdict(float)
    for draft in drafts:
        for gram in draft.key_phrases:
            score[gram] += max(draft.relevance.get(gram, 0.0), 0.0)
    themes: list[str] = []
    used: set[str] = set()
    for gram in sorted(score, key=lambda g: (-score[g], g)):
        if used.isdisjoint(gram):
            used.update(gram)
            themes.append(lexicon.surface(gram))
        if len(themes) == k:
            break
    return themes


def _and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _concept(draft: Draft, drafts: list[Draft]) -> PlannedConcept:
    start, end = st.page_range(draft.units)
    return PlannedConcept(
        title=draft.title[:300],
        description=draft.description,
        difficulty=draft.difficulty,
        estimated_minutes=draft.minutes,
        prerequisites=[drafts[i].title[:300] for i in draft.prerequisites],
        source_sections=list(dict.fromkeys(i for u in draft.units for i in u.ids)),
        page_start=start,
        page_end=end,
        milestone=draft.milestone,
    )
