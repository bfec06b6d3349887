"""Requests as the spec says, byte for byte: every row of OpenAPI's Style Examples, and every body
media type, from a generated client (sync and async) through httpx.MockTransport.

The fixture `thirdparty/styles.yaml` declares one operation per style and explode for each
location, with a `color` parameter that is a string, an array or an object (`RGB`), and one
operation per body media type. Multipart bodies are read back with the standard library's
MIME parser, so a part is checked as a server would see it.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import subprocess
import sys
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from enode_codegen.generator.generate import generate
from enode_codegen.generator.naming import snake_name

SPEC = Path(__file__).parent / "fixtures" / "thirdparty" / "styles.yaml"

# OpenAPI 3.1.1, 4.8.12.4 "Style Examples" (the same table in 3.0.4 and 3.2.0): style, explode,
# then the rendering of `color` undefined/empty, "blue", ["blue","black","brown"] and
# {"R": 100, "G": 200, "B": 150}; None where the table says n/a.
STYLE_EXAMPLES: list[tuple[str, bool, str | None, str | None, str | None, str | None]] = [
    ("matrix", False, ";color", ";color=blue",
     ";color=blue,black,brown", ";color=R,100,G,200,B,150"),
    ("matrix", True, ";color", ";color=blue",
     ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"),
    ("label", False, ".", ".blue", ".blue,black,brown", ".R,100,G,200,B,150"),
    ("label", True, ".", ".blue", ".blue.black.brown", ".R=100.G=200.B=150"),
    ("simple", False, "", "blue", "blue,black,brown", "R,100,G,200,B,150"),
    ("simple", True, "", "blue", "blue,black,brown", "R=100,G=200,B=150"),
    ("form", False, "?color=", "?color=blue",
     "?color=blue,black,brown", "?color=R,100,G,200,B,150"),
    ("form", True, "?color=", "?color=blue",
     "?color=blue&color=black&color=brown", "?R=100&G=200&B=150"),
    ("spaceDelimited", False, None, None,
     "?color=blue%20black%20brown", "?color=R%20100%20G%20200%20B%20150"),
    ("pipeDelimited", False, None, None,
     "?color=blue%7Cblack%7Cbrown", "?color=R%7C100%7CG%7C200%7CB%7C150"),
    ("deepObject", True, None, None, None, "?color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
]  # fmt: skip
LOCATIONS = {  # where OpenAPI allows each style
    "path": ("matrix", "label", "simple"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
    "cookie": ("form",),
}
VALUES = ("empty", "string", "array", "object")


def _cases() -> Iterator[Any]:
    for style, explode, *cells in STYLE_EXAMPLES:
        for location, styles in LOCATIONS.items():
            if style not in styles:
                continue
            for value, expected in zip(VALUES, cells, strict=True):
                if expected is not None and not (location == "path" and value == "empty"):
                    case = f"{location}-{style}-{explode}-{value}"
                    yield pytest.param(location, style, explode, value, expected, id=case)


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("wire")
    reports, _ = generate([SPEC], out, enode_rules=False)
    [report] = reports
    sys.path.insert(0, str(out / report.distribution))
    yield importlib.import_module(report.package)
    sys.path.remove(str(out / report.distribution))


Reply = Callable[[httpx.Request], httpx.Response]


def _send(
    pkg: ModuleType,
    aio: bool,
    resource: str,
    method: str,
    *args: Any,
    reply: Reply | None = None,
    **kwargs: Any,
) -> tuple[Any, httpx.Request]:
    """Call `client.<resource>.<method>(*args, **kwargs)` on the sync or async client; the
    result and the one request that went out."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return reply(request) if reply else httpx.Response(204)

    options = {"access_token": "t", "base_url": "https://wire.example"}
    transport = httpx.MockTransport(handler)
    if aio:

        async def run() -> Any:
            async with pkg.AsyncClient(**options, transport=transport) as client:
                return await getattr(getattr(client, resource), method)(*args, **kwargs)

        result = asyncio.run(run())
    else:
        with pkg.Client(**options, transport=transport) as client:
            result = getattr(getattr(client, resource), method)(*args, **kwargs)
    [request] = seen
    return result, request


def _value(pkg: ModuleType, which: str) -> Any:
    return {
        "empty": "",
        "string": "blue",
        "array": ["blue", "black", "brown"],
        "object": pkg.models.RGB.model_validate({"R": 100, "G": 200, "B": 150}),
    }[which]


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(("location", "style", "explode", "value", "expected"), list(_cases()))
def test_style_examples_on_the_wire(
    pkg: ModuleType, aio: bool, location: str, style: str, explode: bool, value: str, expected: str
) -> None:
    method = snake_name(f"{location}_{style}_{explode}")
    color = _value(pkg, value)
    endpoint = f"/{location}/{style}-{str(explode).lower()}"
    if location == "path":
        _, request = _send(pkg, aio, location, method, color)
        assert request.url.raw_path == f"{endpoint}/{expected}".encode()
    elif location == "query":
        _, request = _send(pkg, aio, location, method, color=color)
        assert request.url.raw_path == f"{endpoint}{expected}".encode()
    elif location == "header":
        _, request = _send(pkg, aio, location, method, color=color)
        assert request.headers["color"] == expected
    else:  # a cookie header separates pairs with "; " (RFC 6265), not "&"
        _, request = _send(pkg, aio, location, method, color=color)
        assert request.headers["cookie"] == expected.removeprefix("?").replace("&", "; ")


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_an_empty_simple_path_parameter_is_refused_before_sending(
    pkg: ModuleType, aio: bool
) -> None:
    with pytest.raises(ValueError, match="path parameter 'color' must not be empty"):
        _send(pkg, aio, "path", "path_simple_false", "")


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_default_styles_cookies_and_allow_reserved(pkg: ModuleType, aio: bool) -> None:
    _, request = _send(
        pkg, aio, "defaults", "defaults", [1, 2], session="s 1", theme="dark",
        tag=["a", "b"], x_trace=["x", "y"], q="https://a.example/b?c=d",
    )  # fmt: skip
    # path: simple; query: form, exploded; header: simple; cookie: form; `q` allowReserved
    assert request.url.raw_path == b"/defaults/1,2?q=https://a.example/b?c=d&tag=a&tag=b"
    assert request.headers["X-Trace"] == "x,y"
    assert request.headers["Cookie"] == "session=s%201; theme=dark"
    _, request = _send(pkg, aio, "defaults", "defaults", [3], session="s")
    assert request.url.raw_path == b"/defaults/3"
    assert request.headers["Accept"] == "application/json"  # its parameter is ignored
    assert request.headers["Cookie"] == "session=s" and "X-Trace" not in request.headers


def _parts(request: httpx.Request) -> list[EmailMessage]:
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + request.content)
    assert isinstance(message, EmailMessage) and message.is_multipart()
    return list(message.iter_parts())  # type: ignore[arg-type]


def _described(part: EmailMessage) -> tuple[str | None, str | None, str | None, bytes]:
    name = part.get_param("name", header="content-disposition")
    assert isinstance(name, str)
    content_type = part["Content-Type"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return name, part.get_filename(), content_type and str(content_type), payload


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_multipart_parts_as_the_spec_says(pkg: ModuleType, aio: bool) -> None:
    binary = bytes(range(256))  # not UTF-8: sent as it is
    result, request = _send(
        pkg, aio, "bodies", "upload",
        file=("scan.bin", binary),
        note="héllo",
        attachments=[io.BytesIO(b"%PDF-1"), ("b.pdf", b"%PDF-2", "application/pdf")],
        count=3,
        tags=["a", "b"],
        meta=pkg.models.Meta(source="web", level=2),
        doc="<doc/>",
        image=b"\x89PNG",
        reply=lambda _: httpx.Response(
            200, content="reçu".encode(), headers={"Content-Type": "text/plain; charset=utf-8"}
        ),
    )  # fmt: skip
    assert result == "reçu" and type(result) is str
    assert request.headers["Accept"] == "text/plain"
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert [_described(part) for part in _parts(request)] == [
        ("file", "scan.bin", "application/octet-stream", binary),
        ("note", None, None, "héllo".encode()),  # text/plain, RFC 7578's default
        ("attachments", "upload", "application/octet-stream", b"%PDF-1"),
        ("attachments", "b.pdf", "application/pdf", b"%PDF-2"),
        ("count", None, None, b"3"),
        ("doc", None, "application/xml", b"<doc/>"),  # encoding.doc.contentType
        ("image", "upload", "image/png", b"\x89PNG"),  # the first of "image/png, image/jpeg"
        ("meta", None, "application/json", b'{"source":"web","level":2}'),
        ("tags", None, None, b"a"),
        ("tags", None, None, b"b"),
    ]


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_form_urlencoded_body_in_its_encoding_styles(pkg: ModuleType, aio: bool) -> None:
    _, request = _send(
        pkg, aio, "bodies", "submit_form",
        name="Ada Lovelace", ids=[1, 2], colors=["red", "green"],
        filter=pkg.models.Meta(source="web", level=2), redirect="https://a.example/?x=1",
    )  # fmt: skip
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.content == (  # required fields first, then the others by name
        b"name=Ada%20Lovelace&colors=red%7Cgreen&filter%5Bsource%5D=web&filter%5Blevel%5D=2"
        b"&ids=1&ids=2&redirect=https://a.example/?x=1"
    )


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_text_and_binary_bodies_both_ways(pkg: ModuleType, aio: bool) -> None:
    result, request = _send(
        pkg, aio, "bodies", "echo_text", body="héllo",
        reply=lambda r: httpx.Response(200, content=r.content[::-1]),
    )  # fmt: skip
    assert request.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert request.headers["Accept"] == "application/octet-stream"
    assert request.content == "héllo".encode() and result == "héllo".encode()[::-1]
    result, request = _send(
        pkg, aio, "bodies", "put_blob", body=io.BytesIO(b"\x00\xff\xfe"),
        reply=lambda r: httpx.Response(200, text=f"{len(r.content)} bytes ✓"),
    )  # fmt: skip
    assert request.headers["Content-Type"] == "application/octet-stream"
    assert request.content == b"\x00\xff\xfe" and result == "3 bytes ✓"


@pytest.mark.parametrize("aio", [False, True], ids=["sync", "async"])
def test_a_json_body_goes_out_as_its_declared_media_type(pkg: ModuleType, aio: bool) -> None:
    result, request = _send(
        pkg, aio, "bodies", "merge_patch", level=3,
        reply=lambda r: httpx.Response(200, json={"source": "web", "level": 3}),
    )  # fmt: skip
    assert request.headers["Content-Type"] == "application/merge-patch+json"
    assert request.content == b'{"level":3}' and result.level == 3


def test_a_retried_upload_sends_the_same_bytes(pkg: ModuleType) -> None:
    """A file object is read once per call: the retry after a 503 carries the same body."""
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.read())
        return httpx.Response(503 if len(seen) == 1 else 200, text="ok")

    with pkg.Client(
        access_token="t", base_url="https://wire.example", transport=httpx.MockTransport(handler),
        sleep=lambda _seconds: None,
    ) as client:  # fmt: skip
        assert client.bodies.put_blob(body=io.BytesIO(b"\x01\x02")) == "ok"
    assert seen == [b"\x01\x02", b"\x01\x02"]


def test_mypy_strict(pkg: ModuleType) -> None:
    package_dir = Path(pkg.__file__ or "").parent
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", package_dir.name],
        cwd=package_dir.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
