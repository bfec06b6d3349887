"""A fast slice of the public corpus (tests/corpus.py; `nox -s corpus` runs all of it):
each spec generates every operation, imports, passes `mypy --strict`, has no numbered
class names and answers smoke calls against a stand-in built from its own examples."""

from __future__ import annotations

import shutil

import pytest
from corpus import Row, corpus_specs, run_corpus, spec_label, table

SLICE = (
    "3.0/discriminators.json",  # discriminators with and without mapping, allOf bases
    "3.0/schema-enums.json",  # string, integer, number and boolean enums
    "3.0/schema-circular.json",  # recursive schemas
    "3.1/train-travel.json",  # 3.1, allOf narrowing a property, several media types
    "3.0/circular-paths.json",  # references into paths, no operationIds, no tags
    "directory/enode.io.json",  # Enode's published 1.3.10 spec: percent-encoded references
    "directory/azure.com/recoveryservicesbackup.json",  # discriminators over allOf subtypes
)

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="the corpus comes from npm")


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Row]:
    specs = [s for s in corpus_specs() if spec_label(s) in SLICE]
    specs.append(next(s for s in corpus_specs() if s.name == "schema-validation-top-level.json"))
    result = run_corpus(specs, tmp_path_factory.mktemp("corpus"))
    print(table(result))
    return {row.spec: row for row in result}


@pytest.mark.parametrize("spec", SLICE)
def test_spec_generates_imports_type_checks_and_answers(rows: dict[str, Row], spec: str) -> None:
    row = rows[spec]
    assert not row.rejected and not row.failure, row.rejected or row.failure
    assert row.operations == row.total > 0
    assert row.import_ok and row.mypy_errors == 0
    assert row.numbered == []
    assert row.smoke_tried > 0 and row.smoke_ok == row.smoke_tried


def test_a_spec_the_validator_rejects_is_listed_with_file_line_and_pointer(
    rows: dict[str, Row],
) -> None:
    rejected = rows["3.1/schema-validation-top-level.json"].rejected
    assert "schema-validation-top-level.json:41: error: [openapi]" in rejected
    assert "(at #/paths/~1anything~1numbers/parameters/1/schema/default)" in rejected
