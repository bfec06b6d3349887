"""Clients of third-party specs have nothing of Enode: the spec's servers, its security
schemes, variables named after the package, their own User-Agent.

Two specs (`fixtures/thirdparty/secured.yaml`: every kind of scheme, per-operation
`security`, server variables; `relative.yaml`: a relative server and token URL) are
generated with `--no-enode-rules`; each call goes through `httpx.MockTransport` and the
test reads the request exactly as the API would receive it, sync and async. ENODE_*
variables are set throughout and must never reach a request.
"""

from __future__ import annotations

import asyncio
import base64
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from enode_codegen.generator.generate import generate

FIXTURES = Path(__file__).parent / "fixtures" / "thirdparty"
SECURED, RELATIVE = FIXTURES / "secured.yaml", FIXTURES / "relative.yaml"
ENODE_VARIABLES = {
    "ENODE_CLIENT_ID": "enode-id",
    "ENODE_CLIENT_SECRET": "enode-secret",
    "ENODE_ENVIRONMENT": "sandbox",
    "ENODE_BASE_URL": "https://enode-base.example",
    "ENODE_TOKEN_URL": "https://enode-token.example/token",
}
UA = "secured-things-client-python/0.1.0"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("neutral")
    reports, _ = generate([SECURED, RELATIVE], out, enode_rules=False)
    assert [r.package for r in reports] == ["secured_things_client", "relative_widgets_client"]
    for report in reports:
        sys.path.insert(0, str(out / report.distribution))
    yield out
    for report in reports:
        sys.path.remove(str(out / report.distribution))


@pytest.fixture(scope="module")
def pkg(generated: Path) -> ModuleType:
    return importlib.import_module("secured_things_client")


@pytest.fixture(scope="module")
def relative(generated: Path) -> ModuleType:
    return importlib.import_module("relative_widgets_client")


@pytest.fixture(autouse=True)
def enode_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """ENODE_* set as on an Enode user's machine; a third-party client must not read them."""
    for name, value in ENODE_VARIABLES.items():
        monkeypatch.setenv(name, value)
    for name in ("CLIENT_ID", "CLIENT_SECRET", "API_KEY", "BASE_URL", "ACCESS_TOKEN"):
        monkeypatch.delenv(f"SECURED_THINGS_CLIENT_{name}", raising=False)


class Api:
    """A MockTransport answering the token URL and every operation, recording requests."""

    def __init__(self) -> None:
        self.seen: list[httpx.Request] = []
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.seen.append(request)
        if request.url.path.endswith("/token"):
            self.tokens += 1
            return httpx.Response(
                200, json={"access_token": f"fetched-{self.tokens}", "expires_in": 3600}
            )
        return httpx.Response(200, json={"ok": True})

    def last(self, path: str) -> httpx.Request:
        return [r for r in self.seen if r.url.path == path][-1]


def _call(client: Any, name: str, aio: bool) -> Any:
    method = getattr(client.things, name)
    return asyncio.run(method()) if aio else method()


def _client(pkg: ModuleType, aio: bool, api: Api, **options: Any) -> Any:
    if aio:
        return pkg.AsyncClient(transport=httpx.MockTransport(api), **options)
    return pkg.Client(transport=httpx.MockTransport(api), **options)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _assert_neutral(request: httpx.Request) -> None:
    assert "Enode-Version" not in request.headers
    assert request.headers["User-Agent"] == UA
    wire = str(request.url) + repr(request.headers.raw) + request.content.decode()
    for value in ENODE_VARIABLES.values():
        assert value not in wire, (value, request)
    assert "enode.io" not in wire


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_each_operation_sends_the_credentials_its_security_names(
    pkg: ModuleType, aio: bool
) -> None:
    api = Api()
    client = _client(
        pkg,
        aio,
        api,
        client_id="cid",
        client_secret="csecret",
        api_key="k",
        username="ann",
        password="pw",
        access_token="static",
    )
    assert client.base_url == "https://eu.api.example/v2"  # the first server, its defaults
    for name in (
        "list_things",
        "get_public",
        "get_keyed",
        "get_query_keyed",
        "get_cookie_keyed",
        "get_basic",
        "get_bearer",
        "get_oidc",
    ):
        _call(client, name, aio)

    [token] = [r for r in api.seen if r.url.path == "/token"]
    assert str(token.url) == "https://auth.example/token"
    assert token.headers["Authorization"] == _basic("cid", "csecret")
    assert token.content == b"grant_type=client_credentials&scope=read+write"
    things = api.last("/v2/things")
    assert str(things.url) == "https://eu.api.example/v2/things"
    assert things.headers["Authorization"] == "Bearer fetched-1"
    public = api.last("/v2/public")
    assert "Authorization" not in public.headers and "Cookie" not in public.headers
    assert str(public.url) == "https://eu.api.example/v2/public"
    keyed = api.last("/v2/keyed")
    assert keyed.headers["X-API-Key"] == "k" and "Authorization" not in keyed.headers
    assert str(api.last("/v2/query-keyed").url).endswith("/query-keyed?api_key=k")
    assert api.last("/v2/cookie-keyed").headers["Cookie"] == "session=k"
    assert api.last("/v2/basic").headers["Authorization"] == _basic("ann", "pw")
    assert api.last("/v2/bearer").headers["Authorization"] == "Bearer static"
    assert api.last("/v2/oidc").headers["Authorization"] == "Bearer static"
    for request in api.seen:
        _assert_neutral(request)


def test_post_and_alternatives(pkg: ModuleType) -> None:
    api = Api()
    with _client(pkg, False, api, api_key={"headerKey": "h", "queryKey": "q"}) as client:
        client.things.get_either()  # both keys of the first alternative
        client.things.get_optional()  # `{}` among the alternatives: the key if there is one
    either = api.last("/v2/either")
    assert either.headers["X-API-Key"] == "h" and either.url.params["api_key"] == "q"
    assert api.last("/v2/optional").headers["X-API-Key"] == "h"

    api = Api()
    with _client(pkg, False, api, username="ann", password="pw") as client:
        client.things.get_either()  # no keys: the second alternative, basic
        client.things.get_optional()  # nothing fits but `{}`: sent without credentials
    assert api.last("/v2/either").headers["Authorization"] == _basic("ann", "pw")
    assert "X-API-Key" not in api.last("/v2/optional").headers

    api = Api()
    with _client(pkg, False, api, client_id="cid", client_secret="cs", scopes=["write"]) as c:
        c.things.create_thing(ok=True)
    token, create = api.seen
    assert token.content == b"grant_type=client_credentials&scope=write"
    assert create.method == "POST" and create.headers["Authorization"] == "Bearer fetched-1"
    assert create.content == b'{"ok":true}'
    for request in api.seen:
        _assert_neutral(request)


def test_variables_are_named_after_the_package(
    pkg: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = Api()
    monkeypatch.setenv("SECURED_THINGS_CLIENT_CLIENT_ID", "env-id")
    monkeypatch.setenv("SECURED_THINGS_CLIENT_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("SECURED_THINGS_CLIENT_API_KEY", "env-key")
    monkeypatch.setenv("SECURED_THINGS_CLIENT_BASE_URL", "https://mirror.example/v9")
    with _client(pkg, False, api) as client:
        client.things.list_things()
        client.things.get_keyed()
    token, things, keyed = api.seen
    assert token.headers["Authorization"] == _basic("env-id", "env-secret")
    assert str(things.url) == "https://mirror.example/v9/things"
    assert keyed.headers["X-API-Key"] == "env-key"


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_enode_variables_are_not_credentials(pkg: ModuleType, aio: bool) -> None:
    """Only ENODE_* are set: nothing is sent, and the error names the package's variables."""
    api = Api()
    client = _client(pkg, aio, api)
    assert client.base_url == "https://eu.api.example/v2"
    with pytest.raises(pkg.ConfigurationError) as raised:
        _call(client, "list_things", aio)
    message = str(raised.value)
    assert message.startswith("GET /things needs credentials, one of:")
    assert "SECURED_THINGS_CLIENT_CLIENT_ID" in message and "ENODE" not in message
    assert api.seen == []
    _call(client, "get_public", aio)  # `security: []` needs nothing
    _assert_neutral(api.last("/v2/public"))


def test_no_enode_options(pkg: ModuleType, relative: ModuleType) -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*'environment'"):
        pkg.Client(environment="sandbox")
    with pytest.raises(relative.ConfigurationError, match="username/password given, but"):
        relative.Client(base_url="https://x", username="u", password="p")
    with pytest.raises(pkg.ConfigurationError, match="'nokey', not apiKey schemes"):
        pkg.Client(api_key={"nokey": "k"})


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"server_variables": {"region": "us"}}, "https://us.api.example/v2"),
        ({"server_variables": {"region": "us", "major": "3"}}, "https://us.api.example/v3"),
        ({"base_url": "https://staging.example"}, "https://staging.example"),
    ],
)
def test_servers(pkg: ModuleType, options: dict[str, Any], expected: str) -> None:
    assert pkg.Client(**options).base_url == expected


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"region": "mars"}, "server variable 'region' is 'mars'; expected one of 'eu', 'us'"),
        ({"zone": "a"}, "server_variables: unknown 'zone' for server"),
    ],
)
def test_bad_server_variables(pkg: ModuleType, variables: dict[str, str], message: str) -> None:
    with pytest.raises(pkg.ConfigurationError, match=message):
        pkg.Client(server_variables=variables)


def test_relative_server_and_token_url(relative: ModuleType) -> None:
    with pytest.raises(relative.ConfigurationError) as raised:
        relative.Client(api_key="k")
    assert "'/api/v1' is relative to wherever the spec is served" in str(raised.value)
    assert "base_url='https://<host>/api/v1'" in str(raised.value)
    assert "RELATIVE_WIDGETS_CLIENT_BASE_URL" in str(raised.value)

    api = Api()
    with relative.Client(
        base_url="https://widgets.example/api/v1",
        api_key="k",
        client_id="c",
        client_secret="s",
        transport=httpx.MockTransport(api),
    ) as client:
        client.default.get_widget("w 1")
        client.default.via_oauth()
    widget, token, oauth = api.seen
    assert str(widget.url) == "https://widgets.example/api/v1/widgets/w%201"
    assert widget.headers["Authorization-Key"] == "k" and "Authorization" not in widget.headers
    assert str(token.url) == "https://widgets.example/oauth/token"  # relative to the server
    assert token.content == b"grant_type=client_credentials"  # the spec names no scopes
    assert oauth.headers["Authorization"] == "Bearer fetched-1"
    assert widget.headers["User-Agent"] == "relative-widgets-client-python/0.1.0"


def test_readme_is_built_from_the_spec(generated: Path) -> None:
    readme = (generated / "secured-things-client" / "README.md").read_text()
    for expected in (
        "# secured-things-client",
        "- `https://{region}.api.example/v{major}`: Production (default)",
        "  - `{region}`: default `eu`, one of `eu`, `us`",
        "| `headerKey` | API key in header `X-API-Key` | `api_key=` | "
        "`SECURED_THINGS_CLIENT_API_KEY` |",
        "OAuth2 client credentials at `https://auth.example/token`, scopes `read`, `write`",
        "`SECURED_THINGS_CLIENT_USERNAME`, `SECURED_THINGS_CLIENT_PASSWORD`",
        "    result = client.things.get_basic()",
        f"Requests carry `User-Agent: {UA}`.",
    ):
        assert expected in readme, expected
    relative = (generated / "relative-widgets-client" / "README.md").read_text()
    assert 'base_url="https://api.example.com/api/v1"' in relative
    assert 'result = client.default.get_widget("text")' in relative
    for package in ("secured-things-client", "relative-widgets-client"):
        folder = generated / package
        texts = [folder / "README.md", folder / "pyproject.toml"]
        texts += list(folder.glob("*/*.py"))
        for path in texts:
            text = path.read_text()
            for enode in ("Enode-Version", "ENODE_", "enode.io", "environment=", "sandbox"):
                assert enode not in text, (path.name, enode)


def test_mypy_strict(generated: Path) -> None:
    for package, folder in (
        ("secured_things_client", "secured-things-client"),
        ("relative_widgets_client", "relative-widgets-client"),
    ):
        result = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", package],
            cwd=generated / folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
