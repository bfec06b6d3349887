"""JSON pointers and `$ref`s: RFC 6901 done once (`generator/refs.py`), and no module of
`src/` following references by itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from enode_codegen.generator.refs import (
    RefError,
    deref,
    escape_pointer,
    follow,
    join_pointer,
    locate,
    resolve,
    split_pointer,
    split_ref,
    unescape_pointer,
)

SRC = Path(__file__).resolve().parents[1] / "src" / "enode_codegen"
REFS = SRC / "generator" / "refs.py"

# Modules that read `$ref` without following it, and why. A new module reading `$ref`
# belongs here only if it does not follow the reference (follow: `refs.follow`/`deref`).
READ_ONLY = {
    "generator/bundle.py": "the loader: turns a source file's references into local ones",
    "generator/hoist.py": "names and rewrites references to components",
    "generator/one_way.py": "retargets references to Request/Response variants",
    "generator/ir.py": "reads the component name a reference gives",
    "generator/pytypes.py": "reads the component name a reference gives",
    "generator/validate.py": "writes a reference for jsonschema; reads names for cycles",
    "generator/lint.py": "checks what stands beside a reference, where mappings point",
    "mock/schemas.py": "writes a reference for jsonschema; compares a branch's reference",
    "mock/specs.py": "asks whether a reference is local",
    "mock/projection.py": "compiles the pointer a reference names (one hop, by pointer)",
    "contract_tests/_st.py": "reads the component name a reference gives",
}


def test_rfc_6901_escaping() -> None:
    assert escape_pointer("a/b~c") == "a~1b~0c"
    assert unescape_pointer("a~1b~0c") == "a/b~c"
    # `~01` is `~1` literally, not `/`: `~1` is unescaped first (RFC 6901, section 4)
    assert unescape_pointer("~01") == "~1"
    assert join_pointer(["paths", "/a/{id}", 0]) == "/paths/~1a~1{id}/0"
    assert split_pointer("/paths/~1a~1{id}/0") == ["paths", "/a/{id}", "0"]
    assert split_pointer("") == []
    assert split_ref("common.yaml#/paths/~1a~1%7Bid%7D") == ("common.yaml", "/paths/~1a~1{id}")


def test_resolve_and_follow() -> None:
    document = {
        "a": {"$ref": "#/b"},
        "b": {"$ref": "#/c~1d/0"},
        "c/d": [{"type": "string"}],
        "loop": {"$ref": "#/loop"},
        "gone": {"$ref": "#/nowhere"},
        "far": {"$ref": "other.yaml#/x"},
    }
    assert resolve(document, "/c~1d/0") == {"type": "string"}
    assert resolve(document, "") is document
    with pytest.raises(KeyError):
        resolve(document, "/c~1d/1")
    assert follow(document, document["a"], "/a") == ({"type": "string"}, "/c~1d/0")
    assert follow(document, {"type": "x"}, "/here") == ({"type": "x"}, "/here")
    for name, words in (("loop", "circular"), ("gone", "dangling"), ("far", "non-local")):
        with pytest.raises(RefError, match=words):
            follow(document, document[name], f"/{name}")
        assert deref(document, document[name]) == {}
    assert deref(document, document["a"]) == {"type": "string"}


def test_locate_steps_through_references() -> None:
    document = {
        "paths": {"/a": {"get": {"$ref": "#/components/op"}}},
        "components": {"op": {"responses": {"200": {}}}},
    }
    assert locate(document, ["paths", "/a", "get", "responses", "200"]) == (
        "/components/op/responses/200"
    )
    assert locate(document, ["paths", "/a", "post", "x"]) == "/paths/~1a/post/x"


def _sources() -> list[tuple[str, ast.Module]]:
    return [
        (path.relative_to(SRC).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SRC.rglob("*.py"))
        if path != REFS
    ]


def _reads_ref(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value == "$ref" for n in ast.walk(node))


def _splits_pointer(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Attribute)
        and n.func.attr == "split"
        and any(isinstance(a, ast.Constant) and a.value == "/" for a in n.args)
        for n in ast.walk(node)
    )


def followers(sources: list[tuple[str, ast.Module]]) -> list[str]:
    """Places that escape pointer tokens or follow `$ref`s outside `refs.py`."""
    found: list[str] = []
    for name, tree in sources:
        for node in ast.walk(tree):
            where = f"{name}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "replace"
                and any(
                    isinstance(a, ast.Constant) and a.value in ("~0", "~1", "~") for a in node.args
                )
            ):
                found.append(f"{where}: escapes a pointer token itself")
            elif isinstance(node, ast.While) and _reads_ref(node.test):
                found.append(f"{where}: follows a $ref chain (while)")
            elif (
                isinstance(node, ast.For)
                and isinstance(node.iter, ast.Call)
                and isinstance(node.iter.func, ast.Name)
                and node.iter.func.id == "range"
                and _reads_ref(node)
            ):
                found.append(f"{where}: follows a $ref chain (bounded loop)")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _reads_ref(node):
                for loop in ast.walk(node):
                    iters = [loop.iter] if isinstance(loop, ast.For) else []
                    if isinstance(loop, ast.comprehension):
                        iters = [loop.iter]
                    if any(_splits_pointer(i) for i in iters):
                        found.append(f"{name}:{node.lineno}: walks a $ref's pointer itself")
                        break
        if _reads_ref(tree) and name not in READ_ONLY:
            found.append(f"{name}: reads $ref; follow it with generator/refs.py or list why not")
    return found


def test_no_other_module_follows_references() -> None:
    assert followers(_sources()) == []


def test_the_check_finds_a_hand_written_follower() -> None:
    hand_written = """
def deref(document, node):
    while isinstance(node, dict) and "$ref" in node:
        node = document
        for token in node["$ref"][2:].split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
    return node
"""
    found = followers([("mock/specs.py", ast.parse(hand_written))])
    assert sorted(f.split(": ", 1)[1] for f in found) == [
        "escapes a pointer token itself",
        "escapes a pointer token itself",
        "follows a $ref chain (while)",
        "walks a $ref's pointer itself",
    ]
