"""bench/synthetic.py: the synthetic scale spec is deterministic, has exactly N operations
and is a valid OpenAPI document (the `synthetic` bench figure depends on all three)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.figures.specs import count_operations
from bench.synthetic import main, synthetic_spec
from enode_codegen.generator.validate import validate_spec


def test_same_seed_same_document_other_seed_other_document() -> None:
    assert synthetic_spec(37, seed=3) == synthetic_spec(37, seed=3)
    assert synthetic_spec(37, seed=3) != synthetic_spec(37, seed=4)


def test_exactly_the_operations_asked_for() -> None:
    for n in (1, 4, 5, 6, 23):
        assert count_operations(synthetic_spec(n)) == n


def test_written_document_validates(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.json"
    assert main(["23", "--seed", "1", "--output", str(path)]) == 0
    assert json.loads(path.read_text("utf-8")) == synthetic_spec(23, seed=1)
    validated = validate_spec(path, enode_rules=False)
    assert validated.operations == 23
    assert not [w for w in validated.warnings if "example" in str(w)]
