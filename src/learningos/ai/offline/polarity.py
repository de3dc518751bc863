"""Polarity and opposites between two statements: the plain-English cues that a sentence says
the reverse of another ("is not", "never", "immutable" against "mutable", "smaller" against
"larger", another number in the same place). General English only, nothing per subject."""

from __future__ import annotations

import re
from functools import lru_cache

from learningos.ai.offline import nlp

NEGATORS = frozenset(
    ["not", "no", "never", "cannot", "none", "nothing", "neither", "nor", "nobody", "nowhere"]
)
# Two-word negations: "rather than decay" negates "decay" as "not decay" does.
_NEGATING_PAIRS = frozenset(
    [("rather", "than"), ("instead", "of"), ("opposed", "to"), ("other", "than")]
)

# Pairs of words that state opposites; both directions are used.
_PAIRS = """
always never | all none | increase decrease | increases decreases | increased decreased
increasing decreasing | more less | more fewer | larger smaller | bigger smaller
greater less | greater smaller | higher lower | high low | maximum minimum
maximize minimize | maximizes minimizes | maximized minimized | largest smallest
biggest smallest | most least | positive negative | true false | same different
same opposite | left right | add subtract | adds subtracts | added subtracted
multiply divide | multiplies divides | multiplied divided | multiplying dividing
product quotient | above below | over under | first last | fast slow | faster slower
fastest slowest | quickly slowly | early late | better worse | best worst | strong weak
stronger weaker | strongest weakest | easy hard | easier harder | easy difficult
simple complex | inside outside | input output | include exclude | includes excludes
accept reject | accepted rejected | success failure | succeed fail | horizontal vertical
start end | beginning end | top bottom | up down | upper lower | deep shallow
deeper shallower | deepest shallowest | long short | longer shorter | old new | older newer
past future | remember forget | remembered forgotten | remembers forgets | awake asleep
wrong right | gain loss | rise fall | grow shrink | allow forbid | allows forbids
enable disable | send receive | push pop | public private | static dynamic | global local
odd even | continuous discrete | dense sparse | ascending descending | implicit explicit
implicitly explicitly | automatic manual | automatically manually | required optional
rare common | rarely often | seldom often | proactive retroactive | equal unequal
likely unlikely | possible impossible | correct incorrect | valid invalid
dependent independent | linear nonlinear | symmetric asymmetric | biased unbiased
mutable immutable | finite infinite | limited unlimited | sorted unsorted
normalized unnormalized | significant insignificant | skewed unskewed | visible invisible
ordered unordered | consistent inconsistent | stable unstable | useful useless
legal illegal | robust sensitive | overestimate underestimate | overestimates underestimates
understate overstate
"""
_PREFIXES = ("un", "in", "im", "ir", "il", "non")
# Words that merely start like a negated word ("increase" is not the opposite of "crease").
_NOT_NEGATIONS = frozenset(
    ["crease", "creases", "stance", "stances", "tended", "formation", "portant", "ability"]
)


@lru_cache(maxsize=1)
def opposites() -> dict[str, frozenset[str]]:
    """Each listed word's stem with the stems of the words that state its opposite."""
    table: dict[str, set[str]] = {}
    for pair in _PAIRS.replace("\n", " | ").split("|"):
        found = pair.split()
        if len(found) != 2:
            continue
        a, b = (nlp.stem(w) for w in found)
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in table.items()}


def _prefixed(word: str, vocabulary: set[str]) -> str | None:
    """The word of `vocabulary` that is `word` with a negating prefix, or `word` without one."""
    for prefix in _PREFIXES:
        if len(word) >= 6 and word not in _NOT_NEGATIONS and prefix + word in vocabulary:
            return prefix + word
        base = word[len(prefix) :]
        if (
            word.startswith(prefix)
            and len(base) >= 6
            and base not in _NOT_NEGATIONS
            and base in vocabulary
        ):
            return base
    return None


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]|[,;:.!?()]")
_BOUNDARY = frozenset([",", ";", ":", ".", "!", "?", "(", ")", "but", "whereas", "while"])
NEGATION_SCOPE = 2  # content words after a negation that it applies to


def _negations(sentence: str) -> tuple[int, set[str]]:
    """How many negations the sentence has, and the stems of the content words they apply
    to wherever the sentence uses them: the next few content words after "not", "never",
    "cannot"... before the clause ends ("not decay but interference": only "decay")."""
    count = 0
    found: set[str] = set()
    free: set[str] = set()
    left = 0
    previous = ""
    for token in _TOKEN.findall(sentence):
        word = token.lower()
        pair, previous = (previous, word), word
        if word in _BOUNDARY:
            left = 0
        elif word in NEGATORS or word.endswith("n't") or pair in _NEGATING_PAIRS:
            count += 1
            left = NEGATION_SCOPE
        elif word not in nlp.STOPWORDS and len(word) > 1:
            (found if left else free).add(nlp.stem(word))
            left = max(0, left - 1)
    return count, found - free


def negated_terms(sentence: str) -> set[str]:
    """Stems of the content words a negation applies to wherever the sentence uses them."""
    return _negations(sentence)[1]


_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b\S+\.(?:org|com|net|edu)/\S*", re.IGNORECASE)
_IDENTIFIER = re.compile(r"\S*_\S*|```")  # "not_imply_causation", "is_empty", a fence


def plain(sentence: str) -> str:
    """The sentence without web addresses and code identifiers, whose words
    ("…/Correlation_does_not_imply…", "is_not_empty") and numbers are no statement."""
    return _IDENTIFIER.sub(" ", _URL.sub(" ", sentence))


# A word after "less" or "hardly" is weakened towards its opposite: "less robust" says what
# "sensitive" says, so an opposite under it agrees, as one under "not" does.
_DIMINISHED = re.compile(
    r"\b(?:less|hardly|barely|scarcely|not\s+very|not\s+as)\s+([A-Za-z][A-Za-z-]+)", re.IGNORECASE
)
# "How fast it converges", "how large the effect is": a degree asked about, not asserted.
_DEGREE = re.compile(r"\bhow\s+([A-Za-z]+)", re.IGNORECASE)


def _weakened(sentence: str) -> set[str]:
    return {nlp.stem(m.group(1).lower()) for m in _DIMINISHED.finditer(sentence)}


# Conditions and requirements move negations about legitimately: "if no constructor is
# given" and "when you do not define one" say the same thing, and so do "it needs a finite
# variance" and "many of them do not have a finite variance". A requirement anywhere counts;
# a condition only where a negation follows it ("come up when we measure the times between
# events" holds no negated condition).
_REQUIREMENT = re.compile(r"\b(?:needs?|requires?|required|must|ha(?:s|ve) to)\b", re.IGNORECASE)
_CONDITIONAL = re.compile(r"\b(?:if|when|whenever|unless|until|otherwise)\b", re.IGNORECASE)


def _negated_condition(sentence: str) -> bool:
    """Whether a negation comes after a conditional word ("when we do not define one",
    "if no constructor is given")."""
    found = _CONDITIONAL.search(sentence)
    return found is not None and _negations(sentence[found.start() :])[0] > 0


def _conditional(sentence: str) -> bool:
    return bool(_REQUIREMENT.search(sentence)) or _negated_condition(sentence)


def negation_flip(sentence: str, statement: str) -> str | None:
    """A content word both texts use, negated in one and not in the other, where the texts
    differ in how many negations they have; or where each negates what the other asserts
    ("always decay and never interference" against "not decay but interference"). Not when
    either states a condition: "if no constructor is given" and "when you do not define one"
    say the same thing with their negations in different places."""
    sentence, statement = plain(sentence), plain(statement)
    ours, theirs = nlp.terms(sentence), nlp.terms(statement)
    (count_a, negated_a), (count_b, negated_b) = _negations(sentence), _negations(statement)
    differs = (negated_a ^ negated_b) & ours & theirs
    if not differs:
        return None
    if _conditional(sentence) or _conditional(statement):
        return None
    if count_a % 2 != count_b % 2:
        return min(differs)
    swapped = negated_a & theirs and negated_b & ours and not negated_a & negated_b
    return min(differs) if swapped else None


def flipped_words(sentence: str, statement: str) -> tuple[str, str] | None:
    """A word of `sentence` whose opposite `statement` uses, where the sentence does not use
    that opposite and the statement does not use the word (compared by stem), and neither is
    negated while the other is not ("forgetting" agrees with "don't remember", "sensitive"
    with "less robust"), nor a degree asked about ("how fast"): (the sentence's word, the
    statement's)."""
    sentence, statement = plain(sentence), plain(statement)
    theirs_words = nlp.words(statement)
    theirs = {nlp.stem(w): w for w in reversed(theirs_words)}  # stem -> first spelling
    mine = nlp.words(sentence)
    ours = {nlp.stem(w) for w in mine}
    ours_negated = negated_terms(sentence) | _weakened(sentence)
    theirs_negated = negated_terms(statement) | _weakened(statement)
    degrees = {m.group(1).lower() for m in _DEGREE.finditer(sentence)}
    table = opposites()
    vocabulary = set(theirs_words)
    for word in mine:
        own = nlp.stem(word)
        if own in theirs or word.lower() in degrees:
            continue
        candidates = [theirs[o] for o in sorted(table.get(own, ())) if o in theirs]
        prefixed = _prefixed(word, vocabulary)
        if prefixed:
            candidates.append(prefixed)
        for other in candidates:
            stem = nlp.stem(other)
            if stem in ours or (own in ours_negated) != (stem in theirs_negated):
                continue
            return word, other
    return None


NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")


def numbers(sentence: str) -> set[str]:
    """The numbers a sentence states, normalised ("5%" and "5" both give "5")."""
    found = set()
    for value in NUMBER.findall(plain(sentence)):
        found.add(value.rstrip("0").rstrip(".") if "." in value else value)
    return found
