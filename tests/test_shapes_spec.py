"""Schemas of every kind, generated, imported and called: enums of every JSON type,
`allOf` inheritance, discriminated `oneOf`, readOnly/writeOnly as request and response
models, inline shapes named from where they are, and prose full of tabs, trailing
spaces, quotes and control characters."""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from enode_codegen.generator.generate import generate
from enode_codegen.generator.output import FormatError, format_tree

SPEC = Path(__file__).parent / "fixtures" / "thirdparty" / "shapes.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("shapes")
    [report], _ = generate([SPEC], out, enode_rules=False)
    assert (report.package, report.operations) == ("shapes_client", 8)
    assert not [w for w in report.warnings if "typed loosely" in w], report.warnings
    sys.path.insert(0, str(out / report.distribution))
    yield out / report.distribution
    sys.path.remove(str(out / report.distribution))


@pytest.fixture(scope="module")
def pkg(generated: Path) -> ModuleType:
    return importlib.import_module("shapes_client")


def test_enums_of_every_json_type(pkg: ModuleType) -> None:
    models = pkg.models
    assert models.BaseStatus(404) == 404 and models.BaseStatus(404).is_known
    assert not models.BaseStatus(418).is_known  # an integer the client does not know yet
    assert models.BaseRatio(0.5) == 0.5 and not models.BaseRatio(2.5).is_known
    base = models.BaseResponse.model_validate({"id": "1", "kind": "x", "flag": True, "mixed": 1})
    assert base.flag is True and base.mixed.value == 1
    with pytest.raises(ValueError):
        models.BaseResponse.model_validate({"id": "1", "kind": "x", "flag": False})  # enum: [true]
    assert [m.value for m in models.GetShapeLevel] == [1, 2, 3]


def test_yaml_1_2_on_and_off_are_strings(pkg: ModuleType) -> None:
    assert pkg.models.ScheduleRuleTargetStateONMode("ON").value == "ON"


def test_all_of_is_inheritance_and_one_of_with_discriminator_is_discriminated(
    pkg: ModuleType,
) -> None:
    models = pkg.models
    assert issubclass(models.Dog, models.Animal)
    assert models.Dog(name="Rex", barks=True).name == "Rex"
    # Circle and Square extend Base, which has a readOnly property: each is written as a
    # request and a response model, each extending Base's model of the same direction
    assert issubclass(models.CircleRequest, models.BaseRequest)
    assert issubclass(models.SquareResponse, models.BaseResponse)
    shape = models.ShapeResponse.model_validate({"id": "s", "kind": "square", "side": 2}).root
    assert isinstance(shape, models.SquareResponse) and shape.side == 2


def test_inline_shapes_are_named_from_where_they_are(pkg: ModuleType) -> None:
    models = pkg.models
    names = {
        n for n, v in vars(models).items() if inspect.isclass(v) and v.__module__ == models.__name__
    }
    assert {
        "ChargerLocation",
        "ScheduleRuleTargetStateON",
        "ScheduleRuleTargetStateOFF",
        "ScheduleRuleTargetStateWithUntil",
        "ScheduleRuleTargetStateWithAfter",
        "GetShapeBadRequestError",
        "GetShapeBadRequestErrorCode",
        "NotFoundResponse",  # a shared response's inline body, named after the component
    } <= names
    # Square.location has the shape of Charger.location: one class for both
    assert "SquareLocation" not in names
    assert models.SquareResponse.model_fields["location"].annotation == (
        models.ChargerLocation | None
    )
    assert not [n for n in names if n[-1].isdigit()]


def test_calls_parse_into_the_right_variant(pkg: ModuleType) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/shapes/s1":
            assert request.url.params["level"] == "2" and request.url.params["verbose"] == "true"
            body = {"id": "s1", "kind": "square", "side": 3, "location": {"lat": 1, "lon": 2}}
            return httpx.Response(200, json=body)
        if request.url.path == "/rules":
            return httpx.Response(200, json=[{"targetState": {"until": "2024-01-01T00:00:00Z"}}])
        if request.url.path == "/shapes/s1/label":
            assert json.loads(request.content) == {"object": "o", "models": "m", "cast": "c"}
            return httpx.Response(204)
        if request.url.path == "/shapes/gone":
            return httpx.Response(404, json={"reason": "melted"})
        return httpx.Response(400, json={"code": 422, "message": "no"})

    with pkg.Client(
        access_token="t", base_url="https://shapes.example", transport=httpx.MockTransport(handler)
    ) as client:
        shape = client.shapes.get_shape(
            "s1", level=pkg.models.GetShapeLevel.INTEGER_2, verbose=True
        )
        assert isinstance(shape, pkg.models.SquareResponse)
        assert isinstance(shape.location, pkg.models.ChargerLocation)
        [rule] = client.rules.get_rules()
        assert isinstance(rule.target_state, pkg.models.ScheduleRuleTargetStateWithUntil)
        with pytest.raises(pkg.BadRequestError) as info:
            client.shapes.get_shape("s2")
        assert info.value.parsed.code == pkg.models.GetShapeBadRequestErrorCode.INTEGER_422
        assert client.shapes.label_shape("s1", object="o", models_="m", cast_="c") is None
        with pytest.raises(pkg.NotFoundError) as missing:
            client.shapes.get_shape("gone")
        assert isinstance(missing.value.parsed, pkg.models.NotFoundResponse)
        assert missing.value.parsed.reason == "melted"


def test_prose_quirks_are_normalised(generated: Path) -> None:
    models = (generated / "shapes_client" / "models.py").read_text()
    client = (generated / "shapes_client" / "_client.py").read_text()
    for text in (models, client):
        assert "\t" not in text and not re.search(r"[ \t]+$", text, re.M)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)
    assert "A tree  with a tab, a backslash" in models
    assert "Shapes, with a trailing space" in client


def test_mypy_strict(generated: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "shapes_client"],
        cwd=generated,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_formatter_failure_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "broken.py").write_text("def f(:\n    pass\n")
    with pytest.raises(
        FormatError, match=r"enode-codegen bug: ruff check failed on the generated pkg/broken\.py"
    ):
        format_tree(tmp_path)


def test_read_only_and_write_only_make_a_request_and_a_response_model(pkg: ModuleType) -> None:
    models = pkg.models
    assert not hasattr(models, "Account")
    request, response = models.AccountRequest.model_fields, models.AccountResponse.model_fields
    # readOnly `id`: required in what the server sends, absent from what the client sends
    assert "id" not in request and response["id"].is_required()
    # writeOnly `password`: required when sending, never read back
    assert request["password"].is_required() and "password" not in response
    with pytest.raises(ValueError):
        models.AccountResponse.model_validate({"name": "a"})  # the server must send its id
    # schemas that refer to one follow their direction; `PersonRequest` is the spec's own
    # schema, so Person's models are `PersonModelRequest` / `PersonModelResponse`
    assert request["owner"].annotation == (models.PersonModelRequest | None)
    assert response["owner"].annotation == (models.PersonModelResponse | None)
    assert set(models.PersonRequest.model_fields) == {"query"}
    assert "since" not in models.PersonModelRequest.model_fields
    # a schema only the server sends keeps its name and one model: what the server sends
    assert not hasattr(models, "ReceiptRequest") and not hasattr(models, "ReceiptResponse")
    assert models.Receipt.model_fields["issued_at"].is_required()
    assert "pin" not in models.Receipt.model_fields
    # and one only the client sends: no readOnly property, the writeOnly one required
    assert set(models.Credentials.model_fields) == {"user", "password"}
    assert models.Credentials.model_fields["password"].is_required()


def test_calls_send_request_models_and_parse_response_models(pkg: ModuleType) -> None:
    sent: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        stored = [
            {"id": f"a{i}", "name": a["name"], "owner": {**a.get("owner", {}), "since": NOW}}
            for i, a in enumerate([body] if isinstance(body, dict) else body)
        ]
        if isinstance(body, dict):
            return httpx.Response(201, json=stored[0])
        return httpx.Response(200, json=stored)

    with pkg.Client(
        access_token="t", base_url="https://shapes.example", transport=httpx.MockTransport(handler)
    ) as client:
        create = inspect.signature(client.accounts.create_account).parameters
        assert "id" not in create and "password" in create
        created = client.accounts.create_account(
            name="ada", password="pw", owner=pkg.models.PersonModelRequest(name="Ada")
        )
        assert isinstance(created, pkg.models.AccountResponse)
        assert created.id == "a0" and created.owner.since is not None
        [replaced] = client.accounts.replace_accounts(
            body=[pkg.models.AccountRequest(name="bob", password="pw2")]
        )
        assert isinstance(replaced, pkg.models.AccountResponse) and replaced.id == "a0"
    assert sent == [
        {"name": "ada", "password": "pw", "owner": {"name": "Ada"}},
        [{"name": "bob", "password": "pw2"}],
    ]


NOW = "2024-01-01T00:00:00Z"
