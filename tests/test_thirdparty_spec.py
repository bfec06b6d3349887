"""The generator on a spec that is not ours: OpenAPI 3.0, inline schemas, no operationIds.

Nothing is dropped: every operation becomes a method, inline objects and enums get
names from their parent, a lookahead `pattern` still imports, and the package passes
`mypy --strict`.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from enode_codegen.generator.generate import generate

SPEC = Path(__file__).parent / "fixtures" / "thirdparty" / "petshop.json"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("thirdparty")
    reports, _ = generate([SPEC], out, enode_rules=False)
    [report] = reports
    assert (report.package, report.operations) == ("pet_shop_client", 7)
    sys.path.insert(0, str(out / report.distribution))
    yield out / report.distribution
    sys.path.remove(str(out / report.distribution))


@pytest.fixture(scope="module")
def pkg(generated: Path) -> ModuleType:
    return importlib.import_module("pet_shop_client")


def test_every_operation_is_a_method(pkg: ModuleType) -> None:
    client = pkg.Client(access_token="t", base_url="https://petshop.example")
    methods = {
        "pets": {"list_pets", "get_pet", "post_pets", "get_pet_photo"},
        "store": {"store_redirect", "search_store"},
        "default": {"delete_pet"},
    }
    for resource, names in methods.items():
        assert names <= set(dir(getattr(client, resource))), resource
    client.close()


def test_inline_schemas_get_parent_names(pkg: ModuleType) -> None:
    models = pkg.models
    for name in (
        "PostPetsRequest",
        "PostPetsRequestMode",
        "PostPetsRequestTagsItem",
        "PostPetsResponseStatus",
        "PetRecord",
        "PetRecordClass",
        "ListPetsKind",
        "GetPetResponse",
    ):
        assert hasattr(models, name), name
    assert not [n for n in dir(models) if n[-1:].isdigit() and n[0].isupper()]


def test_enum_defaults_refer_to_classes_defined_before_use(pkg: ModuleType) -> None:
    assert pkg.models.PostPetsRequest(name="rex").mode == pkg.models.PostPetsRequestMode.A


def test_lookahead_pattern_imports_and_validates(pkg: ModuleType) -> None:
    record = pkg.models.PetRecord.model_validate({"id": 1, "name": "rex", "pattern-name": "rex"})
    assert record.pattern_name == "rex"
    with pytest.raises(ValueError, match="pattern"):
        pkg.models.PetRecord.model_validate({"id": 1, "name": "rex", "pattern-name": "admin"})


def test_calls_go_out_typed(pkg: ModuleType) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/pets" and request.method == "GET":
            return httpx.Response(
                200, json=[{"id": 1, "name": "rex", "class": "mammal", "extra": 1}]
            )
        if request.url.path == "/pets" and request.method == "POST":
            return httpx.Response(201, json={"id": 7, "status": "brand-new"})
        if request.url.path == "/pets/1/photo":
            return httpx.Response(200, content=b"\x89PNG", headers={"content-type": "image/png"})
        return httpx.Response(204)

    with pkg.Client(
        access_token="t", base_url="https://petshop.example", transport=httpx.MockTransport(handler)
    ) as c:
        [pet] = c.pets.list_pets(limit=5, kind=pkg.models.ListPetsKind.DOG, x_request_id="r1")
        assert pet.class_ == pkg.models.PetRecordClass.MAMMAL and pet.model_extra == {"extra": 1}
        created = c.pets.post_pets(name="rex", mode=pkg.models.PostPetsRequestMode.A)
        assert created.status == "brand-new" and not created.status.is_known
        assert c.pets.get_pet_photo(1) == b"\x89PNG"
        assert c.default.delete_pet(1) is None
    assert seen[0].url.params["limit"] == "5" and seen[0].url.params["kind"] == "dog"
    assert seen[0].headers["X-Request-Id"] == "r1"
    # the spec declares no auth: a token passed anyway goes as a bearer; nothing of Enode
    assert seen[0].headers["Authorization"] == "Bearer t"
    assert "Enode-Version" not in seen[0].headers
    assert seen[0].headers["User-Agent"] == "pet-shop-client-python/0.1.0"
    assert seen[1].content == b'{"name":"rex","mode":"a"}'


def test_base_url_is_the_specs_server(pkg: ModuleType) -> None:
    assert pkg.Client().base_url == "https://petshop.example"


def test_mypy_strict(generated: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "pet_shop_client"],
        cwd=generated,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
