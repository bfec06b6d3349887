"""The one module of the suite that talks to schemathesis (pinned to major version 4).

Everything else (tests, conftest, targets, reports) goes through the names below, so a
schemathesis upgrade touches this file only:

    load(version)                 the version's spec as a schemathesis schema, configured
                                  for the run (profile, seed, checks, waivers, known IDs)
    parametrize(schemas)          one pytest item per version x operation
    call_and_validate(case, ...)  send a case to the target and run every check on it
    call(case, ...), validate()   send, then the response checks only (named checks' requests)
    make_case(schema, op_id, ...) an explicit case (scenario tests), checked the same way
    run_state_machine(...)        the stateful test built from the spec's links
    operation_id(...)             which operation a request hit (coverage table)
    curl(case, response)          the reproducible, redacted curl line of a request
    webhook_event_strategies(v)   hypothesis strategies of each webhook event of a version
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import hypothesis
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from . import exceptions, problems
from .options import Options, current
from .spec import document, operations, webhook_events

if TYPE_CHECKING:
    from .targets import Target

__all__ = [
    "SCHEMATHESIS_MAJOR",
    "Failure",
    "FailureGroup",
    "GenerationMode",
    "bind",
    "call",
    "call_and_validate",
    "curl",
    "documented_statuses",
    "load",
    "make_case",
    "operation_id",
    "parametrize",
    "run_state_machine",
    "set_known_ids",
    "validate",
    "webhook_event_strategies",
]

SCHEMATHESIS_MAJOR = 4
if not schemathesis.__version__.startswith(f"{SCHEMATHESIS_MAJOR}."):
    raise ImportError(
        f"contract_tests needs schemathesis {SCHEMATHESIS_MAJOR}.x, "
        f"found {schemathesis.__version__}"
    )

Schema = Any  # schemathesis.specs.openapi.schemas.OpenApiSchema
Case = schemathesis.Case[Any]
Response = schemathesis.Response

VERSION_HEADER = "Enode-Version"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# --- configuration --------------------------------------------------------------------


def _config(options: Options) -> SchemathesisConfig:
    profile = options.profile
    coverage: dict[str, Any] = {"enabled": profile.coverage}
    if not options.writes_allowed:
        # read-only live runs: never probe paths with methods they do not document either
        coverage["unexpected-methods"] = []
    return SchemathesisConfig.from_dict(
        {
            "seed": options.seed,
            "suppress-health-check": ["all"],
            "generation": {
                "mode": "all",  # positive and negative data
                "max-examples": profile.max_examples,
                "database": "none",
                # the token comes from the target (exceptions.REQUEST_RULES "auth-from-target");
                # missing and invalid tokens are probed by the ignored_auth check
                "with-security-parameters": False,
            },
            "phases": {
                "examples": {"enabled": profile.examples},
                "coverage": coverage,
                "fuzzing": {"enabled": True},
                "stateful": {"max-steps": profile.stateful_steps},
            },
            # every built-in check stays enabled (the default); waivers are per failure,
            # in exceptions.py, never per check
        }
    )


# --- known IDs: real entities for path parameters --------------------------------------

# version -> path parameter name -> IDs the target answered in its lists (session fixture)
_KNOWN_IDS: dict[str, dict[str, list[str]]] = {}
_KNOWN_LOCK = threading.Lock()


def set_known_ids(version: str, ids: Mapping[str, list[str]]) -> None:
    with _KNOWN_LOCK:
        _KNOWN_IDS[version] = {name: sorted(set(values)) for name, values in ids.items() if values}


def _param_validator(operation: Any, name: str) -> Callable[[Any], bool]:
    import jsonschema

    for parameter in operation.path_parameters:
        if parameter.name == name:
            schema = parameter.definition.get("schema", {})
            checker = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
            return checker.is_valid
    return lambda value: False


def _install_hooks(schema: Schema, version: str, options: Options) -> None:
    validators: dict[tuple[str, str], Callable[[Any], bool]] = {}

    @schema.hook("flatmap_path_parameters")  # type: ignore[untyped-decorator]
    def known_ids(context: Any, path_parameters: dict[str, Any]) -> Any:
        """Half of the generated path IDs are swapped for IDs of real entities, so the
        fuzzer reaches the operations' success paths, not only their 404s. Only values
        that are valid for their parameter are swapped (a negated value stays negative);
        against a live target only for read operations."""
        operation = context.operation
        if operation is None or not path_parameters:
            return st.just(path_parameters)
        if options.live and operation.method.upper() not in _SAFE_METHODS:
            return st.just(path_parameters)
        known = _KNOWN_IDS.get(version, {})
        choices: dict[str, Any] = {}
        for name, value in path_parameters.items():
            ids = known.get(name)
            if not ids:
                continue
            key = (operation.label, name)
            if key not in validators:
                validators[key] = _param_validator(operation, name)
            valid_ids = [known_id for known_id in ids if validators[key](known_id)]
            if valid_ids and validators[key](value):
                choices[name] = st.sampled_from(valid_ids)
        if not choices:
            return st.just(path_parameters)
        return st.one_of(
            st.just(path_parameters),
            st.fixed_dictionaries(choices).map(lambda picked: {**path_parameters, **picked}),
        )

    @schema.hook("filter_failure")  # type: ignore[untyped-decorator]
    def waivers(context: Any, failure: Failure, case: Case, response: Response) -> bool:
        """Drop a failure only when a documented exception (exceptions.py) covers it."""
        waiver = exceptions.find_waiver(version, _operation_id_of(case), failure, case, response)
        if waiver is None:
            return True
        exceptions.record_use(waiver, version, _operation_id_of(case))
        return False


_SCHEMAS: dict[str, Schema] = {}


class _BoundApp:
    """The ASGI app schemathesis calls for an in-process target. Schemas are built at
    collection time, before the target exists; operations copy the schema's `app` when they
    are built, so the schema gets this stand-in, bound to the target's app later (`bind`)."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.app is None:
            raise RuntimeError("no in-process target is bound (contract_tests._st.bind)")
        await self.app(scope, receive, send)


_APP = _BoundApp()


def bind(target: Target) -> None:
    """Route schemathesis's in-process calls (and its checks' probes) to `target`."""
    _APP.app = getattr(target, "app", None)


def _as_schemathesis_sees_it(raw: dict[str, Any]) -> dict[str, Any]:
    """The spec with its OAuth2 client-credentials scheme presented as HTTP bearer auth.

    Same wire format (the token travels as `Authorization: Bearer <token>`), but
    schemathesis 4's `ignored_auth` check only probes apiKey/http schemes; with `oauth2` it
    silently checks nothing (exceptions.REQUEST_RULES "oauth2-as-bearer")."""
    doc = copy.deepcopy(raw)
    schemes = doc.get("components", {}).get("securitySchemes", {})
    for name, scheme in list(schemes.items()):
        if scheme.get("type") == "oauth2":
            schemes[name] = {
                "type": "http",
                "scheme": "bearer",
                "description": "OAuth 2.0 client-credentials access token (" + name + ")",
            }
    return doc


def load(version: str, options: Options | None = None) -> Schema:
    """The version's spec (spec/published/<version>.yaml, as validated by the generator)."""
    options = options or current()
    if version not in _SCHEMAS:
        schema = schemathesis.openapi.from_dict(
            _as_schemathesis_sees_it(document(version)), config=_config(options)
        )
        if options.target == "mock" and not options.mock_server:
            schema.app = _APP
        _install_hooks(schema, version, options)
        _SCHEMAS[version] = schema
    return _SCHEMAS[version]


def parametrize(
    schemas: Mapping[str, Schema],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """One test per version x operation; test ids `test[<version>][<METHOD> <path>]`."""
    return schemathesis.pytest.parametrize(**dict(schemas))


# --- calling ---------------------------------------------------------------------------


def _operation_id_of(case: Case) -> str:
    return str(case.operation.definition.raw.get("operationId") or case.operation.label)


def version_of(case: Case) -> str:
    return str(case.operation.schema.raw_schema["info"]["version"])


def request_headers(case: Case, target: Target) -> dict[str, str]:
    """Headers added to every case: the bearer token, and `Enode-Version` when the case
    has none (exceptions.REQUEST_RULES: without it the server answers in the client's
    pinned default version, not the version under test)."""
    headers = dict(target.auth_headers())
    sent = {name.lower() for name in (case.headers or {})}
    if VERSION_HEADER.lower() not in sent:
        headers[VERSION_HEADER] = version_of(case)
    return headers


def call_and_validate(case: Case, target: Target, **checks: Any) -> Response:
    """Send `case` to the target and run every enabled schemathesis check on the answer.

    A failure raises schemathesis's `FailureGroup` (an AssertionError) whose message has
    the redacted curl line."""
    target.guard(case.method)
    return case.call_and_validate(
        headers=request_headers(case, target), **target.st_kwargs(), **checks
    )


def call(case: Case, target: Target, *, authenticated: bool = True) -> Response:
    """Send `case` to the target (without the token if not `authenticated`), unchecked
    (check it with `validate`)."""
    target.guard(case.method)
    headers = request_headers(case, target)
    if not authenticated:
        headers.pop("Authorization", None)
    return case.call(headers=headers, **target.st_kwargs())


# what every request of a named check (checks.Sequence) is checked for: checks of the
# response alone (no probe re-sends the request: a sequence's requests change state)
RESPONSE_CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)


def validate(case: Case, response: Response, target: Target) -> None:
    """schemathesis's response checks and `problem_type_conformance` on one response;
    raises `FailureGroup`."""
    case.validate_response(
        response,
        checks=[*RESPONSE_CHECKS, problem_type_conformance],
        headers=request_headers(case, target),
    )


class ProblemTypeMismatch(Failure):
    """A problem+json body whose `type` is not the URL of its status's problem type."""

    code = "EN503"
    kind_title = "Problem type does not match the status"


@schemathesis.check
def problem_type_conformance(ctx: Any, response: Response, case: Case) -> bool | None:
    """Problem bodies (application/problem+json) carry the `type` URL of their status
    (`problems.py`)."""
    if "problem+json" not in " ".join(response.headers.get("content-type", [])):
        return None
    try:
        body = response.json()
    except ValueError:
        return None  # content_type / schema checks report a body that is not JSON
    message = problems.mismatch(response.status_code, body)
    if message is None:
        return True
    raise ProblemTypeMismatch(
        operation=case.operation.label,
        message=message,
        title=ProblemTypeMismatch.kind_title,
    )


def make_case(
    schema: Schema,
    operation_id: str,
    *,
    path_parameters: dict[str, Any] | None = None,
    query: dict[str, Any] | None = None,
    body: Any = None,
    headers: dict[str, Any] | None = None,
) -> Case:
    operation = schema.find_operation_by_id(operation_id)
    kwargs: dict[str, Any] = {
        "path_parameters": path_parameters or {},
        "query": query or {},
        "headers": {VERSION_HEADER: version_of_schema(schema), **(headers or {})},
    }
    if body is not None:
        kwargs["body"] = body
        kwargs["media_type"] = "application/json"
    case: Case = operation.Case(**kwargs)
    return case


def version_of_schema(schema: Schema) -> str:
    return str(schema.raw_schema["info"]["version"])


def curl(case: Case, response: Response | None = None, base_url: str | None = None) -> str:
    headers = dict(response.request.headers) if response is not None else None
    return case.as_curl_command(headers=headers, base_url=base_url)


# --- stateful --------------------------------------------------------------------------


def run_state_machine(
    schema: Schema, target: Target, *, read_only: bool = False, options: Options | None = None
) -> None:
    """schemathesis's state machine built from the spec's links (list -> get, action ->
    get/cancel, createSchedule -> getSchedule), every step checked by every check."""
    options = options or current()
    profile = options.profile
    if read_only:
        schema = schema.include(method="GET")
    elif options.live:  # never chain real IDs into deletions of a real account's data
        schema = schema.exclude(method="DELETE")
    base = schema.as_state_machine()

    class Machine(base):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            target.reset()

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            target.guard(case.method)
            return {"headers": request_headers(case, target), **target.st_kwargs()}

    Machine.__name__ = f"StateMachine_{version_of_schema(schema).replace('-', '_')}"
    seeded = hypothesis.seed(options.seed)(Machine)
    settings = hypothesis.settings(
        max_examples=profile.stateful_examples,
        stateful_step_count=profile.stateful_steps,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.generate, hypothesis.Phase.shrink],
    )
    seeded.run(settings=settings)


# --- coverage table --------------------------------------------------------------------

_ROUTE_CACHE: dict[tuple[str, str, str], str | None] = {}


def operation_id(version: str, method: str, path: str) -> str | None:
    """The operationId `METHOD path` hits in `version`'s spec (None: no such operation)."""
    key = (version, method.upper(), path)
    if key not in _ROUTE_CACHE:
        found = None
        schema = _SCHEMAS.get(version)
        if schema is not None:
            try:
                operation = schema.find_operation_by_path(method, path)
            except Exception:
                operation = None
            if operation is not None:
                found = str(operation.definition.raw.get("operationId") or operation.label)
        _ROUTE_CACHE[key] = found
    return _ROUTE_CACHE[key]


def documented_statuses(version: str) -> dict[str, list[str]]:
    """operationId -> the status codes its spec documents."""
    return {op_id: list(op.responses) for op_id, op in operations(version).items()}


# --- webhook events (the receiver checks) ------------------------------------------------

_WEBHOOK_STRATEGIES: dict[str, dict[str, st.SearchStrategy[Any]]] = {}
_COMPOSED = ("allOf", "anyOf", "oneOf")
_SUBSCHEMA = ("items", "prefixItems", "additionalProperties", "anyOf", "oneOf", "not", "contains")
_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs")


def _closed(components: dict[str, Any]) -> dict[str, Any]:
    """`components` with every plain object schema closed (`additionalProperties: false`),
    so generated events carry the fields the spec names and no invented extra keys.
    `allOf` members and schemas beside a composition stay open: closing one would refuse
    the properties its partners add."""
    doc = copy.deepcopy(components)
    combined: set[str] = set()  # component names used as allOf members

    def find_combined(node: Any) -> None:
        if isinstance(node, dict):
            for member in node.get("allOf") or []:
                if isinstance(member, dict) and isinstance(member.get("$ref"), str):
                    combined.add(member["$ref"].rsplit("/", 1)[-1])
            for value in node.values():
                find_combined(value)
        elif isinstance(node, list):
            for value in node:
                find_combined(value)

    def close(node: Any, name: str | None = None) -> None:
        if isinstance(node, list):
            for value in node:
                close(value)
            return
        if not isinstance(node, dict):
            return
        if (
            isinstance(node.get("properties"), dict)
            and "additionalProperties" not in node
            and "unevaluatedProperties" not in node
            and not any(key in node for key in _COMPOSED)
            and name not in combined
        ):
            node["additionalProperties"] = False
        # allOf members are validated together: each stays open
        for key in _SUBSCHEMA:
            close(node.get(key))
        for key in _SUBSCHEMA_MAPS:
            if isinstance(node.get(key), dict):
                for child in node[key].values():
                    close(child)

    find_combined(doc)
    for name, schema in (doc.get("schemas") or {}).items():
        close(schema, name)
    return doc


def webhook_event_strategies(version: str) -> dict[str, st.SearchStrategy[Any]]:
    """Event name -> a strategy of one event payload that validates against the event's
    schema in `version`'s spec (schemathesis's positive generation; no invented extra
    keys, no NUL characters), for every event the version declares (`spec.webhook_events`).
    """
    if version not in _WEBHOOK_STRATEGIES:
        events = webhook_events(version)
        raw = document(version)
        paths = {
            f"/webhook-events/{index}": {
                "post": {
                    "operationId": f"webhookEvent{index}",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": schema}},
                    },
                    "responses": {"200": {"description": "accepted"}},
                }
            }
            for index, schema in enumerate(events.values())
        }
        synthetic = {
            "openapi": raw.get("openapi", "3.1.0"),
            "info": {"title": f"webhook events of {version}", "version": version},
            "paths": paths,
            "components": _closed(raw.get("components") or {}),
        }
        config = SchemathesisConfig.from_dict(
            {
                "seed": current().seed,
                "suppress-health-check": ["all"],
                "generation": {"mode": "positive", "database": "none", "allow-x00": False},
            }
        )
        schema = schemathesis.openapi.from_dict(synthetic, config=config)
        _WEBHOOK_STRATEGIES[version] = {
            name: schema[f"/webhook-events/{index}"]["POST"]
            .as_strategy(generation_mode=GenerationMode.POSITIVE)
            .map(lambda case: case.body)
            for index, name in enumerate(events)
        }
    return _WEBHOOK_STRATEGIES[version]
