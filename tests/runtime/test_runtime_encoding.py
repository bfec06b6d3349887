"""Request encoding without IO: what `make_call` and `encode_body` make of misuse and edge cases.
The wire format of every style and media type is checked end to end in tests/test_wire_format.py."""

from __future__ import annotations

import io

import httpx
import pytest

from enode_codegen.runtime import Backoff
from enode_codegen.runtime._encoding import encode_body
from enode_codegen.runtime._request import ClientConfig, build_request, make_call

CONFIG = ClientConfig(
    base_url="https://api.test",
    api_version="2024-10-01",
    timeout=httpx.Timeout(10),
    max_retries=1,
    backoff=Backoff(random=lambda: 1.0),
    strict=False,
    default_headers={"Cookie": "tracking=1"},
)


def test_cookies_join_a_default_cookie_and_extra_query_follows_the_parameters() -> None:
    call = make_call(
        "GET",
        "/items",
        {
            "params": {"ids": [1, 2], "q": None},
            "cookies": {"session": "a;b", "theme": None},
            "styles": {"query": {"ids": ("pipeDelimited", False, False)}},
            "options": {"extra_query": {"debug": True}},
        },
        CONFIG,
    )
    request = build_request(call, "token")
    assert request.url.raw_path == b"/items?ids=1%7C2&debug=true"
    assert request.headers["Cookie"] == "tracking=1; session=a%3Bb"


def test_a_style_the_location_does_not_allow_is_named() -> None:
    with pytest.raises(ValueError, match=r"path parameter 'id': style 'form' is not one OpenAPI"):
        make_call(
            "GET",
            "/items/{id}",
            {"path_params": {"id": 1}, "styles": {"path": {"id": ("form", True, False)}}},
            CONFIG,
        )


def test_binary_bodies_refuse_what_is_not_bytes() -> None:
    with pytest.raises(TypeError, match="application/octet-stream body must be bytes"):
        encode_body("application/octet-stream", {"a": 1})
    with pytest.raises(TypeError, match="binary mode"):
        encode_body("multipart/form-data", {"file": ("a.txt", io.StringIO("text"))})
    with pytest.raises(TypeError, match="mapping of fields or a model"):
        encode_body("application/x-www-form-urlencoded", ["a"])


def test_a_multipart_body_without_parts_is_still_multipart() -> None:
    content, content_type = encode_body("multipart/form-data", {"note": None})
    boundary = content_type.removeprefix("multipart/form-data; boundary=")
    assert boundary != content_type and content == f"--{boundary}--\r\n".encode()


def test_a_body_is_encoded_once_and_sent_again_as_is() -> None:
    call = make_call(
        "PUT",
        "/blob",
        {"body": io.BytesIO(b"\x00\x01"), "content_type": "application/octet-stream"},
        CONFIG,
    )
    first, second = build_request(call, "t"), build_request(call, "t")
    assert first.read() == second.read() == b"\x00\x01"
    assert first.headers["Content-Type"] == "application/octet-stream"
