"""Broken specs get a clear error that says what is wrong and where (file, line, pointer)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from enode_codegen.generator.cli import main
from enode_codegen.generator.errors import Severity, SpecError, SpecProblem
from enode_codegen.generator.validate import validate_spec

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A writable copy of the tiny two-file spec; tests break it in one place each."""
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def problems_of(root: Path) -> list[SpecProblem]:
    with pytest.raises(SpecError) as info:
        validate_spec(root / "openapi.yaml")
    return info.value.problems


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(keepends=True), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_the_tiny_spec_is_valid() -> None:
    result = validate_spec(TINY / "openapi.yaml")
    assert (result.operations, result.schemas) == (1, 8)


def test_invalid_yaml_names_file_and_line(tiny: Path) -> None:
    edit(tiny / "widgets.yaml", "      summary: Get a widget", "      summary: [Get a widget")
    problems = problems_of(tiny)
    [problem] = [p for p in problems if p.rule == "yaml"]
    assert problem.file.endswith("widgets.yaml")
    assert problem.line is not None and problem.line >= line_of(
        tiny / "widgets.yaml", "summary: [Get"
    )
    assert "invalid YAML" in problem.message


def test_duplicate_yaml_key_is_an_error_not_an_overwrite(tiny: Path) -> None:
    edit(
        tiny / "widgets.yaml",
        "      summary: Get a widget",
        "      summary: Get a widget\n      summary: again",
    )
    problems = problems_of(tiny)
    [problem] = [p for p in problems if p.rule == "yaml"]
    assert "duplicate key 'summary'" in problem.message
    assert problem.line == line_of(tiny / "widgets.yaml", "summary: again")


def test_dangling_ref_names_the_ref_and_where_it_is(tiny: Path) -> None:
    edit(
        tiny / "widgets.yaml",
        "$ref: '#/components/schemas/WidgetColour'",
        "$ref: '#/components/schemas/Nope'",
    )
    [problem] = problems_of(tiny)
    assert problem.rule == "ref"
    assert problem.message == (
        "dangling $ref '#/components/schemas/Nope': nothing at #/components/schemas/Nope "
        f"in {problem.file}"
    )
    assert problem.file.endswith("widgets.yaml")
    assert problem.line == line_of(tiny / "widgets.yaml", "schemas/Nope")
    assert problem.pointer == "/components/schemas/Widget/properties/colour"


def test_ref_to_missing_file_is_dangling(tiny: Path) -> None:
    edit(tiny / "openapi.yaml", "'widgets.yaml#", "'gadgets.yaml#")
    problems = problems_of(tiny)
    assert any(
        "dangling $ref 'gadgets.yaml#" in p.message and p.file.endswith("openapi.yaml")
        for p in problems
    )
    assert any(p.file.endswith("gadgets.yaml") and p.message == "file not found" for p in problems)


def test_circular_schema_ref(tiny: Path) -> None:
    edit(
        tiny / "widgets.yaml",
        "        createdAt:\n          type: string\n          format: date-time\n",
        "        createdAt:\n          type: string\n          format: date-time\n"
        "        parent:\n          $ref: '#/components/schemas/Widget'\n",
    )
    [problem] = problems_of(tiny)
    assert problem.rule == "ref-cycle"
    assert "Widget -> Widget" in problem.message


def test_circular_inlined_ref(tiny: Path) -> None:
    edit(
        tiny / "widgets.yaml",
        "paths:\n",
        "x-loop:\n  $ref: '#/x-loop'\npaths:\n",
    )
    edit(
        tiny / "openapi.yaml",
        "components:\n",
        "x-uses-loop:\n  $ref: 'widgets.yaml#/x-loop'\ncomponents:\n",
    )
    problems = problems_of(tiny)
    assert any(p.rule == "ref" and "circular $ref" in p.message for p in problems)


def test_duplicate_operation_id(tiny: Path) -> None:
    widgets = tiny / "widgets.yaml"
    edit(
        widgets,
        "  /widgets/{widgetId}:\n",
        "  /widgets:\n    get:\n      operationId: getWidget\n      parameters:\n"
        "        - $ref: 'openapi.yaml#/components/parameters/EnodeVersion'\n"
        "      responses:\n        '204':\n          description: none\n"
        "  /widgets/{widgetId}:\n",
    )
    edit(
        tiny / "openapi.yaml",
        "paths:\n",
        "paths:\n  /widgets:\n    $ref: 'widgets.yaml#/paths/~1widgets'\n",
    )
    [problem] = problems_of(tiny)
    assert problem.rule == "operation-id"
    assert "duplicate operationId 'getWidget'" in problem.message
    assert problem.file.endswith("widgets.yaml")
    lines = [
        n
        for n, text in enumerate(widgets.read_text().splitlines(), 1)
        if "operationId: getWidget" in text
    ]
    assert problem.line == lines[1]  # the second declaration, under /widgets/{widgetId}
    assert "(also GET /widgets)" in problem.message


def test_example_that_violates_its_schema(tiny: Path) -> None:
    edit(tiny / "widgets.yaml", "colour: RED", "colour: BLUE")
    [problem] = problems_of(tiny)
    assert problem.rule == "example"
    assert "at /colour" in problem.message and "'BLUE' is not one of" in problem.message
    assert problem.pointer.endswith("/content/application~1json/example")
    assert problem.file.endswith("widgets.yaml")


def test_example_with_bad_format(tiny: Path) -> None:
    edit(tiny / "widgets.yaml", "createdAt: '2020-04-07T17:04:26Z'", "createdAt: 'yesterday'")
    [problem] = problems_of(tiny)
    assert problem.rule == "example" and "date-time" in problem.message


def test_missing_enode_version_header(tiny: Path) -> None:
    edit(
        tiny / "widgets.yaml",
        "        - $ref: 'openapi.yaml#/components/parameters/EnodeVersion'\n",
        "",
    )
    [problem] = problems_of(tiny)
    assert problem.rule == "enode-version"
    assert "GET /widgets/{widgetId}" in problem.message


def test_missing_success_response(tiny: Path) -> None:
    edit(
        tiny / "widgets.yaml",
        "        '200':\n          description: The widget.",
        "        '404':\n          description: The widget.",
    )
    [problem] = problems_of(tiny)
    assert problem.rule == "success-response"


def test_openapi_schema_violation_points_into_the_source(tiny: Path) -> None:
    edit(tiny / "widgets.yaml", "          required: true\n", "          required: maybe\n")
    problems = problems_of(tiny)
    assert problems and all(p.rule == "openapi" for p in problems)
    assert any(p.file.endswith("widgets.yaml") and "/parameters/1" in p.pointer for p in problems)


def test_cli_exit_code_and_output(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(TINY / "openapi.yaml")]) == 0
    assert "OK: Tiny 2099-01-01: 1 operations, 8 schemas" in capsys.readouterr().out
    edit(tiny / "widgets.yaml", "colour: RED", "colour: BLUE")
    assert main(["validate", str(tiny / "openapi.yaml")]) == 1
    err = capsys.readouterr().err
    assert "widgets.yaml:" in err and "[example]" in err and "INVALID: 1 problem(s)" in err


def _json_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.json"
    path.write_text(text)
    return path


_JSON_SPEC = """{
  "openapi": "3.1.0",
  "info": {"title": "J", "version": "1"},
  "paths": {
    "/x": {
      "get": {
        "operationId": "getX",
        "parameters": [{"name": "Enode-Version", "in": "header", "schema": {"type": "string"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {
          "schema": {"type": "integer"},
          "example": "not a number"
        }}}}
      }
    }
  }
}
"""


def test_json_specs_report_lines_too(tmp_path: Path) -> None:
    assert validate_spec(_json_spec(tmp_path, _JSON_SPEC), enode_rules=False).operations == 1
    with pytest.raises(SpecError) as info:  # our own rules also check examples
        validate_spec(_json_spec(tmp_path, _JSON_SPEC))
    [example] = info.value.problems
    assert example.rule == "example"
    assert example.line == _JSON_SPEC.splitlines().index('          "example": "not a number"') + 1


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    [problem] = problems_of_file(_json_spec(tmp_path, _JSON_SPEC.replace('"ok",', '"ok"')))
    broken_line = next(n for n, line in enumerate(_JSON_SPEC.splitlines(), 1) if '"ok"' in line)
    assert (
        problem.rule == "json" and problem.line == broken_line and "invalid JSON" in problem.message
    )


def test_duplicate_json_key_is_an_error(tmp_path: Path) -> None:
    [problem] = problems_of_file(
        _json_spec(tmp_path, _JSON_SPEC.replace('"title": "J",', '"title": "J", "title": "K",'))
    )
    assert (
        problem.rule == "yaml" and "duplicate key 'title'" in problem.message and problem.line == 3
    )


def problems_of_file(path: Path) -> list[SpecProblem]:
    with pytest.raises(SpecError) as info:
        validate_spec(path, enode_rules=False)
    return info.value.problems


# --- problems found together, each at its own file, line and pointer ---------------------


def test_component_ref_cycle_is_reported_not_a_recursion_error(tiny: Path) -> None:
    widgets = tiny / "widgets.yaml"
    edit(
        widgets,
        "    WidgetColour:\n",
        "    Egg:\n      $ref: '#/components/schemas/Hen'\n"
        "    Hen:\n      $ref: '#/components/schemas/Egg'\n"
        "    WidgetColour:\n",
    )
    edit(
        widgets,
        "        createdAt:\n",
        "        origin:\n          $ref: '#/components/schemas/Egg'\n        createdAt:\n",
    )
    for enode_rules in (True, False):
        with pytest.raises(SpecError) as info:
            validate_spec(tiny / "openapi.yaml", enode_rules=enode_rules)
        [problem] = info.value.problems
        assert problem.rule == "ref-cycle"
        assert "Egg -> Hen -> Egg" in problem.message
        assert problem.file.endswith("widgets.yaml")
        assert (problem.line, problem.pointer) == (
            line_of(widgets, "    Egg:"),
            "/components/schemas/Egg",
        )


def test_invalid_example_of_a_third_party_spec_is_a_warning(tiny: Path) -> None:
    widgets = tiny / "widgets.yaml"
    edit(widgets, "colour: RED", "colour: BLUE")
    result = validate_spec(tiny / "openapi.yaml", enode_rules=False)
    [warning] = result.warnings
    assert (warning.rule, warning.severity) == ("example", Severity.WARNING)
    assert warning.file.endswith("widgets.yaml")
    assert warning.line == line_of(widgets, "              example:")
    assert warning.pointer == (
        "/paths/~1widgets~1{widgetId}/get/responses/200/content/application~1json/example"
    )
    assert "'BLUE' is not one of ['RED', 'GREEN']" in warning.message


def test_bad_type_in_an_area_file_is_reported_there(tiny: Path) -> None:
    widgets = tiny / "widgets.yaml"
    edit(widgets, "          type: string\n          format: date-time", "          type: strin")
    [problem] = problems_of(tiny)
    assert problem.rule == "openapi" and "'strin' is not one of" in problem.message
    assert problem.file.endswith("widgets.yaml")
    assert problem.line == line_of(widgets, "type: strin\n")
    assert problem.pointer == "/components/schemas/Widget/properties/createdAt/type"


def test_missing_path_parameter_is_reported_at_the_path(tiny: Path) -> None:
    widgets = tiny / "widgets.yaml"
    edit(
        widgets,
        "        - name: widgetId\n          in: path\n          required: true\n"
        "          schema:\n            type: string\n            format: uuid\n",
        "",
    )
    [problem] = problems_of(tiny)
    assert problem.rule == "openapi"
    assert "Path parameter 'widgetId'" in problem.message and "not resolved" in problem.message
    assert problem.file.endswith("widgets.yaml")
    assert problem.line == line_of(widgets, "  /widgets/{widgetId}:")
    assert problem.pointer == "/paths/~1widgets~1{widgetId}"


def test_every_rule_runs_and_reports_at_once(tiny: Path) -> None:
    widgets = tiny / "widgets.yaml"
    edit(widgets, "colour: RED", "colour: BLUE")
    edit(widgets, "          required: true\n", "          required: maybe\n")
    edit(widgets, "      operationId: getWidget\n", "")
    rules = sorted(p.rule for p in problems_of(tiny))
    assert {"example", "openapi", "operation-id"} <= set(rules)


def test_a_yaml_error_is_not_followed_by_knock_on_dangling_refs(tiny: Path) -> None:
    edit(tiny / "widgets.yaml", "      summary: Get a widget", "      summary: [Get a widget")
    [problem] = problems_of(tiny)
    assert problem.rule == "yaml" and problem.file.endswith("widgets.yaml")


def test_a_missing_file_is_reported_once_and_each_reference_to_it_at_its_line(
    tiny: Path,
) -> None:
    edit(tiny / "openapi.yaml", "'widgets.yaml#", "'gadgets.yaml#")
    edit(
        tiny / "openapi.yaml",
        "components:\n",
        "x-more:\n  $ref: 'gadgets.yaml#/x'\ncomponents:\n",
    )
    problems = problems_of(tiny)
    assert [p.line is None for p in problems if p.file.endswith("gadgets.yaml")] == [True]
    assert len([p for p in problems if "dangling $ref 'gadgets.yaml#" in p.message]) == 2
