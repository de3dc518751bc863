"""`learningos eval map`: the offline planner's map of a PDF, as text and as JSON."""

from __future__ import annotations

import json

from tests.evaldata import PDFS, ROOT
from tests.integration.test_cli import run
from tests.pdfwriter import markdown_to_pdf

OUTLINE = PDFS / "009-pdflatex-geotopo_GeoTopo-komprimiert.pdf"


def test_eval_map_prints_the_concepts_and_json(tmp_path):
    result = run(["eval", "map", str(OUTLINE), "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    data = json.loads(lines[-1])
    concepts = data["concepts"]
    assert len(concepts) >= 5
    for concept in concepts:
        assert {"title", "description", "difficulty", "prerequisites"} <= set(concept)
        assert concept["title"].strip() and 1 <= concept["difficulty"] <= 5
    titles = [c["title"] for c in concepts]
    earlier: set[str] = set()
    for concept in concepts:  # prerequisites name concepts listed before
        assert set(concept["prerequisites"]) <= earlier
        earlier.add(concept["title"])
    assert f" 1. {titles[0]}" in result.stdout  # the readable listing comes first
    assert f"{len(concepts)} concepts" in result.stdout
    assert not list(tmp_path.iterdir())  # leaves nothing behind


def test_eval_map_of_a_file_that_is_no_pdf_is_a_clear_error(tmp_path):
    fake = tmp_path / "notes.pdf"
    fake.write_text("just some words, not a PDF")
    result = run(["eval", "map", str(fake)], tmp_path / "data")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "PDF" in result.stderr


def test_eval_map_reads_a_markdown_book_and_counts_what_reads_badly(tmp_path):
    book = ROOT / "tests" / "data" / "texts" / "programming_book.md"
    result = run(["eval", "map", str(book), "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    checks = data["checks"]
    assert checks["concepts"] == len(data["concepts"]) >= 5
    assert checks["boilerplate_titles"] == checks["duplicate_titles"] == 0
    assert checks["numbered_titles"] == checks["descriptions_over_two_sentences"] == 0
    assert "boilerplate titles: 0" in result.stdout


def test_eval_map_of_a_textbook_pdf_gives_its_ideas_not_its_furniture(tmp_path):
    book = ROOT / "tests" / "data" / "texts" / "programming_book.md"
    pdf = markdown_to_pdf(book.read_text(), tmp_path / "book.pdf")
    result = run(["eval", "map", str(pdf), "--json"], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    titles = [c["title"] for c in data["concepts"]]
    assert {"Conditionals", "Recursion", "Lists", "Tuples", "Inheritance"} <= set(titles), titles
    assert data["checks"]["boilerplate_titles"] == data["checks"]["numbered_titles"] == 0
    tuples = next(c for c in data["concepts"] if c["title"] == "Tuples")
    assert "Lists" in tuples["prerequisites"]
