"""Fit the contradiction model of benchmarks/conflict_features.py on pairs generated from a
book's own sentences (no learner answer is used), and check it on a discrimination set.

For each section of the book, its statements are the material. From a true statement:
- contradictions: negated ("is" -> "is not", "not" dropped, "always" <-> "never"), an
  opposite word put in (the polarity table), one of the material's terms swapped for another
  term of the same material, two of its terms exchanged, a number changed; half of them then
  lightly edited (a few words dropped), as a learner would not copy the sentence;
- agreements: the statement itself, lightly edited, and the statement read against the rest
  of its material when the statement itself is left out (the nearest a true sentence in other
  words comes to a paraphrase here).
Each is aligned with its closest material statement exactly as the Examiner does and
described by `conflict.pair_features`; a logistic regression (numpy, L2) is fitted on 80 % of
the sections and its threshold set on the other 20 % for at most --fpr false alarms among
the agreements; then refitted on all and written (--out) with those figures.

--check BOOK ANSWERS.jsonl then reads every answer sentence of a discrimination set against
its closest statement of the concept's material and counts, per label, the answers with a
sentence the model flags (and, beside it, those with a bare polarity cue at cosine >= 0.5).

  .venv/bin/python benchmarks/conflict_fit.py ../shared/eval/books/thinkstats2.pdf \
      src/learningos/demo/course.md --check BOOK2.pdf benchmarks/answers/thinkpython2_discrimination.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import conflict_features as conflict
import numpy as np

from learningos.ai import discrimination_eval
from learningos.ai.inputs import Passage
from learningos.ai.offline import judge, nlp, polarity
from learningos.content.segment import segment
from learningos.evaluation import _read_document
from learningos.retrieval.embeddings import LocalEmbedder

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(tempfile.gettempdir()) / "learningos-conflict-fit"
MIN_WORDS, MAX_WORDS = 6, 40  # content words / words of a statement used as a seed
MIN_STATEMENTS = 6  # statements a section needs to be a material
GENERATION = 2  # bump when the generated pairs change (the embedded pairs are cached)


# --- perturbations -------------------------------------------------------------------------

_AUX = re.compile(
    r"\b(is|are|was|were|can|does|do|did|will|would|should|must|has|have|could|may)\b"
)
_NEGATED = [
    (re.compile(r"\bcannot\b"), "can"),
    (re.compile(r"\b(\w+)n't\b"), r"\1"),
    (re.compile(r"\b(is|are|was|were|does|do|did|will|should|must|can|could) not\b"), r"\1"),
    (re.compile(r"\bnever\b"), "always"),
    (re.compile(r"\balways\b"), "never"),
    (re.compile(r"\bno\b"), "some"),
]


def negate(text: str) -> str | None:
    for pattern, repl in _NEGATED:
        if pattern.search(text):
            return pattern.sub(repl, text, count=1)
    if _AUX.search(text):
        return _AUX.sub(lambda m: f"{m.group(1)} not", text, count=1)
    return None


def _pairs() -> dict[str, str]:
    table: dict[str, str] = {}
    for pair in polarity._PAIRS.replace("\n", " | ").split("|"):
        found = pair.split()
        if len(found) == 2:
            table.setdefault(found[0], found[1])
            table.setdefault(found[1], found[0])
    return table


def flip_opposite(text: str, table: dict[str, str]) -> str | None:
    for word in nlp.words(text):
        other = table.get(word.lower())
        if other:
            return re.sub(rf"\b{re.escape(word)}\b", other, text, count=1)
    return None


def _terms_of(text: str, material: conflict.Material) -> list[str]:
    return [
        w
        for w in dict.fromkeys(nlp.content_words(text))
        if len(w) >= 4 and material.counts.get(nlp.stem(w), 0) >= 3
    ]


def swap_term(
    text: str, material: conflict.Material, pool: list[str], rng: random.Random
) -> str | None:
    mine = _terms_of(text, material)
    own = nlp.terms(text)
    others = [w for w in pool if nlp.stem(w) not in own]
    if not mine or not others:
        return None
    old, new = rng.choice(mine), rng.choice(others)
    return re.sub(rf"\b{re.escape(old)}\b", new, text, count=1)


def exchange_terms(text: str, material: conflict.Material, rng: random.Random) -> str | None:
    mine = [w for w in _terms_of(text, material)]
    stems = {nlp.stem(w): w for w in mine}
    if len(stems) < 2:
        return None
    a, b = rng.sample(sorted(stems.values()), 2)
    marker = "\x00"
    out = re.sub(rf"\b{re.escape(a)}\b", marker, text, count=1)
    out = re.sub(rf"\b{re.escape(b)}\b", a, out, count=1)
    return out.replace(marker, b, 1)


def change_number(text: str, rng: random.Random) -> str | None:
    found = polarity.NUMBER.findall(text)
    if not found:
        return None
    old = rng.choice(found)
    new = str(int(float(old)) * 2 + 1) if "." not in old else str(round(float(old) * 2 + 1, 2))
    return re.sub(rf"(?<![\w.]){re.escape(old)}(?![\w])", new, text, count=1)


def light_edit(text: str, rng: random.Random) -> str:
    """A few words dropped (stopwords and adverbs mostly), or only the first clause kept."""
    parts = text.split(", ")
    if len(parts) > 2 and rng.random() < 0.3:
        return ", ".join(parts[:2]).rstrip(",") + "."
    tokens = text.split()
    droppable = [
        i
        for i, t in enumerate(tokens)
        if t.lower().strip(".,;:") in nlp.STOPWORDS
        and t.lower().strip(".,;:") not in polarity.NEGATORS
        and i > 0
    ]
    for i in sorted(rng.sample(droppable, min(len(droppable), rng.randint(1, 3))), reverse=True):
        del tokens[i]
    return " ".join(tokens)


# --- generation ----------------------------------------------------------------------------


def materials(paths: list[Path]) -> list[list[judge.Statement]]:
    found = []
    for path in paths:
        sections = [s for s in segment(_read_document(path)) if s.kind == "section"]
        for s in sections:
            passage = Passage(text=s.text, title=s.title, page_start=s.page_start)
            statements = judge.statements([passage])
            if len(statements) >= MIN_STATEMENTS:
                found.append(statements)
    return found


def seeds(statements: list[judge.Statement]) -> list[str]:
    return [
        s.text
        for s in statements
        if MIN_WORDS <= len(nlp.content_words(s.text)) <= MAX_WORDS
        and "```" not in s.text
        and len(s.text.split()) <= MAX_WORDS
    ]


def learner_view(text: str, seed_tokens: set[str], neighbour: str, rng: random.Random) -> str:
    """The sentence as a learner might put it: some of its words dropped and, at times, a
    clause of a neighbouring statement added. The same draw (same `rng` state) is applied to
    a true sentence and to its perturbed copies, so the two differ only by the perturbation;
    a token the perturbation put in is never dropped."""
    tokens = text.split()
    drop = rng.uniform(0.1, 0.45)
    kept = [
        t
        for i, t in enumerate(tokens)
        if i == 0
        or t not in seed_tokens
        or t.lower().strip(".,;:") in polarity.NEGATORS
        or rng.random() > drop
    ]
    out = " ".join(kept)
    if neighbour and rng.random() < 0.35:
        clause = neighbour.split(", ")[0].rstrip(".")
        out = f"{out.rstrip('.')}, and {clause[:1].lower()}{clause[1:]}."
    return out


def generate(
    statements: list[judge.Statement], rng: random.Random, table: dict[str, str]
) -> list[tuple[str, int, int, str]]:
    """(sentence, label 1 = contradiction, index of the seed statement left out or -1, kind)."""
    texts = [s.text for s in statements]
    material = conflict.Material.of(texts)
    pool = sorted({w for t in texts for w in _terms_of(t, material)})
    rows: list[tuple[str, int, int, str]] = []
    for seed in seeds(statements):
        index = texts.index(seed)
        neighbour = texts[index + 1] if index + 1 < len(texts) else texts[max(0, index - 1)]
        made = {
            "negated": negate(seed),
            "opposite": flip_opposite(seed, table),
            "swapped": swap_term(seed, material, pool, rng),
            "exchanged": exchange_terms(seed, material, rng),
            "number": change_number(seed, rng),
        }
        tokens = set(seed.split())
        state = rng.getstate()
        rows.append((learner_view(seed, tokens, neighbour, rng), 0, -1, "view"))
        for kind, text in made.items():
            if text and text != seed:
                rng.setstate(state)
                rows.append((learner_view(text, tokens, neighbour, rng), 1, -1, kind))
        rows.append((seed, 0, -1, "copy"))
        rows.append((light_edit(seed, rng), 0, -1, "edited"))
        rows.append((seed, 0, index, "left_out"))
    return rows


def embedded(paths: list[Path], seed: int) -> list[dict[str, Any]]:
    """Per section: its statements, the generated rows and their cosines with the statements
    (the slow part, cached apart from the features)."""
    rng = random.Random(seed)
    table = _pairs()
    embedder = LocalEmbedder()
    found = []
    for statements in materials(paths):
        rows = generate(statements, rng, table)
        if not rows:
            continue
        texts = [s.text for s in statements]
        vectors = np.asarray(embedder.embed(texts + [r[0] for r in rows]), dtype=np.float32)
        m, a = vectors[: len(texts)], vectors[len(texts) :]
        sims = np.round(a @ m.T, 4).tolist()
        found.append({"texts": texts, "rows": rows, "sims": sims})
    return found


def build(groups: list[dict[str, Any]]) -> dict[str, Any]:
    X, y, group_of, kinds = [], [], [], []
    for g, group in enumerate(groups):
        texts = group["texts"]
        whole = conflict.Material.of(texts)
        for (text, label, left_out, kind), row in zip(group["rows"], group["sims"], strict=True):
            keep = [j for j in range(len(texts)) if j != left_out]
            material = whole  # a learner uses the material's words too
            sub = [float(row[j]) for j in keep]
            best = max(range(len(keep)), key=lambda k: sub[k])
            feats = conflict.pair_features(text, texts[keep[best]], sub[best], material)
            X.append([feats[n] for n in conflict.FEATURES])
            y.append(label)
            group_of.append(g)
            kinds.append(kind)
    return {"X": X, "y": y, "groups": group_of, "kinds": kinds, "materials": len(groups)}


# --- fitting -------------------------------------------------------------------------------


def fit(X: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 3000) -> tuple[Any, ...]:
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale < 1e-6] = 1.0
    Z = (X - mean) / scale
    w, b = np.zeros(Z.shape[1]), 0.0
    lr = 0.5
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(Z @ w + b)))
        grad_w = Z.T @ (p - y) / len(y) + l2 * w / len(y)
        grad_b = float(np.mean(p - y))
        w -= lr * grad_w
        b -= lr * grad_b
    return mean, scale, w, b


def predict(X: np.ndarray, mean: Any, scale: Any, w: Any, b: float) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-(((X - mean) / scale) @ w + b))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("books", nargs="+", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fpr", type=float, default=0.05, help="false alarms allowed")
    parser.add_argument("--out", type=Path, help="write the fitted model (JSON) here")
    parser.add_argument("--check", nargs=2, type=Path, metavar=("BOOK", "ANSWERS"))
    args = parser.parse_args()
    digest = hashlib.sha256()
    for path in args.books:
        digest.update(path.read_bytes())
    digest.update(f"{GENERATION}:{args.seed}".encode())
    CACHE.mkdir(exist_ok=True)
    cached = CACHE / f"{digest.hexdigest()[:16]}.json"
    if cached.exists():
        groups = json.loads(cached.read_text())
    else:
        groups = embedded(args.books, args.seed)
        cached.write_text(json.dumps(groups))
    data = build(groups)
    X, y = np.asarray(data["X"], dtype=float), np.asarray(data["y"], dtype=float)
    groups, kinds = np.asarray(data["groups"]), np.asarray(data["kinds"])
    held = groups % 5 == 0
    mean, scale, w, b = fit(X[~held], y[~held])
    p = predict(X[held], mean, scale, w, b)
    negatives = np.sort(p[(y[held] == 0) & (kinds[held] != "copy")])
    threshold = float(negatives[int(np.ceil((1 - args.fpr) * len(negatives))) - 1])
    figures: dict[str, Any] = {"threshold": round(threshold, 4)}
    for kind in sorted(set(kinds)):
        chosen = kinds[held] == kind
        if chosen.any():
            figures[kind] = round(float(np.mean(p[chosen] >= threshold)), 3)
    print(f"{len(y)} pairs from {data['materials']} sections; held-out rate flagged per kind:")
    for key, value in figures.items():
        print(f"  {key:12s} {value}")
    mean, scale, w, b = fit(X, y)
    for name, weight in zip(conflict.FEATURES, w, strict=True):
        print(f"  weight {name:12s} {weight:+.3f}")
    model = conflict.Model(
        mean=[round(float(v), 6) for v in mean],
        scale=[round(float(v), 6) for v in scale],
        weights=[round(float(v), 6) for v in w],
        intercept=round(float(b), 6),
        threshold=round(threshold, 4),
        extra={
            "method": "logistic regression (L2 1.0) on pairs generated from the books' own "
            "sentences (benchmarks/conflict_fit.py); threshold: at most "
            f"{args.fpr:.0%} of held-out agreements flagged",
            "fitted_on": [p.name for p in args.books],
            "fitted": date.today().isoformat(),
            "pairs": len(y),
            "held_out_flagged": figures,
        },
    )
    if args.out:
        args.out.write_text(json.dumps(model.to_dict(), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    if args.check:
        check(model, *args.check)


def check(model: conflict.Model, book: Path, answers: Path) -> None:
    """Per label, the answers with a sentence the model flags against its closest statement
    (cosine >= 0.5), and those with a bare polarity cue there."""
    items = discrimination_eval.load_items(answers)
    sections = [s for s in segment(_read_document(book)) if s.kind != "chunk"]
    embedder = LocalEmbedder()
    flagged: dict[str, list[int]] = {}
    for item in items:
        inp = discrimination_eval.to_input(item, sections)
        texts = [s.text for s in judge.statements(inp.passages)]
        said = judge.answer_sentences(inp.answer)
        vectors = np.asarray(embedder.embed(texts + said), dtype=np.float32)
        sims = vectors[len(texts) :] @ vectors[: len(texts)].T
        material = conflict.Material.of(texts)
        by_model = by_cue = False
        for i, sentence in enumerate(said):
            if sims[i].max() < 0.5:
                continue
            p, j = conflict.sentence_conflict(sentence, sims[i].tolist(), texts, material, model)
            feats = conflict.pair_features(sentence, texts[j], float(sims[i, j]), material)
            by_model |= p >= model.threshold
            by_cue |= bool(feats["negation"] or feats["opposite"] or feats["number"])
        row = flagged.setdefault(item.label, [0, 0, 0])
        row[0] += by_model
        row[1] += by_cue
        row[2] += 1
    print(f"{answers.name}: answers flagged by the model / by a bare cue / all")
    for label, (m, c, n) in flagged.items():
        print(f"  {label:14s} {m:3d} / {c:3d} / {n}")


if __name__ == "__main__":
    main()
