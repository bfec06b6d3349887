"""Every exception the contract suite makes, with its reason, in one place.

No check is ever disabled. Two kinds of exception exist:

- REQUEST_RULES: how the suite shapes the requests it sends (listed for the record; each
  is implemented where its `where` says).
- WAIVERS: a failure schemathesis reports is dropped only when a waiver below matches it
  exactly: the check, the operation (or any), the version (or any), the status code, and
  a predicate on the request/response. Each waiver says who is at fault:
    "api-rule"  the API documents a rule OpenAPI cannot express (not a bug anywhere);
    "spec"      the spec is wrong or incomplete (reported; fix spec/ and delete the waiver);
    "mock"      the mock is wrong (reported; fix mock/ and delete the waiver).
  Every use of a waiver is counted and listed in the summary report.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

from .record import RECORDER

__all__ = ["REQUEST_RULES", "WAIVERS", "Waiver", "find_waiver", "record_use", "uses"]


@dataclass(frozen=True)
class RequestRule:
    id: str
    where: str
    reason: str


REQUEST_RULES: tuple[RequestRule, ...] = (
    RequestRule(
        "enode-version-header",
        "_st.request_headers",
        "Every request carries `Enode-Version: <version under test>` unless the generated case "
        "already sends one (a negative case may send an invalid one). Without the header the "
        "server answers in the client's pinned default version, which the spec of one version "
        "cannot describe.",
    ),
    RequestRule(
        "oauth2-as-bearer",
        "_st._as_schemathesis_sees_it",
        "schemathesis sees the spec's OAuth2 client-credentials scheme as HTTP bearer auth: "
        "the wire format is the same (`Authorization: Bearer <token>`), but schemathesis 4's "
        "ignored_auth check only probes apiKey/http schemes and would silently check nothing "
        "for oauth2.",
    ),
    RequestRule(
        "auth-from-target",
        "_st._config (generation.with-security-parameters = false), _st.request_headers",
        "Every request carries a valid bearer token fetched from the target; schemathesis "
        "does not generate or negate the Authorization header itself. Requests without a "
        "token and with an invalid one are sent by the ignored_auth check on every operation "
        "that answered 2xx.",
    ),
    RequestRule(
        "known-ids",
        "_st._install_hooks (flatmap_path_parameters)",
        "About half of the generated path IDs that are valid for their parameter are replaced "
        "by IDs of real entities listed by the target, so positive cases reach the success "
        "paths (200/204) and not only 404. Negated path values are never replaced. Live: only "
        "for GET operations.",
    ),
    RequestRule(
        "live-read-only",
        "targets.Target.guard / _st._config",
        "Against a live target without --allow-writes, non-GET operations, write flows and "
        "the coverage phase's undocumented-method probes are skipped, and the transport "
        "refuses any non-GET request (the token request excepted).",
    ),
)


def _query(response: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(str(response.request.url)).query, keep_blank_values=True)


def _header(response: Any, name: str) -> str:
    """A response header as text (schemathesis keeps lists of values)."""
    value = response.headers.get(name.lower())
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value or "")


def _problem(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except Exception:
        return {}
    return body if isinstance(body, dict) else {}


def _problem_mentions(*words: str) -> Callable[[Any, Any], bool]:
    def check(case: Any, response: Any) -> bool:
        problem = _problem(response)
        text = " ".join(str(problem.get(k, "")) for k in ("type", "title", "detail"))
        return any(word in text for word in words)

    return check


@dataclass(frozen=True)
class Waiver:
    id: str
    checks: frozenset[str]
    statuses: frozenset[int]
    blame: str
    reason: str
    when: Callable[[Any, Any], bool]
    operations: frozenset[str] | None = None
    versions: frozenset[str] | None = None

    def matches(
        self, version: str, operation_id: str, failure: Any, case: Any, response: Any
    ) -> bool:
        if self.versions is not None and version not in self.versions:
            return False
        if self.operations is not None and operation_id not in self.operations:
            return False
        if not set(getattr(failure, "checks", ())) & self.checks:
            return False
        if response.status_code not in self.statuses:
            return False
        return bool(self.when(case, response))


_CONTROL = frozenset(
    {
        "setBatteryOperationMode",
        "controlChargerCharging",
        "setChargerMaxCurrent",
        "setHvacFollowSchedule",
        "setHvacPermanentHold",
    }
)

WAIVERS: tuple[Waiver, ...] = (
    Waiver(
        id="pagination-cursors-exclusive",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="Enode documents that `after` and `before` must never be sent together (400); "
        "OpenAPI cannot express mutually exclusive parameters, so schemathesis generates both "
        "as 'valid' data.",
        when=lambda case, response: {"after", "before"} <= set(_query(response)),
    ),
    Waiver(
        id="pagination-foreign-cursor",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="Pagination cursors are opaque strings only valid when the API issued them; a "
        "generated string is schema-valid but not a cursor, and the API answers 400.",
        when=lambda case, response: (
            bool({"after", "before"} & set(_query(response)))
            and _problem_mentions("cursor", "pagination")(case, response)
        ),
    ),
    Waiver(
        id="statistics-date-order",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="Statistics need `startDate` before `endDate` (400 otherwise), a rule between two "
        "parameters that OpenAPI cannot express.",
        when=_problem_mentions("startDate", "endDate"),
        operations=frozenset(
            {"getChargingStatistics", "getInverterVendorStatistics", "getInverterStatistics"}
        )
        | {"getChargingSessionsStatistics"},
    ),
    Waiver(
        id="capability-not-supported",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="A control request for a capability the asset lacks (`capabilities.<x>.isCapable` "
        "false, or an HVAC mode outside the unit's `capabilities.capableModes`) is a 400 the "
        "spec documents; what a real asset is capable of is state, not schema.",
        when=_problem_mentions("capability", "Capability", "capable"),
        operations=_CONTROL,
    ),
    Waiver(
        id="controlled-by-schedule",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({422}),
        blame="api-rule",
        reason="Charger and HVAC control answer the documented 422 while the target is "
        "controlled by a schedule or smart charging (state, not schema); schemathesis's "
        "positive_data_acceptance does not count 422 as an acceptable answer by default.",
        when=lambda case, response: True,
        operations=_CONTROL,
    ),
)


def _user_relinked(case: Any, response: Any) -> bool:
    user_id = (case.path_parameters or {}).get("userId")
    if not user_id:
        return False
    return RECORDER.succeeded_after(
        ("DELETE", f"/users/{user_id}"), ("POST", f"/users/{user_id}/link")
    )


def _vendor_outside_enum(case: Any, response: Any) -> bool:
    """The target's 400 says the path `vendor` is not one of the enum's values."""
    return _problem_mentions("path.vendor")(case, response) and _problem_mentions(
        "is not one of the allowed values"
    )(case, response)


WAIVERS += (
    Waiver(
        id="setpoint-outside-unit-range",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="An HVAC setpoint must lie in the unit's `capabilities.heatSetpointRange` / "
        "`coolSetpointRange` (reference: 'The range of allowable values'); the range is the "
        "unit's state, so the spec's plain `number` cannot bound it.",
        when=_problem_mentions("range"),
        operations=frozenset({"setHvacPermanentHold"}),
    ),
    Waiver(
        id="schedule-target-must-exist",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="A schedule's target (`targetId`/`targetType`, or the deprecated "
        "`entityId`/`entityType`) must be an existing charger or vehicle of the user, and its "
        "location (`locationId`/`chargingLocationId`) one of the user's locations; "
        "referential integrity is not expressible in the schema.",
        when=_problem_mentions("targetId", "entityId", "targetType", "target", "location"),
        operations=frozenset({"createSchedule", "updateSchedule"}),
    ),
    Waiver(
        id="schedule-keeps-its-kind",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="A schedule is a charge schedule or a temperature schedule and keeps its kind: "
        "which update fields apply depends on the stored schedule, which the update body's "
        "`anyOf` of both kinds cannot express.",
        when=_problem_mentions(
            "temperature schedule has no", "charge schedule has no", "rule needs"
        ),
        operations=frozenset({"updateSchedule"}),
    ),
    Waiver(
        id="schedule-rule-time-order",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="A schedule rule's `toTimestamp` must not be earlier than its `fromTimestamp` "
        "(an order between two fields OpenAPI cannot express).",
        when=_problem_mentions("earlier than", "later than"),
        operations=frozenset({"createSchedule", "updateSchedule"}),
    ),
    Waiver(
        id="health-not-ready",
        checks=frozenset({"not_a_server_error"}),
        statuses=frozenset({503}),
        blame="api-rule",
        reason="503 with a problem body is the documented answer of the readiness probe while "
        "the service is not ready (the scenario sets it through the mock's admin API); "
        "schemathesis's not_a_server_error counts every 5xx as a server error.",
        when=lambda case, response: "problem+json" in _header(response, "content-type"),
        operations=frozenset({"checkHealthReady"}),
    ),
    Waiver(
        id="statistics-bucket-limit",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="mock",
        reason="The mock refuses statistics ranges of more than 1000 buckets at the chosen "
        "resolution; neither the reference nor the spec documents such a limit. Either "
        "document it (spec: describe the 400) or lift it in the mock.",
        when=_problem_mentions("buckets"),
        operations=frozenset(
            {"getChargingStatistics", "getInverterVendorStatistics", "getInverterStatistics"}
        )
        | {"getChargingSessionsStatistics"},
    ),
    Waiver(
        id="max-current-ceiling",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="mock",
        reason="`maxCurrent` has no upper bound in the spec (nor in the reference); the mock "
        "refuses more than 1000 A so that the charge rate it derives stays a finite number. "
        "Applies only to bodies above 1000 A.",
        when=lambda case, response: (
            isinstance(case.body, dict)
            and isinstance(case.body.get("maxCurrent"), int | float)
            and case.body["maxCurrent"] > 1000
        ),
        operations=frozenset({"setChargerMaxCurrent"}),
    ),
    Waiver(
        id="user-recreated-by-link",
        checks=frozenset({"use_after_free"}),
        statuses=frozenset({200}),
        blame="api-rule",
        reason="Enode creates a user implicitly when a link session is started for it "
        "(`POST /users/{userId}/link`), so a user read after `DELETE /users/{userId}` and a "
        "later successful link exists again. schemathesis only recognises re-creation on the "
        "deleted path or its parents. Applies only when that link succeeded after the delete.",
        when=_user_relinked,
    ),
)

WAIVERS += (
    Waiver(
        id="webhook-url-https",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="A webhook URL must be HTTPS (Enode's documented rule, which its own published "
        "schema leaves to prose: a plain `uri`); the mock also accepts http to a loopback host, "
        "for local receivers.",
        when=_problem_mentions("HTTPS", "not a URL", "has no host"),
        operations=frozenset({"createWebhook", "updateWebhook"}),
    ),
    Waiver(
        id="webhook-url-taken",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="A client cannot register the same webhook URL twice (documented 400 'webhook "
        "already exists'); whether a URL is taken is state, not schema.",
        when=_problem_mentions("already exists"),
        operations=frozenset({"createWebhook", "updateWebhook"}),
    ),
    Waiver(
        id="asset-location-must-exist",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="The location a charger or HVAC unit is moved to (`locationId`, 2023-04-01 "
        "`chargingLocationId`) must be one of its user's locations; referential integrity is "
        "not expressible in the schema.",
        when=_problem_mentions("not a location of user"),
        operations=frozenset({"updateCharger", "updateHvac"}),
    ),
    Waiver(
        id="relink-needs-invalid-credentials",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="Relinking is for an asset whose vendor credentials were invalidated; for an "
        "asset whose credentials are valid the API answers the documented 400 (state, not "
        "schema).",
        when=_problem_mentions("still valid"),
        operations=frozenset({"relinkAsset"}),
    ),
    Waiver(
        id="vendor-outside-user-vendor-enum",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="spec",
        reason="`UserVendor` (the path `vendor` of the disconnect operations) lists only the six "
        "vendors the 2023-04-01 reference names, while `/integrations` and vendor health list "
        "every vendor (an open string); schemathesis's inferred links carry such a vendor into "
        "the closed enum, a request that is not schema-valid. Fix: open the per-asset-type "
        "vendor enums (issue 12), then delete this waiver. Applies only when the value is "
        "outside the enum.",
        when=_vendor_outside_enum,
        operations=frozenset(
            {"disconnectMyVendor", "disconnectUserVendor", "disconnectUserVendorType"}
        ),
    ),
    Waiver(
        id="hem-statistics-interval",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400, 422}),
        blame="api-rule",
        reason="HEM system statistics exist from the system's installation date to today "
        "(the documented 422 outside that range; state, not schema), and an interval that "
        "matches the `YYYY-MM[-DD]` pattern can still be an impossible date such as "
        "2024-02-30 (400).",
        when=_problem_mentions("not available", "is not a date"),
        operations=frozenset({"getHemSystemStatistics"}),
    ),
    Waiver(
        id="inverter-statistics-impossible-day",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="Inverter statistics take `year`, `month` and an optional `day` as separate "
        "integers; a day each is within its bounds can still not exist in that month "
        "(2023-02-30), which the API refuses with a 400 and OpenAPI cannot express.",
        when=_problem_mentions("has no day"),
        operations=frozenset({"getInverterStatistics"}),
    ),
)


_USES: Counter[tuple[str, str, str]] = Counter()
_LOCK = threading.Lock()


def find_waiver(
    version: str, operation_id: str, failure: Any, case: Any, response: Any
) -> Waiver | None:
    for waiver in WAIVERS:
        if waiver.matches(version, operation_id, failure, case, response):
            return waiver
    return None


def record_use(waiver: Waiver, version: str, operation_id: str) -> None:
    with _LOCK:
        _USES[(waiver.id, version, operation_id)] += 1


def add_uses(counts: Counter[tuple[str, str, str]]) -> None:
    """Waivers used in a worker process (parallel.py)."""
    with _LOCK:
        _USES.update(counts)


def uses() -> Counter[tuple[str, str, str]]:
    with _LOCK:
        return Counter(_USES)


# --- vehicles, smart charging, locations and tariffs (issue 12) ---------------------------

_VEHICLE_CONTROL = frozenset(
    {
        "controlVehicleCharging",
        "setVehicleMaxCurrent",
        "updateVehicleSmartChargingPolicy",
        "createVehicleSmartOverride",
    }
)

WAIVERS += (
    Waiver(
        id="vehicle-capability-not-supported",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="A vehicle command or smart charging for a capability the vehicle lacks "
        "(`capabilities.<x>.isCapable` false) is a 400 the spec documents; what a vehicle can "
        "do is state, not schema.",
        when=_problem_mentions("capability", "Capability", "capable"),
        operations=_VEHICLE_CONTROL,
    ),
    Waiver(
        id="vehicle-controlled-by-schedule",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({422}),
        blame="api-rule",
        reason="Vehicle charging commands answer the documented 422 while a schedule or an "
        "active smart charging plan controls the vehicle (state, not schema).",
        when=lambda case, response: True,
        operations=frozenset({"controlVehicleCharging"}),
    ),
    Waiver(
        id="vehicle-max-current-ceiling",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="mock",
        reason="As max-current-ceiling, for vehicles: the mock refuses more than 1000 A.",
        when=lambda case, response: (
            isinstance(case.body, dict)
            and isinstance(case.body.get("maxCurrent"), int | float)
            and case.body["maxCurrent"] > 1000
        ),
        operations=frozenset({"setVehicleMaxCurrent"}),
    ),
    Waiver(
        id="smart-charging-policy-rules",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="Enabling smart charging needs a deadline (set now or before), and "
        "`minimumChargeLimit` must not exceed the vehicle's charge limit: rules between the "
        "body and the vehicle's state that the schema cannot express (Enode documents both "
        "as 400).",
        when=_problem_mentions("deadline", "minimumChargeLimit"),
        operations=frozenset({"updateVehicleSmartChargingPolicy"}),
    ),
    Waiver(
        id="location-time-zone",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="`timezoneName` must name an IANA time zone; the set of zone names is not in "
        "the schema (a plain string, as Enode declares it).",
        when=_problem_mentions("time zone"),
        operations=frozenset({"createLocation", "updateLocation"}),
    ),
    Waiver(
        id="location-tariff-rules",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="api-rule",
        reason="A location tariff's intervals must name rates of the tariff, end after they "
        "start and not overlap (Enode documents overlaps as 400); rules across items and "
        "against stored tariffs that the schema cannot express.",
        when=_problem_mentions("not a rate of tariff", "overlap", "later than"),
        operations=frozenset({"setLocationTariff"}),
    ),
)

WAIVERS += (
    Waiver(
        id="null-id-from-inferred-link",
        checks=frozenset({"positive_data_acceptance"}),
        statuses=frozenset({400}),
        blame="schemathesis",
        reason="schemathesis's state machine infers links from field names (dependency "
        "analysis): an asset's `locationId` (2023-08-01, 2024-01-01) feeds the `locationId` "
        "of `/locations/{locationId}...`, and when it is null (the asset is at no location) "
        "the request carries the string 'None', which is not a uuid and rightly answers 400. "
        "Applies only to that value.",
        when=_problem_mentions("'None' is not a valid uuid"),
    ),
)
