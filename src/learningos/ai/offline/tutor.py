"""The offline Tutor: explains a concept with the learner's own material, quoting it.

It writes nothing it cannot point to. An explanation says what the concept is (the sentence
that defines it), why it matters, its key points in reading order and a worked example with
its code listing verbatim, each cited (explain.py); a slower pace is a different
explanation: shorter steps and more examples. The follow-up question asks about one of those
statements or listings (questions.py). A free question is answered with the sentences that
answer it, best first (answers.py), or with an honest "the material does not seem to cover
this". The Tutor never grades (ai.md).
"""

from __future__ import annotations

from learningos.ai.inputs import TutorInput
from learningos.ai.offline import _select as sel
from learningos.ai.offline import answers, explain, nlp, questions
from learningos.ai.schemas import QuestionKind, TutorOutput

KINDS: tuple[QuestionKind, ...] = ("own_words", "scenario", "comparison", "what_if")

_PACES = ("slow", "normal", "fast")


def tutor(inp: TutorInput, embedder: sel.TextEmbedder) -> TutorOutput:
    """The Tutor's reply: an explanation (or an answer to inp.question) ending in one question."""
    sentences = sel.prose_sentences(inp.passages)
    if inp.question is not None and inp.question.strip():
        return _answer(inp, sentences, embedder)
    return _explain(inp, sentences, embedder)


# --- explaining --------------------------------------------------------------------------------


def _pace(inp: TutorInput) -> str:
    """Review goes slower whatever the pace: the learner struggled with this concept before."""
    if inp.mode == "review":
        return "slow"
    return inp.pace if inp.pace in _PACES else "normal"


def _explain(
    inp: TutorInput, sentences: list[sel.Sentence], embedder: sel.TextEmbedder
) -> TutorOutput:
    """What it is, why it matters, the key points in order and a worked example with its
    code, each cited; then a question about one of these statements (see explain.py and
    questions.py)."""
    if not sentences and not explain.code_blocks(inp.passages):
        return _without_material(inp)
    name = sel.name_of(inp.concept)
    pace = _pace(inp)
    parts = explain.compose(inp.concept, inp.passages, sentences, embedder, pace)
    cite = sel.Citations(inp.passages)
    lines = [_framing(name, pace, inp.mode)]
    if parts.definition:
        lines.append(f"What it is: {parts.definition.text} {cite.mark(parts.definition.passage)}")
    if parts.why:
        lines.append(f"Why it matters: {parts.why.text} {cite.mark(parts.why.passage)}")
    if parts.points:
        lines.append("Step by step:" if pace == "slow" else "Key points:")
        steps = [piece for q in parts.points for piece in _steps(q, pace, cite)]
        if pace == "slow":
            lines += [f"{n}. {step}" for n, step in enumerate(steps, 1)]
        else:
            lines += [f"- {step}" for step in steps]
    kind = KINDS[inp.turn % len(KINDS)]
    follow = questions.follow_up(kind, name, parts)
    for n, example in enumerate(parts.examples):
        label = "A worked example from your material" if n == 0 else "Another example"
        if example.intro:
            lines.append(f"{label}: {example.intro.text} {cite.mark(example.intro.passage)}")
        elif example.code:
            lines.append(f"{label} {cite.mark(example.passage)}:")
        if example.code and example.code == follow.replaces:
            # The listing the question is about, shown once (its last output hidden when the
            # question asks to predict it).
            lines += questions.fenced(follow.code or example.code)
            follow.code = None
        elif example.code:
            lines += questions.fenced(example.code)
    if not parts.examples:
        lines.append("Your material gives no worked example for this in these passages.")
    lines += _earlier_gaps(inp)
    lines += _shown(follow, cite)
    return _reply(lines, follow.question, kind, cite)


def _shown(follow: questions.FollowUp, cite: sel.Citations) -> list[str]:
    """What the question is about, shown just before it (a listing shown with the examples
    is not repeated)."""
    if follow.replaces and not follow.code:
        return ["Look again at the code of the worked example."]
    if follow.code:
        return [f"Look at this code {cite.mark(follow.code_passage)}:"] + questions.fenced(
            follow.code
        )
    if len(follow.shown) == 1:
        quote = follow.shown[0]
        return [f"Think about this statement: “{quote.text}” {cite.mark(quote.passage)}"]
    return [
        f"Statement {n}: “{q.text}” {cite.mark(q.passage)}" for n, q in enumerate(follow.shown, 1)
    ]


def _steps(quote: explain.Quote, pace: str, cite: sel.Citations) -> list[str]:
    """A statement as one step, or at a slow pace as several (cut at semicolons), each cited.
    Every piece stays a verbatim part of the material."""
    mark = cite.mark(quote.passage)
    parts = [quote.text]
    if pace == "slow":
        pieces = [p.strip() for p in quote.text.split("; ")]
        if len(pieces) > 1 and all(len(p.split()) >= 5 for p in pieces):
            parts = pieces
    return [f"{part} {mark}" for part in parts]


def _framing(name: str, pace: str, mode: str) -> str:
    if mode == "review":
        return (
            f"Let us go over {name} again, slower this time, in the words of your material, "
            "with two examples where it has them:"
        )
    if pace == "slow":
        return (
            f"Here is {name} in the words of your material, in short steps and with two "
            "examples where it has them; we will go slower:"
        )
    return f"Here is {name} in the words of your material:"


def _earlier_gaps(inp: TutorInput) -> list[str]:
    """In review, name what was missed before (a reminder, not a judgement)."""
    if inp.mode != "review":
        return []
    # A gap worded as a verdict ("wrong formula") would make the reply judge: leave it out.
    gaps = [sel.plain(m) for m in inp.mistakes if sel.plain(m) and not sel.has_grading_words(m)]
    gaps = gaps[:2]
    if not gaps:
        return []
    return ["Earlier you missed: " + "; ".join(gaps) + "."]


def _without_material(inp: TutorInput) -> TutorOutput:
    """No usable passage (or none with prose): say so, and work from the concept's own
    description."""
    name = sel.name_of(inp.concept)
    description = sel.plain(inp.concept.description)
    if inp.passages:
        lines = [
            f"The passages found for {name} hold no plain sentences to quote (only code, "
            "formulas, tables or lists)."
        ]
    else:
        lines = [f"Your material had no matching passage for {name}, so there is nothing to quote."]
    if description:
        lines.append(f"The learning map describes it like this: {description}.")
    lines += _earlier_gaps(inp)
    kind = KINDS[inp.turn % len(KINDS)]
    question = questions.follow_up(kind, name, explain.Explanation()).question
    return _reply(lines, question, kind, sel.Citations(inp.passages))


# --- answering a free question -----------------------------------------------------------------


def _answer(
    inp: TutorInput, sentences: list[sel.Sentence], embedder: sel.TextEmbedder
) -> TutorOutput:
    """The material's sentences that answer the question, the one that answers best first
    (see answers.py), cited; or an honest "not covered"."""
    name = sel.name_of(inp.concept)
    question_text = inp.question or ""
    if _about_the_concept(question_text):
        # "What is it used for?": "it" is the concept the learner is studying.
        question_text = f"{name}: {question_text}"
    cite = sel.Citations(inp.passages)
    per_passage = answers.candidates(inp.passages)
    found = [c for group in per_passage for c in group]
    chosen: list[int] = []
    if found:
        score, vectors = answers.rank(question_text, found, embedder)
        chosen = answers.choose(score, vectors, found)
    lines: list[str] = []
    quoted: set[tuple[int, int]] = set()
    for n, i in enumerate(chosen):
        lead = found[i]
        group = answers.with_context(lead, per_passage[lead.passage]) if n == 0 else [lead]
        group = [c for c in group if (c.passage, c.order) not in quoted]
        if not group:
            continue
        quoted.update((c.passage, c.order) for c in group)
        text = answers.joined(group, inp.passages[lead.passage])
        label = "Your material says" if not lines else "It also says"
        lines.append(f"{label}: “{text}” {cite.mark(lead.passage)}")
        if n == 0:
            lines += _listing_after(group, inp)
    if lines:
        question = (
            f"In your own words, how does this connect to {name}, and what would you add "
            "from the rest of the material?"
        )
    else:
        lines = [
            f"Your material does not seem to cover this: none of its passages on {name} "
            "comes close to your question, and I only answer from your material."
        ]
        question = f"What made you wonder about this, and how do you think it relates to {name}?"
    return _reply(lines, question, "own_words", cite)


def _listing_after(group: list[answers.Candidate], inp: TutorInput) -> list[str]:
    """The code listing a quoted sentence introduces ("this function adds up …:"), verbatim."""
    said = {sel.normalise(c.text) for c in group}
    for block in explain.code_blocks([inp.passages[group[-1].passage]]):
        if block.intro and sel.normalise(block.intro) in said:
            return questions.fenced(block.code)
    return []


def _about_the_concept(question: str) -> bool:
    """A question that names nothing but points at the concept ("What is it used for?",
    "Why does this matter?"); "What is covariance?" names its own subject."""
    words = nlp.content_words(question)
    pointing = {"it", "this", "that", "they", "these", "those"} & set(nlp.words(question))
    return not words or (len(words) < 2 and bool(pointing))


# --- the question and the reply ----------------------------------------------------------------


def _reply(lines: list[str], question: str, kind: QuestionKind, cite: sel.Citations) -> TutorOutput:
    """The whole reply: the lines, then the question as its last sentence. The body never holds
    a question mark (material questions are never quoted, learner text is cleaned); removing any
    left is a last guard so the reply asks exactly one thing."""
    body = "\n".join(_unasked(lines))
    question = question.replace("?", "").rstrip() + "?"
    return TutorOutput(
        text=f"{body}\n\n{question}",
        question=question,
        question_kind=kind,
        citations=cite.citations,
    )


def _unasked(lines: list[str]) -> list[str]:
    """The lines with any question mark turned into a full stop, except inside code."""
    out, inside = [], False
    for line in lines:
        if line.strip() == explain.FENCE:
            inside = not inside
        out.append(line if inside else line.replace("?", "."))
    return out
