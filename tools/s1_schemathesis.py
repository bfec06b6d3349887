"""Run Enode's published 2024-10-01 document (S1) as a schemathesis suite against the mock.

    python tools/s1_schemathesis.py ENODE_API.json [--max-examples N] [--json]

The mock runs in this process (ASGI, no socket), serving 2024-10-01 with its seed; the
token comes from its OAuth endpoint. schemathesis runs every phase and every check on every
S1 operation; each unique failure (operation, check, title) is classed by the rules in
spec/enode-published/errata.yaml (`schemathesis:`). Prints the count per class, and the
failures no rule classes (exit status 1 when there are any).

S1 is read from the path given, never copied into the repository. With PYTHONPATH pointing
at another checkout's `src`, the same run measures that checkout's mock (a before/after).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import schemathesis
import yaml
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

ERRATA = (
    Path(__file__).resolve().parent.parent / "src/enode_codegen/spec/enode-published/errata.yaml"
)
MOCK_CLIENT = ("mock-client", "mock-secret")
BASE_URL = "http://127.0.0.1:8080"


@dataclass(frozen=True, order=True)
class Found:
    operation: str
    check: str
    title: str
    message: str

    def text(self) -> str:
        return f"{self.operation} [{self.check}] {self.title}: {self.message}"


def _as_bearer(document: dict[str, Any]) -> dict[str, Any]:
    """S1 declares OAuth2 client credentials; schemathesis probes auth only on http
    schemes, so present it as the bearer token it is on the wire."""
    for name, scheme in (document.get("components", {}).get("securitySchemes") or {}).items():
        if scheme.get("type") == "oauth2":
            document["components"]["securitySchemes"][name] = {"type": "http", "scheme": "bearer"}
    return document


def _mock() -> tuple[Any, str]:
    from enode_codegen.mock.app import create_app
    from enode_codegen.mock.config import MockConfig

    app = create_app(MockConfig(action_delay=0, versions=("2024-10-01",)))
    transport = httpx.ASGITransport(app=app)

    async def token() -> str:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            answer = await client.post(
                "/oauth2/token", auth=MOCK_CLIENT, data={"grant_type": "client_credentials"}
            )
            answer.raise_for_status()
            return str(answer.json()["access_token"])

    import asyncio

    return app, asyncio.run(token())


def run(document_path: Path, max_examples: int = 10, seed: int = 1) -> list[Found]:
    """Every unique failure of S1's suite against the mock."""
    document = _as_bearer(json.loads(document_path.read_text(encoding="utf-8")))
    app, token = _mock()
    config = SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "suppress-health-check": ["all"],
            "headers": {"Authorization": f"Bearer {token}", "Enode-Version": "2024-10-01"},
            "generation": {"mode": "all", "max-examples": max_examples, "database": "none"},
        }
    )
    schema = schemathesis.openapi.from_dict(document, config=config)
    schema.app = app
    schema.config.base_url = BASE_URL
    found: set[Found] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        message = " ".join(str(failure.message or "").split())[:160]
                        if check.name == "positive_data_acceptance":
                            # what the mock said about the request S1 calls valid
                            message = _answer(event.recorder.interactions.get(case_id))
                        label = str(failure.operation or event.label or "")
                        found.add(Found(label, check.name, failure.title, message))
        elif isinstance(event, events.NonFatalError):
            found.add(
                Found(event.label, "error", type(event.value).__name__, str(event.value)[:160])
            )
    return sorted(found)


def _answer(interaction: Any) -> str:
    response = getattr(interaction, "response", None)
    if response is None:
        return ""
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        return f"{response.status_code}"
    detail = body.get("detail", "") if isinstance(body, dict) else ""
    return f"{response.status_code} {' '.join(str(detail).split())[:200]}"


def load_rules(path: Path = ERRATA) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("schemathesis") or [])


def classify(found: list[Found], rules: list[dict[str, Any]]) -> dict[str, list[Found]]:
    """{class id: its failures}; failures no rule matches go under `unclassified`."""
    classes: dict[str, list[Found]] = {rule["id"]: [] for rule in rules}
    classes["unclassified"] = []
    for item in found:
        for rule in rules:
            fields = {"check": item.check, "operation": item.operation, "title": item.title}
            fields["message"] = item.message
            if all(
                any(fnmatch.fnmatchcase(fields[key], p.replace("[", "[[]")) for p in _list(v))
                for key, v in rule["match"].items()
            ):
                classes[rule["id"]].append(item)
                break
        else:
            classes["unclassified"].append(item)
    return classes


def _list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document", type=Path, help="Enode's published OpenAPI document (JSON)")
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--json", action="store_true", help="print every failure as JSON")
    args = parser.parse_args(argv)
    if not args.document.is_file():
        print(f"error: {args.document}: no such file", file=sys.stderr)
        return 2
    found = run(args.document, args.max_examples)
    classes = classify(found, load_rules())
    if args.json:
        print(json.dumps({k: [f.text() for f in v] for k, v in classes.items()}, indent=1))
    counts = Counter({k: len(v) for k, v in classes.items()})
    print(f"{len(found)} unique failures")
    for name, count in counts.most_common():
        if count:
            print(f"  {count:4}  {name}")
    for item in classes["unclassified"]:
        print(f"  unclassified: {item.text()}")
    return 1 if classes["unclassified"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
