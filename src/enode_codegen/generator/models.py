"""Pydantic v2 models for a hoisted document, via datamodel-code-generator's Python API.

Models inherit the runtime's `EnodeModel` (unknown fields kept, the Python
regex engine so any `pattern` imports) and enums the runtime's `OpenEnum`,
`OpenIntEnum` or `OpenFloatEnum` by the type of their values (unknown values
kept): datamodel-code-generator writes plain enums, and `_open_enums` swaps
their base class on the class line it found with `ast`. An enum mixing value
types stays a plain `Enum`.
"""

from __future__ import annotations

import ast
import gc
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datamodel_code_generator import InputFileType, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType

from .bundle import DATA_KEYS, schema_objects
from .one_way import prepare
from .refs import escape_pointer

__all__ = ["GeneratedModels", "generate_models"]

# formatting settings handed to datamodel-code-generator explicitly: never a pyproject.toml
# found from the working directory, so output is the same wherever the command runs
FORMAT_SETTINGS = Path(__file__).resolve().parent / "format_settings"


@dataclass(frozen=True)
class GeneratedModels:
    source: str
    classes: frozenset[str]
    warnings: tuple[str, ...] = ()  # what datamodel-code-generator could not express
    enum_members: tuple[tuple[str, str], ...] = ()  # (enum class, its first member) for examples
    # schemas written as two classes (one_way.py): (schema, request class, response class)
    directional: tuple[tuple[str, str, str], ...] = ()


def generate_models(document: dict[str, Any], *, package: str, header: str) -> GeneratedModels:
    """Render `components/schemas` of `document` as one pydantic module for `package`.

    A schema with readOnly or writeOnly properties that the document both sends and reads
    (or one referring to such a schema) becomes two models, `<Name>Request` (no readOnly
    properties) and `<Name>Response` (no writeOnly properties); see one_way.py.
    `directional` says which schemas those are."""
    schemas, pairs = prepare(document)
    _drop_nullable_false(schemas)
    dropped = _drop_mistyped_defaults(schemas, "#/components/schemas")
    only_schemas = {
        "openapi": document.get("openapi", "3.1.0"),
        "info": document.get("info", {"title": "API", "version": "0"}),
        "paths": {},
        "components": {"schemas": schemas},
    }
    if not only_schemas["components"]["schemas"]:
        empty = f"{header}\n\nfrom __future__ import annotations\n\n__all__: list[str] = []\n"
        return GeneratedModels(empty, frozenset())
    # what exists already (the document, the spec's text) is left out of the garbage
    # collector's passes while datamodel-code-generator allocates: 5% of its time on GitHub
    gc.freeze()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            output = generate(
                only_schemas,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                target_python_version=PythonVersion.PY_311,
                formatters=[],  # ruff formats the package afterwards
                settings_path=FORMAT_SETTINGS,
                custom_file_header=header,
                base_class=f"{package}._runtime.EnodeModel",
                additional_imports=[
                    f"{package}._runtime.{base}"
                    for base in ("OpenEnum", "OpenFloatEnum", "OpenIntEnum")
                ]
                + ["typing.Any", "typing.cast"],  # for _validated_defaults; ruff drops unused
                disable_timestamp=True,
                use_annotated=True,
                use_standard_collections=True,
                use_union_operator=True,
                field_constraints=True,
                use_schema_description=True,
                use_field_description=True,
                snake_case_field=True,
                capitalise_enum_members=True,
                use_double_quotes=True,
                collapse_root_models=True,
                use_subclass_enum=False,
                strict_nullable=True,
                set_default_enum_member=True,
            )
    finally:
        gc.unfreeze()
    if not isinstance(output, str):  # a dict of modules when output is split into files
        raise TypeError(
            f"datamodel-code-generator returned {type(output).__name__}, expected one module"
        )
    source, classes, enum_members = _postprocess(output, set(only_schemas["components"]["schemas"]))
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, UserWarning)})
    notes += dropped
    directional = tuple(
        sorted(
            (schema, request, response)
            for schema, (request, response) in pairs.items()
            if request in classes and response in classes
        )
    )
    return GeneratedModels(source, classes, tuple(notes), enum_members, directional)


def _drop_nullable_false(schemas: dict[str, Any]) -> None:
    """Remove `nullable: false`, OpenAPI 3.0's default: datamodel-code-generator (strict
    nullable) types an optional property carrying it `bool = None`, which mypy rejects."""
    for node in schema_objects(schemas):
        if node.get("nullable") is False:
            del node["nullable"]


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def _drop_mistyped_defaults(node: Any, pointer: str) -> list[str]:
    """Remove a `default` that is not of its schema's `type` (`type: string` with
    `default: [MEMBER, VIEWER]`): it could never be a valid value, and rendered as the
    field's default it makes the package fail `mypy --strict`. Returns one note each."""
    notes: list[str] = []
    if isinstance(node, dict):
        kind = node.get("type")
        kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
        if "default" in node and kinds and all(k in _JSON_TYPES or k == "null" for k in kinds):
            value = node["default"]
            allowed = tuple(t for k in kinds if k != "null" for t in _JSON_TYPES[k])
            if isinstance(value, float) and value.is_integer():
                allowed += (float,)  # 1.0 is an integer to JSON Schema
            fits = (value is None and "null" in kinds) or (
                isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)
            )
            if not fits:
                del node["default"]
                notes.append(
                    f"default {value!r} at {pointer} is not of type {'/'.join(kinds)}; "
                    "generated without it"
                )
        for key, value in node.items():
            if key not in DATA_KEYS:
                notes += _drop_mistyped_defaults(value, f"{pointer}/{escape_pointer(str(key))}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            notes += _drop_mistyped_defaults(item, f"{pointer}/{index}")
    return notes


def _postprocess(
    source: str, spec_names: set[str]
) -> tuple[str, frozenset[str], tuple[tuple[str, str], ...]]:
    """datamodel-code-generator's module made ours, from one parse of it: numbered classes
    renamed, open enums, field overrides marked, symbol-only enum members named. Returns the
    module, its class names and (enum class, its first member) for examples.

    Every edit keeps the line structure, so the line numbers of the one parse stay valid
    for all of them (a large spec's module has tens of thousands of lines: parsing it once
    per pass cost seconds). Renames are applied to the whole text last."""
    tree = ast.parse(source)
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    renames = _numbered_renames(classes, spec_names)
    lines = source.splitlines(keepends=True)
    _validated_defaults(classes, lines)  # edits inside lines: first, while columns hold
    enum_firsts = _open_enums(classes, lines)
    _allow_field_overrides(classes, lines)
    members, references = _name_symbol_members(classes, lines, renames)
    text = "".join(lines)
    if renames:
        pattern = re.compile(
            r"\b(" + "|".join(map(re.escape, sorted(renames, key=len, reverse=True))) + r")\b"
        )
        text = pattern.sub(lambda m: renames[m.group(1)], text)
    for old, new in references.items():
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    names = frozenset(renames.get(node.name, node.name) for node in classes)
    firsts = tuple(
        sorted(
            (renames.get(name, name), members.get((name, first), first))
            for name, first in enum_firsts
        )
    )
    return text, names, firsts


_NOT_NAMES = {"EnodeModel", "RootModel", "OpenEnum", "OpenIntEnum", "OpenFloatEnum", "Enum"}
_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth")


def _ordinal(number: int) -> str:
    """`First`, `Tenth`, `FiftySecond`: a position in words, for a class name."""
    if number == 0:
        return "Zeroth"
    if number <= len(_ORDINALS):
        return _ORDINALS[number - 1]
    import inflect  # only here: importing it takes a second

    engine = inflect.engine()
    words = str(engine.ordinal(str(engine.number_to_words(str(number)))))
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z]+", words) if part)


def _numbered_renames(classes: list[ast.ClassDef], spec_names: set[str]) -> dict[str, str]:
    """New names for the classes datamodel-code-generator numbered itself (`Request1`, the
    variants it splits out of a discriminated union or a `oneOf` of constraints), after what
    they are: `<Name><Base>` for a subclass of one model of the spec (bases that are
    themselves such variants do not count), else `<Name><Ordinal>Variant` (`ItemFiftySecond
    Variant` for `Item52`)."""
    taken = {c.name for c in classes}
    renames: dict[str, str] = {}
    for node in classes:
        match = re.fullmatch(r"(.*?[A-Za-z_])(\d+)", node.name)
        if node.name in spec_names or match is None:
            continue
        stem, number = match.group(1), int(match.group(2))
        bases = [
            b.id
            for b in node.bases
            if isinstance(b, ast.Name) and b.id not in _NOT_NAMES and b.id not in renames
        ]
        candidates = [f"{stem}{bases[0]}"] if len(bases) == 1 else []
        ordinal = _ordinal(number)
        candidates += [f"{stem}{ordinal}Variant", f"{stem}Variant{ordinal}"]
        new = next((c for c in candidates if c not in taken and not c[-1].isdigit()), None)
        if new is not None:
            taken.add(new)
            renames[node.name] = new
    return renames


_OVERRIDE = "  # type: ignore[assignment, unused-ignore]"


def _allow_field_overrides(classes: list[ast.ClassDef], lines: list[str]) -> None:
    """Mark fields that a model redeclares from its base (`allOf` narrowing a property:
    `kind: Literal["circle"]` over `kind: str`, `data: list[Booking]` over `list[dict]`).
    Pydantic takes the subclass's field; mypy's override check does not know that and
    would report the narrowing, so the redeclaration says it is meant."""
    by_name = {node.name: node for node in classes}
    own_fields = {
        node.name: {
            s.target.id
            for s in node.body
            if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
        }
        for node in classes
    }

    def fields(name: str, seen: frozenset[str]) -> set[str]:
        node = by_name.get(name)
        if node is None or name in seen:
            return set()
        found = set(own_fields[name])
        for base in node.bases:
            if isinstance(base, ast.Name):
                found |= fields(base.id, seen | {name})
        return found

    for node in classes:
        inherited: set[str] = set()
        for base in node.bases:
            if isinstance(base, ast.Name):
                inherited |= fields(base.id, frozenset({node.name}))
        if not inherited:
            continue
        for statement in node.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and statement.target.id in inherited
            ):
                index = (statement.end_lineno or statement.lineno) - 1  # where mypy reports
                line = lines[index].rstrip("\n")
                if "#" not in line:
                    lines[index] = f"{line}{_OVERRIDE}\n"


def _validated_defaults(classes: list[ast.ClassDef], lines: list[str]) -> None:
    """Wrap a literal default that pydantic turns into a model (`validate_default=True`:
    `meta: Meta = {"found": 0}`, `stops: list[Stop] = [{...}]`) in `cast(Any, ...)`: pydantic
    validates it into the model at class creation; mypy would see a dict where a model goes."""
    spans = []
    for node in classes:
        for statement in node.body:
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.value, ast.Dict | ast.List)
                and any(
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id == "Field"
                    and any(
                        k.arg == "validate_default"
                        and isinstance(k.value, ast.Constant)
                        and k.value.value is True
                        for k in call.keywords
                    )
                    for call in ast.walk(statement.annotation)
                )
            ):
                spans.append(statement.value)
    for value in sorted(spans, key=lambda v: (v.lineno, v.col_offset), reverse=True):
        assert value.end_lineno is not None and value.end_col_offset is not None
        first, last = value.lineno - 1, value.end_lineno - 1
        end = lines[last].encode()  # ast offsets count UTF-8 bytes
        lines[last] = (end[: value.end_col_offset] + b")" + end[value.end_col_offset :]).decode()
        start = lines[first].encode()
        lines[first] = (
            start[: value.col_offset] + b"cast(Any, " + start[value.col_offset :]
        ).decode()


_OPEN_BASES = ("OpenEnum", "OpenIntEnum", "OpenFloatEnum")


def _open_enums(classes: list[ast.ClassDef], lines: list[str]) -> list[tuple[str, str]]:
    """Make every `class X(Enum)` (or `StrEnum`, `IntEnum`) an open enum of its value type;
    returns (class, first member) of each open enum."""
    firsts = []
    for node in classes:
        if len(node.bases) != 1:
            continue
        base = node.bases[0]
        if not (isinstance(base, ast.Name) and base.id in ("Enum", "StrEnum", "IntEnum")):
            continue
        values = [_literal(s.value) for s in node.body if isinstance(s, ast.Assign)]
        kinds = {type(v) for v in values}
        if kinds == {str}:
            open_base = "OpenEnum"
        elif kinds == {int}:
            open_base = "OpenIntEnum"
        elif kinds and kinds <= {int, float}:
            open_base = "OpenFloatEnum"
        else:
            open_base = "Enum"
        index = node.lineno - 1
        lines[index] = lines[index].replace(
            f"class {node.name}({base.id}):", f"class {node.name}({open_base}):", 1
        )
        first = next(
            (
                s.targets[0].id
                for s in node.body
                if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)
            ),
            None,
        )
        if open_base in _OPEN_BASES and first is not None:
            firsts.append((node.name, first))
    return firsts


def _literal(node: ast.expr) -> Any:
    """A member's value: a constant, `-1` (a unary minus on one) included; the node
    itself for anything else (`{...}`: a mixed enum's value)."""
    try:
        return ast.literal_eval(node)
    except ValueError:
        return node


# datamodel-code-generator names an enum value without letters or digits `FIELD_` (then
# `field__1`, ...): `WebhookEvent.FIELD_ = "*"`. Such members are named after the value
# instead: a lone `*` conventionally means every value (subscriptions, CORS origins), any
# other after its characters (`-` HYPHEN_MINUS).
_FALLBACK_MEMBER = re.compile(r"FIELD_(_?\d+)?", re.IGNORECASE)


def _symbol_name(value: str) -> str:
    if value == "*":
        return "ALL"
    words = [unicodedata.name(ch, f"U{ord(ch):04X}") for ch in value] or ["EMPTY"]
    return re.sub(r"[^A-Z0-9]+", "_", "_".join(words).upper()).strip("_")


def _name_symbol_members(
    classes: list[ast.ClassDef], lines: list[str], renames: dict[str, str]
) -> tuple[dict[tuple[str, str], str], dict[str, str]]:
    """Rename the `FIELD_` members datamodel-code-generator gave symbol-only enum values.
    Returns {(class, old member): new member} and the references to rewrite once classes
    have their final names ({`WebhookEvent.FIELD_`: `WebhookEvent.ALL`}, for defaults)."""
    renamed: dict[tuple[str, str], str] = {}
    references: dict[str, str] = {}
    for node in classes:
        members = [
            (stmt, stmt.targets[0].id, stmt.value.value)
            for stmt in node.body
            if isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Constant)
        ]
        taken = {name for _, name, _ in members}
        final = renames.get(node.name, node.name)
        for stmt, name, value in members:
            if not (_FALLBACK_MEMBER.fullmatch(name) and isinstance(value, str)):
                continue
            new = _symbol_name(value)
            while new in taken:
                new += "_"
            taken.add(new)
            index = stmt.lineno - 1
            lines[index] = lines[index].replace(f"{name} =", f"{new} =", 1)
            renamed[(node.name, name)] = new
            references[f"{final}.{name}"] = f"{final}.{new}"
    return renamed, references
