"""End to end through each generated client (generated/enode-client-<version>), against the
same target: every read operation, every action flow with `wait_for_action`, and the typed
errors (404 NotFoundError, 409 ConflictError with `.action`, 422 UnprocessableEntityError).

Clients run with `strict=True`: an unknown field or enum value in a response is an error.
Against the mock, actions resolve by themselves ACTION_DELAY seconds of the mock's clock
after their creation; the tests move that clock (`target.let_actions_resolve()`) instead of
waiting (the generated `wait_for_action` sleeps with `time.sleep`, not the client's `sleep`
hook), and poll every 20 ms.
"""

from __future__ import annotations

import enum
import inspect
import re
import time
import types
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest

from enode_codegen.generator.ir import resource_attr

from . import clients
from .options import Options, current
from .scenarios import action_families, candidate_bodies
from .spec import SpecOperation, operations
from .targets import Target

VERSIONS = current().versions
TERMINAL = {"CONFIRMED", "FAILED", "CANCELLED"}
WAIT_TIMEOUT = 300.0


def package(version: str, config: pytest.Config | None = None) -> types.ModuleType:
    """The generated client of `version` (clients.py: installed, or generated into a
    cache); every test of a client that cannot be had skips with the same reason."""

    def say(line: str) -> None:  # shown at once, not captured with the test's output
        reporter = config.pluginmanager.get_plugin("terminalreporter") if config else None
        capture = config.pluginmanager.get_plugin("capturemanager") if config else None
        if reporter is None or capture is None:
            print(line)
            return
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(line)

    loaded = clients.load(version, say)
    if isinstance(loaded, str):
        pytest.skip(loaded)
    return loaded


def wait(resource: Any, action: Any, target: Target) -> Any:
    """`wait_for_action` within what is left of the run's action-wait budget (live)."""
    started = time.monotonic()
    try:
        return resource.wait_for_action(
            action, timeout=target.action_timeout(WAIT_TIMEOUT), poll_interval=target.poll_interval
        )
    finally:
        target.action_wait_left -= time.monotonic() - started


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def resource_of(client: Any, tag: str) -> Any:
    """`client.<resource>` of a tag, named after the tag's paths as the generator names it."""
    paths = [o.path for o in operations(client.API_VERSION).values() if o.tags[:1] == (tag,)]
    return getattr(client, resource_attr(tag, paths))


def method_of(client: Any, op: SpecOperation) -> Any:
    resource = resource_of(client, op.tags[0])
    return getattr(resource, snake(op.operation_id))


@pytest.fixture
def client(
    target: Target, known_ids: dict[str, Any], request: pytest.FixtureRequest
) -> Iterator[Any]:
    target.reset()
    version = request.node.callspec.params["version"]
    with target.client(package(version, request.config)) as opened:
        yield opened


# --- reads -----------------------------------------------------------------------------


def _enum_member(annotation: Any) -> Any:
    candidates = [annotation, *get_args(annotation)]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return next(iter(candidate))
    return None


def _required_value(name: str, annotation: Any) -> Any:
    now = datetime.now(UTC).replace(microsecond=0)
    if name == "start_date":
        return now - timedelta(days=2)
    if name == "end_date":
        return now
    if name == "year":
        return now.year
    if name == "month":
        return now.month
    if name == "interval":  # HEM system statistics: yesterday (a day, YYYY-MM-DD)
        return (now - timedelta(days=1)).date().isoformat()
    member = _enum_member(annotation)
    if member is not None:
        return member
    raise LookupError(f"no value for the required argument {name}: {annotation}")


READS = [
    (version, op)
    for version in VERSIONS
    for op in sorted(operations(version).values(), key=lambda o: o.operation_id)
    if op.method == "GET" and not op.operation_id.endswith("Action")
]


@pytest.mark.parametrize(("version", "op"), READS, ids=[f"{v}-{o.operation_id}" for v, o in READS])
def test_client_read(
    version: str, op: SpecOperation, client: Any, known_ids: dict[str, Any], options: Options
) -> None:
    """The generated method of every read operation returns its typed model (strict) and
    warns exactly when the spec marks the operation deprecated."""
    method = method_of(client, op)
    signature = inspect.signature(method, eval_str=True)
    known = known_ids[version]
    positional: list[list[Any]] = []
    keywords: dict[str, Any] = {}
    for name, parameter in signature.parameters.items():
        if name == "options":
            continue
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            values = known.get(camel(name), [])
            if not values:
                pytest.skip(f"the target lists no {camel(name)} to read")
            positional.append(values)
        elif parameter.default is inspect.Parameter.empty or name == "end_date":
            keywords[name] = _required_value(name, parameter.annotation)
    # the first owner/entity that has something to show (e.g. a user with batteries)
    last_error: Exception | None = None
    for index in range(max((len(v) for v in positional), default=1)):
        args = [values[min(index, len(values) - 1)] for values in positional]
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", DeprecationWarning)
                result = method(*args, **keywords)
        except package(version).NotFoundError as error:  # e.g. a user without that asset
            last_error = error
            continue
        _check_result(result, signature.return_annotation, options)
        warned = any(issubclass(w.category, DeprecationWarning) for w in caught)
        assert warned == op.deprecated, (
            f"{op.operation_id} is {'' if op.deprecated else 'not '}deprecated in the spec, "
            f"but the client {'did not warn' if op.deprecated else 'warned'}"
        )
        return
    raise AssertionError(f"every known ID answered 404: {last_error}")


def _check_result(result: Any, annotation: Any, options: Options) -> None:
    if result is None:
        return
    data = getattr(result, "data", None)
    if data is not None and hasattr(result, "has_next_page"):  # a page: walk them all
        items = list(result) if not options.live else list(data)
        for item in items:
            assert hasattr(item, "model_dump") or isinstance(item, str | uuid.UUID), item
        return
    if isinstance(result, list):
        for item in result:
            assert hasattr(item, "model_dump") or isinstance(item, str | uuid.UUID), item
        return
    assert hasattr(result, "model_dump"), f"expected a model, got {type(result)}"


# --- actions ---------------------------------------------------------------------------


def _call_create(client: Any, version: str, family: Any, asset_id: str, body: Any) -> Any:
    models = package(version).models
    method = method_of(client, operations(version)[family.create])
    if body is None:
        return method(asset_id)
    if family.create == "setHvacPermanentHold":
        model = getattr(models, f"HvacPermanentHold{body['mode'].title()}")
        return method(asset_id, body=model.model_validate(body))
    parameters = inspect.signature(method, eval_str=True).parameters
    keywords = {}
    for key, value in body.items():
        name = snake(key)
        annotation = parameters[name].annotation
        member_type = next(
            (
                a
                for a in [annotation, *get_args(annotation)]
                if isinstance(a, type) and issubclass(a, enum.Enum)
            ),
            None,
        )
        keywords[name] = member_type(value) if member_type is not None else value
    return method(asset_id, **keywords)


def _create(client: Any, version: str, family: Any, known: dict[str, Any]) -> tuple[Any, Any]:
    errors = package(version)
    tried = []
    for asset_id in known.get(family.asset_param, []):
        for body in candidate_bodies(version, family.create):
            try:
                return _call_create(client, version, family, asset_id, body), body
            except (errors.BadRequestError, errors.UnprocessableEntityError) as error:
                tried.append(f"{asset_id} {body}: {error.status_code}")
    pytest.fail(f"no asset accepted {family.create}: {'; '.join(tried) or 'no assets listed'}")


FAMILIES = [(v, f) for v in VERSIONS for f in action_families(v)]


def _writes(options: Options) -> None:
    if not options.writes_allowed:
        pytest.skip("write flow: the live target is read-only (pass --allow-writes)")


@pytest.mark.parametrize(
    ("version", "family"), FAMILIES, ids=[f"{v}-{f.create}" for v, f in FAMILIES]
)
def test_client_action_flow(
    version: str,
    family: Any,
    client: Any,
    target: Target,
    known_ids: dict[str, Any],
    options: Options,
) -> None:
    """Create an action, wait for it, read it back, and get ConflictError (carrying the
    action) when cancelling it once resolved."""
    _writes(options)
    errors = package(version)
    resource = resource_of(client, operations(version)[family.create].tags[0])
    action, _body = _create(client, version, family, known_ids[version])
    assert getattr(action.state, "value", action.state) in {"PENDING", *TERMINAL}
    if not options.live:  # still PENDING: a short wait gives up with the last action seen
        with pytest.raises(errors.ActionTimeoutError) as timed_out:
            resource.wait_for_action(action, timeout=0.05, poll_interval=0.01)
        assert getattr(timed_out.value.action.state, "value", None) == "PENDING"
    target.let_actions_resolve()
    final = wait(resource, action, target)
    state = getattr(final.state, "value", final.state)
    assert state in TERMINAL, f"wait_for_action returned a {state} action"
    assert str(final.id) == str(action.id)
    read = getattr(resource, snake(family.get))(action.id)
    assert getattr(read.state, "value", read.state) == state
    with pytest.raises(errors.ConflictError) as conflict:
        getattr(resource, snake(family.cancel))(action.id)
    assert conflict.value.status_code == 409
    assert conflict.value.action is not None, "a 409 on cancel carries the action"
    assert str(conflict.value.action.id) == str(action.id)
    assert getattr(conflict.value.action.state, "value", conflict.value.action.state) == state


@pytest.mark.parametrize("version", VERSIONS)
def test_client_forced_failure(
    version: str, client: Any, target: Target, known_ids: dict[str, Any], options: Options
) -> None:
    """An action the target fails ends FAILED with a failure reason (mock: admin API)."""
    if target.admin is None:
        pytest.skip("forcing an outcome needs the mock's admin API")
    family = action_families(version)[0]
    resource = resource_of(client, operations(version)[family.create].tags[0])
    action, _ = _create(client, version, family, known_ids[version])
    target.admin.advance_action(str(action.id), "FAILED")
    final = wait(resource, action, target)
    assert getattr(final.state, "value", final.state) == "FAILED"
    assert final.failure_reason is not None


@pytest.mark.parametrize("version", VERSIONS)
def test_client_cancel_pending(
    version: str, client: Any, target: Target, known_ids: dict[str, Any], options: Options
) -> None:
    """Cancelling a PENDING action returns it CANCELLED; the wait then ends CANCELLED."""
    _writes(options)
    family = action_families(version)[0]
    resource = resource_of(client, operations(version)[family.create].tags[0])
    action, _ = _create(client, version, family, known_ids[version])
    if getattr(action.state, "value", action.state) != "PENDING":
        pytest.skip("the action resolved at once")
    cancelled = getattr(resource, snake(family.cancel))(action.id)
    assert getattr(cancelled.state, "value", cancelled.state) == "CANCELLED"
    final = wait(resource, action, target)
    assert getattr(final.state, "value", final.state) == "CANCELLED"


# --- typed errors ----------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_client_not_found(version: str, client: Any) -> None:
    errors = package(version)
    missing = str(uuid.uuid4())
    for op in (
        "getBattery",
        "getCharger",
        "getHvac",
        "getMeter",
        "getInverter",
        "getBatteryAction",
    ):
        spec_op = operations(version)[op]
        with pytest.raises(errors.NotFoundError) as raised:
            method_of(client, spec_op)(missing)
        assert raised.value.status_code == 404
        assert raised.value.detail, "the problem document has a detail"


@pytest.mark.parametrize("version", VERSIONS)
def test_client_unprocessable(
    version: str, client: Any, target: Target, known_ids: dict[str, Any], options: Options
) -> None:
    """A charger under schedule control refuses manual commands with 422."""
    errors = package(version)
    if target.admin is None:
        pytest.skip("putting a charger under schedule control needs the mock's admin API")
    models = package(version).models
    refused = []
    for charger_id in known_ids[version]["chargerId"]:
        target.admin.schedule_control("charger", charger_id, True)
        for kind in ("START", "STOP"):
            try:
                client.chargers.control_charger_charging(
                    charger_id, action=models.ChargerChargeActionKind(kind)
                )
            except errors.UnprocessableEntityError as error:
                assert error.status_code == 422
                assert error.detail
                refused.append(kind)
            except errors.BadRequestError:  # this charger cannot do that at all
                continue
            else:
                raise AssertionError(f"a schedule-controlled charger accepted {kind}")
        if refused:
            return
    pytest.fail("no charger could be put under schedule control and commanded")


@pytest.mark.parametrize("version", VERSIONS)
def test_client_service_unavailable(version: str, client: Any, target: Target) -> None:
    """`check_health_ready` returns None when ready; raises ServiceUnavailableError (after
    its retries) when not (mock: admin API)."""
    errors = package(version)
    assert client.health.check_health_ready() is None
    if target.admin is None:
        return
    target.admin.set_ready(False)
    try:
        with pytest.raises(errors.ServiceUnavailableError) as raised:
            client.health.check_health_ready()
        assert raised.value.status_code == 503
    finally:
        target.admin.set_ready(True)
