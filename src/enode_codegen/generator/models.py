"""Pydantic v2 models for a hoisted document, via datamodel-code-generator's Python API.

Models inherit the runtime's `EnodeModel` (unknown fields kept, the Python
regex engine so any `pattern` imports) and enums the runtime's `OpenEnum`
(unknown values kept): datamodel-code-generator writes plain enums, and
`_open_enums` swaps their base class on the class line it found with `ast`.
"""

from __future__ import annotations

import ast
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datamodel_code_generator import InputFileType, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType
from datamodel_code_generator.format import Formatter

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


def generate_models(document: dict[str, Any], *, package: str, header: str) -> GeneratedModels:
    """Render `components/schemas` of `document` as one pydantic module for `package`."""
    only_schemas = {
        "openapi": document.get("openapi", "3.1.0"),
        "info": document.get("info", {"title": "API", "version": "0"}),
        "paths": {},
        "components": {"schemas": document.get("components", {}).get("schemas", {})},
    }
    if not only_schemas["components"]["schemas"]:
        empty = f"{header}\n\nfrom __future__ import annotations\n\n__all__: list[str] = []\n"
        return GeneratedModels(empty, frozenset())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output = generate(
            json.dumps(only_schemas),
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            formatters=[Formatter.BUILTIN],
            settings_path=FORMAT_SETTINGS,
            custom_file_header=header,
            base_class=f"{package}._runtime.EnodeModel",
            additional_imports=[f"{package}._runtime.OpenEnum"],
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
    if not isinstance(output, str):  # a dict of modules when output is split into files
        raise TypeError(
            f"datamodel-code-generator returned {type(output).__name__}, expected one module"
        )
    source = _open_enums(output)
    tree = ast.parse(source)
    classes = frozenset(node.name for node in tree.body if isinstance(node, ast.ClassDef))
    notes = sorted({str(w.message) for w in caught if issubclass(w.category, UserWarning)})
    return GeneratedModels(source, classes, tuple(notes), _first_enum_members(tree))


def _first_enum_members(tree: ast.Module) -> tuple[tuple[str, str], ...]:
    found = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
            isinstance(b, ast.Name) and b.id == "OpenEnum" for b in node.bases
        ):
            first = next(
                (
                    s.targets[0].id
                    for s in node.body
                    if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name)
                ),
                None,
            )
            if first is not None:
                found.append((node.name, first))
    return tuple(sorted(found))


def _open_enums(source: str) -> str:
    """Make every `class X(Enum)` / `class X(StrEnum)` a `class X(OpenEnum)`."""
    lines = source.splitlines(keepends=True)
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef) or len(node.bases) != 1:
            continue
        base = node.bases[0]
        if isinstance(base, ast.Name) and base.id in ("Enum", "StrEnum"):
            index = node.lineno - 1
            lines[index] = lines[index].replace(
                f"class {node.name}({base.id}):", f"class {node.name}(OpenEnum):", 1
            )
    return "".join(lines)
