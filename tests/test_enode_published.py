"""Our 2024-10-01 document against Enode's published one (S1): every difference is fixed or
explained in spec/enode-published/errata.yaml, and every errata entry still explains one.

S1 itself is not in the repository (the project holds only its own writing): its structure
is, as `2024-10-01.facts.json`, written by `python -m enode_codegen.generator.facts`. With
ENODE_S1_PATH pointing at S1's file, the facts are re-extracted and must equal the
committed ones.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from enode_codegen.generator.bundle import bundle_spec
from enode_codegen.generator.facts import (
    ERRATA_CLASSES,
    ERRATA_FILE,
    FACTS_FILE,
    FactDifference,
    compare,
    document_facts,
    explain,
    load_errata,
    main,
)
from enode_codegen.generator.paths import spec_file

S1_PATH = os.environ.get("ENODE_S1_PATH")
FACT_KEYS = {"type", "nullable", "required", "format", "enum"}


@pytest.fixture(scope="module")
def theirs() -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(FACTS_FILE.read_text(encoding="utf-8"))
    return facts


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    return document_facts(bundle_spec(spec_file("2024-10-01")).document)


@pytest.fixture(scope="module")
def differences(theirs: dict[str, Any], ours: dict[str, Any]) -> list[FactDifference]:
    return compare(theirs, ours)


def test_every_difference_from_enodes_document_is_fixed_or_in_the_errata(
    differences: list[FactDifference],
) -> None:
    _, unexplained = explain(differences, load_errata())
    assert unexplained == [], "\n".join(
        ["differences from S1 neither fixed nor in errata.yaml:", *map(str, unexplained)]
    )


def test_every_errata_entry_still_explains_a_difference(
    differences: list[FactDifference],
) -> None:
    explained, _ = explain(differences, load_errata())
    stale = [entry for entry, found in explained.items() if not found]
    assert stale == [], f"errata.yaml entries that explain no difference any more: {stale}"


def test_a_new_difference_is_caught(theirs: dict[str, Any], ours: dict[str, Any]) -> None:
    """The comparison sees a single changed fact (here: brand no longer nullable in ours,
    as it was before this errata existed) and no errata entry excuses it."""
    changed = copy.deepcopy(ours)
    brand = changed["operations"]["GET /vehicles/{vehicleId}"]["responses"]["200"]["fields"]
    brand["information.brand"].pop("nullable")
    new = set(compare(theirs, changed)) - set(compare(theirs, ours))
    assert new == {
        FactDifference(
            "field-nullable",
            "GET /vehicles/{vehicleId} 200 information.brand",
            "S1 True, ours False",
        )
    }
    _, unexplained = explain(sorted(new), load_errata())
    assert unexplained == sorted(new)


def test_the_facts_hold_structure_only(theirs: dict[str, Any]) -> None:
    assert set(theirs) == {"version", "operations", "webhooks"}
    assert theirs["version"] == "2024-10-01"
    for operation in theirs["operations"].values():
        assert set(operation) <= {"parameters", "request", "responses"}
        facts = [*operation["parameters"].values()]
        for response in operation["responses"].values():
            assert set(response) == {"media", "fields"}
            facts += response["fields"].values()
        if "request" in operation:
            facts += operation["request"]["fields"].values()
        for fact in facts:
            assert set(fact) <= FACT_KEYS, fact
            assert all(isinstance(v, str) for v in fact.get("enum", []))
    for event in theirs["webhooks"].values():
        assert set(event) == {"batch", "fields"}
        assert all(set(fact) <= FACT_KEYS for fact in event["fields"].values())


def test_errata_entries_are_well_formed() -> None:
    errata = load_errata()
    assert len({e.id for e in errata}) == len(errata)
    assert all(len(e.why) > 40 for e in errata)


def test_a_malformed_errata_entry_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "errata.yaml"
    bad.write_text("entries:\n  - {id: x, class: maybe, kind: a, where: ['*'], why: y}\n")
    with pytest.raises(ValueError, match=r"entry 1 \(x\): class 'maybe'"):
        load_errata(bad)


def test_the_script_reports_an_unreadable_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "missing.json"), "--output", str(tmp_path / "f.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    (tmp_path / "x.json").write_text("[1]")
    assert main([str(tmp_path / "x.json"), "--output", str(tmp_path / "f.json")]) == 2
    assert "not an OpenAPI document" in capsys.readouterr().err
    assert not (tmp_path / "f.json").exists()


@pytest.mark.skipif(not S1_PATH, reason="set ENODE_S1_PATH to Enode's published document")
def test_the_committed_facts_are_what_the_script_extracts(tmp_path: Path) -> None:
    assert S1_PATH is not None
    out = tmp_path / "facts.json"
    assert main([S1_PATH, "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == ERRATA_FILE.parent.joinpath(
        FACTS_FILE.name
    ).read_text(encoding="utf-8")


@pytest.mark.skipif(not S1_PATH, reason="set ENODE_S1_PATH to Enode's published document")
def test_s1_generates_a_client_with_every_operation_that_imports_and_passes_mypy_strict(
    tmp_path: Path,
) -> None:
    """Enode's own document through the corpus steps (generate with --no-enode-rules: it does
    not declare the Enode-Version header; import; smoke calls; `mypy --strict`)."""
    assert S1_PATH is not None
    from corpus import S1_LABEL, run_corpus

    [row] = run_corpus([Path(S1_PATH)], tmp_path)
    assert row.spec == S1_LABEL
    assert (row.rejected, row.failure) == ("", "")
    assert row.operations == row.total > 0
    assert row.import_ok is True
    assert row.mypy_errors == 0
    assert row.smoke_ok == row.smoke_tried > 0


def _s1_schemathesis() -> Any:
    path = Path(__file__).resolve().parent.parent / "tools" / "s1_schemathesis.py"
    spec = importlib.util.spec_from_file_location("s1_schemathesis", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_schemathesis_classes_are_well_formed() -> None:
    rules = _s1_schemathesis().load_rules()
    assert rules and len({r["id"] for r in rules}) == len(rules)
    for rule in rules:
        assert rule["class"] in ERRATA_CLASSES and len(rule["why"]) > 40, rule["id"]
        assert set(rule["match"]) <= {"check", "operation", "title", "message"}, rule["id"]


@pytest.mark.skipif(not S1_PATH, reason="set ENODE_S1_PATH to Enode's published document")
def test_s1_run_by_schemathesis_against_the_mock_fails_only_in_explained_classes() -> None:
    assert S1_PATH is not None
    tool = _s1_schemathesis()
    classes = tool.classify(tool.run(Path(S1_PATH)), tool.load_rules())
    assert [f.text() for f in classes["unclassified"]] == []
