"""`enode-codegen diff`: the structural migration report, tied to the declared changes."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
import yaml

from enode_codegen.generator.cli import main
from enode_codegen.generator.diff import (
    KINDS,
    Difference,
    Kind,
    Report,
    Rule,
    When,
    coverage_problems,
    declared_changes,
    diff_documents,
    packaged_report,
)
from enode_codegen.generator.paths import CHANGES_DIR, SOURCE_DIR
from enode_codegen.generator.publish import render_versions

VERSIONS = ["2023-04-01", "2023-08-01", "2024-01-01", "2024-10-01"]
PAIRS = list(itertools.pairwise(VERSIONS))


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_every_difference_is_declared_and_every_declaration_is_a_difference(
    old: str, new: str
) -> None:
    report, declared = packaged_report(old, new)
    assert report.differences
    assert {c.version for c in declared} == {new}
    assert coverage_problems(report, declared) == []


def _find(report: Report, kind: str, subject: str, detail: str = "") -> Difference:
    found = [
        d
        for d in report.differences
        if d.kind == kind and d.subject == subject and d.detail.startswith(detail)
    ]
    assert found, f"{kind} {subject} {detail} not in the report"
    return found[0]


@pytest.fixture(scope="module")
def whole() -> Report:
    report, _ = packaged_report("2023-04-01", "2024-10-01")
    return report


FACTS_TABLE = """
2023-08-01: me-to-users | operation-removed | GET /me (getMe) | | breaking
2023-08-01: me-to-users | operation-removed | DELETE /me/vendors/{vendor} (disconnectMyVendor) | | breaking
2023-08-01: me-to-users | operation-added | GET /users/{userId} (getUser) | | not
2023-08-01: me-to-users | operation-added | DELETE /users/{userId}/vendors/{vendor} (disconnectUserVendor) | | not
2023-08-01: field-removed | parameter-removed | query parameter field | | breaking
2023-08-01: paginated-lists | response-property-changed | listChargers 200 response (body) | array -> object | breaking
2023-08-01: paginated-lists | response-property-changed | listHvacs 200 response (body) | array -> object | breaking
2023-08-01: paginated-lists | response-property-changed | listInverters 200 response (body) | array -> object | breaking
2023-08-01: paginated-lists | parameter-added | query parameter pageSize | optional | not
2023-08-01: user-asset-lists | operation-added | GET /users/{userId}/chargers (listUserChargers) | | not
2023-08-01: user-asset-lists | operation-added | GET /users/{userId}/hvacs (listUserHvacs) | | not
2023-08-01: user-asset-lists | operation-added | GET /users/{userId}/inverters (listUserInverters) | | not
2023-08-01: schedules-under-user | operation-moved | listSchedules | GET /schedules -> GET /users/{userId}/schedules | breaking
2023-08-01: schedules-under-user | operation-moved | createSchedule | POST /schedules -> POST /users/{userId}/schedules | breaking
2023-08-01: schedules-under-user | response-property-changed | listSchedules 200 response (body) | array -> object | breaking
2023-08-01: schedules-under-user | parameter-added | path parameter userId | required | breaking
2023-08-01: statistics-under-user | operation-moved | getChargingStatistics | GET /statistics/charging -> GET /users/{userId}/statistics/charging | breaking
2023-08-01: location-id-rename | response-property-removed | Charger.chargingLocationId | | breaking
2023-08-01: location-id-rename | response-property-removed | Hvac.chargingLocationId | | breaking
2023-08-01: location-id-rename | response-property-removed | Inverter.chargingLocationId | | breaking
2023-08-01: location-id-rename | response-property-renamed | Schedule.chargingLocationId | -> locationId | breaking
2023-08-01: location-id-rename | request-field-renamed | ScheduleCreateRequest.chargingLocationId | -> locationId | breaking
2023-08-01: location-id-rename | request-field-renamed | ScheduleUpdateRequest.chargingLocationId | -> locationId | breaking
2023-08-01: user-management | operation-added | GET /users (listUsers) | | not
2023-08-01: user-management | operation-added | DELETE /users/{userId} (deleteUser) | | not
2024-01-01: link-request | request-field-now-required | UserLinkRequest.language | | breaking
2024-01-01: link-request | request-field-now-required | UserLinkRequest.scopes | | breaking
2024-01-01: link-request | request-field-now-required | UserLinkRequest.redirectUri | | breaking
2024-01-01: link-request | request-field-changed | UserLinkRequest.redirectUri | validation: pattern | breaking
2024-01-01: link-request | request-field-added | UserLinkRequest.colorScheme | | not
2024-01-01: link-request | request-field-removed | UserLinkRequest.forceLanguage | | breaking
2024-01-01: link-request | request-field-removed | UserLinkRequest.username | | breaking
2024-01-01: link-response | response-property-renamed | UserLinkResponse.linkState | -> linkToken | breaking
2024-10-01: asset-location | response-property-removed | Battery.locationId | | breaking
2024-10-01: asset-location | response-property-added | Battery.location | | not
2024-10-01: asset-location | response-property-added | Charger.location | | not
2024-10-01: asset-location | response-property-added | Hvac.location | | not
2024-10-01: asset-location | response-property-added | Inverter.location | | not
2024-10-01: battery-idle | enum-value-added | BatteryOperationMode | IDLE (response) | not
2024-10-01: battery-idle | enum-value-added | BatteryOperationMode | IDLE (request) | not
2024-10-01: hvac-mode-unknown | enum-value-added | HvacMode | UNKNOWN (response) | not
2024-10-01: inverter-serial-number | response-property-added | InverterInformation.sn | | not
2024-10-01: inverter-statistics | operation-added | GET /inverters/{inverterId}/statistics (getInverterStatistics) | | not
2024-10-01: battery-idle | response-property-added | BatteryCapabilities.idle | | not
2024-10-01: battery-mode-unknown | enum-value-added | BatteryConfigOperationMode | UNKNOWN (response) | not
2024-10-01: hem-system-ids | response-property-added | Battery.hemSystemId | | not
2024-10-01: hem-system-ids | response-property-added | Inverter.hemSystemId | | not
2024-10-01: hem-system-ids | response-property-added | Meter.hemSystemId | | not
"""  # noqa: E501 (one change a line reads best)
# Every change ENODE_FACTS.md lists between 2023-04-01 and 2024-10-01, as the report must
# show it: declared by, kind, subject, detail prefix, breaking by Enode's rules or not.
FACTS = [
    tuple(cell.strip() for cell in line.split("|")) for line in FACTS_TABLE.strip().splitlines()
]


@pytest.mark.parametrize(("change", "kind", "subject", "detail", "breaking"), FACTS)
def test_the_report_from_2023_04_01_to_2024_10_01_lists_each_enode_fact(
    whole: Report, change: str, kind: str, subject: str, detail: str, breaking: str
) -> None:
    difference = _find(whole, kind, subject, detail)
    assert difference.breaking is (breaking == "breaking")
    assert difference.change == change and difference.changelog


def test_chargers_hvacs_and_inverters_lose_their_location_id_over_the_two_steps(
    whole: Report,
) -> None:
    """chargingLocationId (2023-04-01) -> locationId (2023-08-01) -> location (2024-10-01):
    seen from 2023-04-01 the old name is gone (breaking) and only `location` is new."""
    for asset in ("Charger", "Hvac", "Inverter"):
        assert not any(d.subject == f"{asset}.locationId" for d in whole.differences)
    battery = _find(whole, "response-property-removed", "Battery.locationId")
    assert battery.breaking and battery.change == "2024-10-01: asset-location"


def test_the_2023_08_01_rename_is_one_entry_per_asset() -> None:
    report, _ = packaged_report("2023-04-01", "2023-08-01")
    for asset, operation in (
        ("Charger", "getCharger"),
        ("Hvac", "getHvac"),
        ("Inverter", "getInverter"),
    ):
        renamed = _find(report, "response-property-renamed", f"{asset}.chargingLocationId")
        assert renamed.detail == "-> locationId" and renamed.breaking
        assert operation in renamed.operations
        assert not any(d.subject == f"{asset}.locationId" for d in report.differences)


def test_an_enum_addition_before_2024_10_01_is_breaking() -> None:
    renditions = render_versions()
    old, new = renditions[-1].document, renditions[-2].document  # 2023-04-01, 2023-08-01
    for document in (old, new):
        document["info"]["version"] = "2023-09-01"
    enum = new["components"]["schemas"]["BatteryOperationMode"]["enum"]
    enum.append("IDLE")
    report = diff_documents(old, new, old_name="2023-08-01", new_name="2023-09-01")
    added = [d for d in report.differences if d.kind == "enum-value-added"]
    assert {d.detail: d.breaking for d in added} == {
        "IDLE (response)": True,
        "IDLE (request)": False,
    }


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    return (
        shutil.copytree(SOURCE_DIR, tmp_path / "source"),
        shutil.copytree(CHANGES_DIR, tmp_path / "changes"),
    )


def _coverage(source: Path, changes: Path, old: str, new: str) -> list[str]:
    renditions = render_versions(source, changes)
    documents = {r.version: r.document for r in renditions}
    declared = declared_changes(renditions, old, new)
    report = diff_documents(documents[old], documents[new], declared=declared)
    return coverage_problems(report, declared)


def test_an_undeclared_change_is_caught(tmp_path: Path) -> None:
    """An action with no declared change behind it is drift: its differences are reported
    as undeclared, and the change that lost the action covers nothing."""
    source, changes = _inputs(tmp_path)
    path = changes / "2024-10-01.yaml"
    overlay = yaml.safe_load(path.read_text(encoding="utf-8"))
    for action in overlay["actions"]:
        if action.get("x-enode-change") == "inverter-serial-number":
            del action["x-enode-change"]
    path.write_text(yaml.safe_dump(overlay, sort_keys=False), encoding="utf-8")
    problems = _coverage(source, changes, "2024-01-01", "2024-10-01")
    assert any(p.startswith("undeclared:") and "InverterInformation.sn" in p for p in problems)
    assert any(
        "inverter-serial-number: declared, but no structural difference" in p for p in problems
    )


def test_a_wrong_breaking_flag_is_caught(tmp_path: Path) -> None:
    source, changes = _inputs(tmp_path)
    path = changes / "2024-01-01.yaml"
    overlay = yaml.safe_load(path.read_text(encoding="utf-8"))
    overlay["x-enode-changes"]["link-response"]["breaking"] = False
    path.write_text(yaml.safe_dump(overlay, sort_keys=False), encoding="utf-8")
    problems = _coverage(source, changes, "2023-08-01", "2024-01-01")
    assert problems == [
        "2024-01-01: link-response: declared breaking=False, but Enode's rules make its "
        "differences breaking: Response properties renamed UserLinkResponse.linkState"
    ]


def test_diff_command_prints_markdown_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "2024-01-01", "2024-10-01"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("# Enode-Version 2024-01-01 -> 2024-10-01")
    assert "## Breaking" in markdown and "`Battery.locationId`" in markdown
    assert main(["diff", "2024-01-01", "2024-10-01", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["old"] == "2024-01-01"
    assert data["breaking"] == sum(1 for d in data["differences"] if d["breaking"]) >= 4
    assert {d["change"] for d in data["differences"]} >= {"2024-10-01: asset-location"}


@pytest.mark.parametrize(
    ("security", "breaking"),
    [
        ([{"ClientCredentials": []}, {}], False),  # the token becomes optional
        ([], False),  # no token needed any more
        ([{"ClientCredentials": []}, {"Other": []}], False),  # one more way in
        ([{"Other": []}], True),  # a different token
    ],
)
def test_only_a_security_change_that_turns_clients_away_is_breaking(
    security: list[dict[str, list[str]]], breaking: bool
) -> None:
    old = render_versions()[0].document
    new = json.loads(json.dumps(old))
    new["paths"]["/integrations"]["get"]["security"] = security
    old["paths"]["/integrations"]["get"].pop("security", None)  # the document's: a token
    report = diff_documents(old, new)
    [changed] = [d for d in report.differences if d.kind == "security-changed"]
    assert changed.subject == "listIntegrations" and changed.breaking is breaking


def test_diff_of_two_spec_files_needs_no_declarations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny = Path(__file__).parent / "fixtures" / "tiny"
    changed = shutil.copytree(tiny, tmp_path / "tiny")
    root = changed / "openapi.yaml"
    assert main(["diff", str(tiny / "openapi.yaml"), str(root)]) == 0
    assert "No differences." in capsys.readouterr().out
    widgets = yaml.safe_load((tiny / "widgets.yaml").read_text(encoding="utf-8"))
    removed = {op["operationId"] for op in widgets["paths"]["/widgets/{widgetId}"].values()}
    document = yaml.safe_load(root.read_text(encoding="utf-8"))
    document["paths"] = {}
    root.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert main(["diff", str(tiny / "openapi.yaml"), str(root), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    gone = [d for d in data["differences"] if d["kind"] == "operation-removed"]
    assert {op for d in gone for op in d["operations"]} == removed
    assert all(d["breaking"] is True and d["change"] is None for d in gone)


def test_diff_names_an_unknown_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "2022-01-01", "2024-10-01"]) == 2
    assert "neither a packaged version" in capsys.readouterr().err


def test_each_generated_package_has_a_changelog_from_the_previous_version() -> None:
    generated = Path(__file__).parent.parent / "generated"
    oldest = (generated / "enode-client-2023-04-01" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Initial version" in oldest
    for old, new in PAIRS:
        text = (generated / f"enode-client-{new}" / "CHANGELOG.md").read_text(encoding="utf-8")
        assert text.startswith("<!-- Generated by enode-codegen")
        assert f"## Changes from Enode-Version {old}" in text
        report, declared = packaged_report(old, new)
        for change in declared:
            assert change.changelog in text
        for difference in report.breaking:
            assert f"`{difference.subject}`" in text.split("### Breaking")[1].split("###")[0]


def test_a_third_party_package_has_no_changelog() -> None:
    golden = Path(__file__).parent / "golden" / "tiny"
    assert golden.is_dir()
    assert not list(golden.rglob("CHANGELOG.md"))


def test_every_kind_has_a_heading_and_a_rule_in_enodes_words() -> None:
    assert list(KINDS) == list(Kind)
    assert {rule.kind for rule in Rule} == set(Kind)
    for rule in Rule:
        assert rule.value.matches and rule.value.enode, rule.name
    # the same change is read the other way round in a response than in a request
    assert Rule.REQUEST_FIELD_NOW_REQUIRED.value.when is When.ALWAYS
    assert Rule.RESPONSE_PROPERTY_NOW_REQUIRED.value.when is When.NEVER


@pytest.mark.parametrize(("direction", "breaking"), [("request", False), ("response", True)])
def test_a_field_made_nullable_breaks_readers_not_senders(direction: str, breaking: bool) -> None:
    old = render_versions()[0].document
    new = json.loads(json.dumps(old))
    name, field = {
        "request": ("UserLinkRequest", "redirectUri"),
        "response": ("UserLinkResponse", "linkUrl"),
    }[direction]
    prop = new["components"]["schemas"][name]["properties"][field]
    assert prop["type"] == "string"
    prop["type"] = ["string", "null"]
    [changed] = [d for d in diff_documents(old, new).differences if d.subject == f"{name}.{field}"]
    side = "request-field" if direction == "request" else "response-property"
    assert changed.kind == f"{side}-changed"
    assert changed.detail.endswith("-> null | string") and changed.breaking is breaking
