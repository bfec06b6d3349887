"""The generated clients as a newcomer meets them: the constructor and its repr agree, an
Enode-Version header that contradicts the client is refused, strict mode warns about nothing,
`wait_for_action` is typed by the action it waits for, and the package README's enode-mock and
async pagination examples run against the mock."""

from __future__ import annotations

import ast
import asyncio
import inspect
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import httpx
import pytest

from enode_codegen.contract_tests.transports import SyncASGITransport
from enode_codegen.mock.app import create_app
from enode_codegen.mock.config import DEFAULT_CLIENTS, MockConfig

enode = pytest.importorskip("enode_2024_10_01")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generated" / "enode-client-2024-10-01"
README = PACKAGE / "README.md"


def test_repr_shows_only_what_the_constructor_takes() -> None:
    client = enode.Client(client_id="id-1", client_secret="s3cret", environment="sandbox")
    text = repr(client)
    call = ast.parse(text, mode="eval").body
    assert isinstance(call, ast.Call)
    assert ast.unparse(call.func) == "enode_2024_10_01.Client"  # the package names the version
    accepted = inspect.signature(enode.Client).parameters
    assert [k.arg for k in call.keywords] == ["environment", "base_url", "client_id"]
    assert all(k.arg in accepted for k in call.keywords)
    # it evaluates to a constructor call, which asks for the secret the repr hides
    with pytest.raises(enode.ConfigurationError, match="client_secret"):
        eval(text, {"enode_2024_10_01": enode}, {})
    assert "s3cret" not in text


def test_repr_of_a_token_client_hides_the_token() -> None:
    client = enode.Client(access_token="tok-123", base_url="https://api.test")
    assert "tok-123" not in repr(client) and "access_token=<hidden>" in repr(client)


@pytest.mark.parametrize("name", ["Enode-Version", "enode-version"])
def test_another_enode_version_in_default_headers_is_a_clear_error(name: str) -> None:
    with pytest.raises(enode.ConfigurationError) as caught:
        enode.Client(
            access_token="t", base_url="https://api.test", default_headers={name: "2023-08-01"}
        )
    message = str(caught.value)
    assert "'2023-08-01'" in message and "'2024-10-01'" in message
    assert "default_headers" in message
    assert isinstance(caught.value, ValueError)


def test_the_same_enode_version_in_headers_is_accepted_and_sent_once() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "u1", "linkedVendors": []})

    with enode.Client(
        access_token="t",
        base_url="https://api.test",
        default_headers={"enode-version": "2024-10-01", "X-Team": "a"},
        transport=httpx.MockTransport(answer),
    ) as client:
        client.users.get_user("u1")
        with pytest.raises(enode.ConfigurationError, match="extra_headers"):
            client.users.get_user("u1", options={"extra_headers": {"Enode-Version": "2023-04-01"}})
    [request] = seen
    assert request.headers.get_list("Enode-Version") == ["2024-10-01"]
    assert request.headers["X-Team"] == "a"


def test_strict_mode_emits_no_warning_on_deprecated_fields() -> None:
    """Strict mode walks every field; fields the spec marks deprecated must not warn
    (it used to print a bare `DeprecationWarning: deprecated`)."""
    from test_generated_clients import build_call

    _, _, _, status, body = build_call("2024-10-01", "/schedules/{scheduleId}", "get")
    assert {"chargeableId", "entityId", "entityType"} <= set(body)  # deprecated, filled in
    with (
        warnings.catch_warnings(),
        enode.Client(
            access_token="t",
            base_url="https://api.test",
            strict=True,
            transport=httpx.MockTransport(lambda _: httpx.Response(status, json=body)),
        ) as client,
    ):
        warnings.simplefilter("error")
        schedule = client.schedules.get_schedule("4eaeb363-296d-4ccc-a973-7805e6f400bd")
    assert str(schedule.id) == body["id"]


def test_wait_for_action_is_typed_by_the_action_it_waits_for(tmp_path: Path) -> None:
    script = tmp_path / "user_code.py"
    script.write_text(
        textwrap.dedent(
            """
            from enode_2024_10_01 import AsyncClient, Client, models

            def sync(client: Client) -> models.VehicleChargeAction:
                action = client.vehicles.control_vehicle_charging(
                    "v", action=models.VehicleChargeActionKind.START
                )
                final = client.vehicles.wait_for_action(action)
                reveal_type(final)
                return final

            def by_id(client: Client) -> None:
                reveal_type(client.vehicles.wait_for_action("action-id"))

            async def run(client: AsyncClient) -> models.ChargerChargeAction:
                action = await client.chargers.control_charger_charging(
                    "c", action=models.ChargerChargeActionKind.STOP
                )
                final = await client.chargers.wait_for_action(action)
                reveal_type(final)
                return final
            """
        )
    )
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=PACKAGE,
        capture_output=True,
        text=True,
        check=False,
    )
    revealed = [
        line.split("Revealed type is ", 1)[1]
        for line in mypy.stdout.splitlines()
        if "Revealed" in line
    ]
    models = "enode_2024_10_01.models"
    assert revealed == [
        f'"{models}.VehicleChargeAction"',
        f'"{models}.VehicleChargeAction | {models}.VehicleMaxCurrentAction"',
        f'"{models}.ChargerChargeAction"',
    ], mypy.stdout
    assert "error" not in mypy.stdout.replace("note:", ""), mypy.stdout


def _example(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_readme_names_the_credentials_the_mock_accepts() -> None:
    [(client_id, secret)] = DEFAULT_CLIENTS.items()
    code = _example("Against enode-mock")
    assert f'client_id="{client_id}"' in code and f'client_secret="{secret}"' in code
    assert 'token_url="http://127.0.0.1:8080/oauth2/token"' in code


def test_readme_mock_example_runs_against_the_mock(capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(MockConfig(action_delay=0))
    transport = SyncASGITransport(app)
    code = _example("Against enode-mock").replace(
        'token_url="http://127.0.0.1:8080/oauth2/token",',
        'token_url="http://127.0.0.1:8080/oauth2/token", transport=transport,',
    )
    try:
        exec(compile(code, "README.md (Against enode-mock)", "exec"), {"transport": transport})
    finally:
        transport.shutdown()
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("enode_2024_10_01.Client(environment=None")
    assert len(printed) > 1  # the mock's seeded items, across pages
    assert app.state.mock.violations == []


def test_readme_async_pagination_walks_every_page(capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(MockConfig(action_delay=0))
    code = _example("Asyncio")
    assert "async for item in await client." in code
    body = code.split("\n", 2)[2].replace(
        'AsyncClient(environment="sandbox")',
        'AsyncClient(client_id="mock-client", client_secret="mock-secret", '
        'base_url="http://mock.test", token_url="http://mock.test/oauth2/token", '
        "transport=transport)",
    )
    namespace: dict[str, Any] = {"AsyncClient": enode.AsyncClient}
    exec("async def main(transport):\n" + textwrap.indent(body, "    "), namespace)
    asyncio.run(namespace["main"](httpx.ASGITransport(app)))
    walked = capsys.readouterr().out.splitlines()

    with enode.Client(
        client_id="mock-client",
        client_secret="mock-secret",
        base_url="http://mock.test",
        token_url="http://mock.test/oauth2/token",
        transport=SyncASGITransport(app),
    ) as client:
        expected = [str(item) for item in client.batteries.list_batteries(page_size=1)]
    assert walked == expected and walked
