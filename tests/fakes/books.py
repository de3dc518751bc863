"""A short programming book with code listings, written for the tests (see pdfgen)."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.pdfgen import Line, code, prose, write_pdf

LIST_LISTING = """
>>> numbers = [42, 123]
>>> numbers[1] = 5
>>> numbers
[42, 5]
"""
TOTAL_LISTING = """
def total(values):
    result = 0
    for value in values:
        result += value
    return result
"""


def python_book(path: Path) -> Path:
    """Two pages on lists, tuples and loops, each with a listing (a `>>>` session and an
    indented function)."""
    first = [Line("Chapter 1"), Line("Lists and tuples"), Line("")]
    first += prose(
        "A list is a sequence of values that can be changed after it is created. The values "
        "in a list are called elements. Lists are mutable, which means that you can assign "
        "a new value to an element. For example, the following session changes the second "
        "element of a list:"
    )
    first += [Line(""), *code(LIST_LISTING), Line("")]
    first += prose(
        "A tuple is a sequence of values much like a list, but tuples are immutable. Once a "
        "tuple is created its elements cannot be assigned, so a tuple can be used as a key "
        "in a dictionary. The main difference between a list and a tuple is that a tuple "
        "is immutable."
    )
    second = [Line("1.1 Loops over lists"), Line("")]
    second += prose(
        "The most common way to traverse the elements of a list is with a for loop. The "
        "loop variable takes each value of the list in turn. For example, this function "
        "adds up the elements of a list:"
    )
    second += [Line(""), *code(TOTAL_LISTING), Line("")]
    second += prose(
        "The function total starts with a result of zero and adds each element to it, so "
        "it returns the sum of the elements. A variable used this way is called an "
        "accumulator."
    )
    return write_pdf(path, [first, second])
