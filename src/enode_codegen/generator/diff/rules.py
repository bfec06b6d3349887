"""Enode's rules for what breaks, as a table: one `Rule` per kind of difference.

Enode's versioning policy (reference, "Versioning") calls breaking: changed authentication,
a new required input, changed input validation, a removed route or method, a removed or
renamed response field, and a new case in a response enum (not breaking from 2024-10-01
on). Every rule below names what it matches, when it breaks (`When`) and the words of the
policy it applies; `compare.py` finds the differences, a rule classes each one.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "ENUM_ADDITIONS_NONBREAKING_FROM",
    "FIELD_RULES",
    "KINDS",
    "Classification",
    "Direction",
    "Facts",
    "FieldRules",
    "Kind",
    "Rule",
    "When",
]

ENUM_ADDITIONS_NONBREAKING_FROM = "2024-10-01"


class Kind(enum.StrEnum):
    """A kind of difference, as the report and its JSON name it; in report order."""

    OPERATION_ADDED = "operation-added"
    OPERATION_REMOVED = "operation-removed"
    OPERATION_MOVED = "operation-moved"
    WEBHOOK_ADDED = "webhook-added"
    WEBHOOK_REMOVED = "webhook-removed"
    SECURITY_CHANGED = "security-changed"
    PARAMETER_ADDED = "parameter-added"
    PARAMETER_REMOVED = "parameter-removed"
    PARAMETER_NOW_REQUIRED = "parameter-now-required"
    PARAMETER_NOW_OPTIONAL = "parameter-now-optional"
    PARAMETER_CHANGED = "parameter-changed"
    REQUEST_FIELD_ADDED = "request-field-added"
    REQUEST_FIELD_REMOVED = "request-field-removed"
    REQUEST_FIELD_RENAMED = "request-field-renamed"
    REQUEST_FIELD_NOW_REQUIRED = "request-field-now-required"
    REQUEST_FIELD_NOW_OPTIONAL = "request-field-now-optional"
    REQUEST_FIELD_CHANGED = "request-field-changed"
    RESPONSE_PROPERTY_ADDED = "response-property-added"
    RESPONSE_PROPERTY_REMOVED = "response-property-removed"
    RESPONSE_PROPERTY_RENAMED = "response-property-renamed"
    RESPONSE_PROPERTY_NOW_REQUIRED = "response-property-now-required"
    RESPONSE_PROPERTY_NOW_OPTIONAL = "response-property-now-optional"
    RESPONSE_PROPERTY_CHANGED = "response-property-changed"
    ENUM_VALUE_ADDED = "enum-value-added"
    ENUM_VALUE_REMOVED = "enum-value-removed"
    RESPONSE_STATUS_ADDED = "response-status-added"
    RESPONSE_STATUS_REMOVED = "response-status-removed"


# the heading of each kind in the report
KINDS: dict[Kind, str] = {
    Kind.OPERATION_ADDED: "Operations added",
    Kind.OPERATION_REMOVED: "Operations removed",
    Kind.OPERATION_MOVED: "Operations moved",
    Kind.WEBHOOK_ADDED: "Webhook events added",
    Kind.WEBHOOK_REMOVED: "Webhook events removed",
    Kind.SECURITY_CHANGED: "Authentication changed",
    Kind.PARAMETER_ADDED: "Parameters added",
    Kind.PARAMETER_REMOVED: "Parameters removed",
    Kind.PARAMETER_NOW_REQUIRED: "Parameters now required",
    Kind.PARAMETER_NOW_OPTIONAL: "Parameters now optional",
    Kind.PARAMETER_CHANGED: "Parameters changed",
    Kind.REQUEST_FIELD_ADDED: "Request fields added",
    Kind.REQUEST_FIELD_REMOVED: "Request fields removed",
    Kind.REQUEST_FIELD_RENAMED: "Request fields renamed",
    Kind.REQUEST_FIELD_NOW_REQUIRED: "Request fields now required",
    Kind.REQUEST_FIELD_NOW_OPTIONAL: "Request fields now optional",
    Kind.REQUEST_FIELD_CHANGED: "Request fields changed",
    Kind.RESPONSE_PROPERTY_ADDED: "Response properties added",
    Kind.RESPONSE_PROPERTY_REMOVED: "Response properties removed",
    Kind.RESPONSE_PROPERTY_RENAMED: "Response properties renamed",
    Kind.RESPONSE_PROPERTY_NOW_REQUIRED: "Response properties now always present",
    Kind.RESPONSE_PROPERTY_NOW_OPTIONAL: "Response properties now optional",
    Kind.RESPONSE_PROPERTY_CHANGED: "Response properties changed (type or nullability)",
    Kind.ENUM_VALUE_ADDED: "Enum values added",
    Kind.ENUM_VALUE_REMOVED: "Enum values removed",
    Kind.RESPONSE_STATUS_ADDED: "Response statuses added",
    Kind.RESPONSE_STATUS_REMOVED: "Response statuses removed",
}


class Direction(enum.Enum):
    """Which way a value travels: what a client sends, or what it reads (a response body,
    a webhook event's payload)."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(frozen=True)
class Facts:
    """What `compare.py` saw of one difference, for the rules whose verdict depends on it."""

    required: bool = False  # the added parameter or field is required
    narrowed: bool = False  # a type the old version had is gone
    widened: bool = False  # a type the old version lacked came
    relaxed: bool = False  # authentication only gained ways (every old requirement still works)
    success_status: bool = False  # the response status is a 2xx
    enum_closed: bool = False  # the version is older than ENUM_ADDITIONS_NONBREAKING_FROM
    schema_breaks: bool = False  # the difference found in a parameter's schema breaks


class When(enum.Enum):
    """When a rule's difference breaks clients."""

    ALWAYS = "always"
    NEVER = "never"
    REQUIRED = "when it is required"
    NARROWED = "when a type it accepted is gone"
    WIDENED = "when a type it never sent can come"
    NOT_ONLY_RELAXED = "unless it only adds ways to authenticate"
    SUCCESS_STATUS = "for a 2xx status"
    ENUM_CLOSED = f"in versions before {ENUM_ADDITIONS_NONBREAKING_FROM}"
    SCHEMA_BREAKS = "when the change to its schema breaks, by the request field rules"

    def holds(self, facts: Facts) -> bool:
        return {
            When.ALWAYS: True,
            When.NEVER: False,
            When.REQUIRED: facts.required,
            When.NARROWED: facts.narrowed,
            When.WIDENED: facts.widened,
            When.NOT_ONLY_RELAXED: not facts.relaxed,
            When.SUCCESS_STATUS: facts.success_status,
            When.ENUM_CLOSED: facts.enum_closed,
            When.SCHEMA_BREAKS: facts.schema_breaks,
        }[self]


# Enode's wording, as its versioning policy classes changes
_AUTHENTICATION = "changed authentication"
_REQUIRED_INPUT = "a new required input"
_VALIDATION = "changed input validation"
_ROUTE = "a removed route or method"
_RESPONSE_FIELD = "a removed or renamed response field"
_RESPONSE_ENUM = "a new case in a response enum (not breaking from 2024-10-01 on)"
_ADDITIVE = "additive: what a client sends and reads still works"


@dataclass(frozen=True)
class Classification:
    kind: Kind
    direction: Direction | None  # the way the value travels, for rules that depend on it
    matches: str  # what the rule matches, in words
    when: When  # when it is breaking
    enode: str  # the words of Enode's policy it applies


class Rule(enum.Enum):
    """The table of Enode's rules: each difference `compare.py` finds is classed by one."""

    _value_: Classification

    OPERATION_ADDED = Classification(
        Kind.OPERATION_ADDED, None, "an operationId only the new version has", When.NEVER, _ADDITIVE
    )
    OPERATION_REMOVED = Classification(
        Kind.OPERATION_REMOVED, None, "an operationId the new version lacks", When.ALWAYS, _ROUTE
    )
    OPERATION_MOVED = Classification(
        Kind.OPERATION_MOVED, None, "an operation at another path or method", When.ALWAYS, _ROUTE
    )
    WEBHOOK_ADDED = Classification(
        Kind.WEBHOOK_ADDED, None, "an event only the new version sends", When.NEVER, _ADDITIVE
    )
    WEBHOOK_REMOVED = Classification(
        Kind.WEBHOOK_REMOVED,
        None,
        "an event the new version no longer sends",
        When.ALWAYS,
        f"{_RESPONSE_FIELD}: a receiver reads what Enode sends",
    )
    SECURITY_CHANGED = Classification(
        Kind.SECURITY_CHANGED,
        None,
        "an operation's security requirements",
        When.NOT_ONLY_RELAXED,
        _AUTHENTICATION,
    )
    PARAMETER_ADDED = Classification(
        Kind.PARAMETER_ADDED,
        None,
        "a parameter only the new version has",
        When.REQUIRED,
        _REQUIRED_INPUT,
    )
    PARAMETER_REMOVED = Classification(
        Kind.PARAMETER_REMOVED, None, "a parameter the new version lacks", When.ALWAYS, _VALIDATION
    )
    PARAMETER_NOW_REQUIRED = Classification(
        Kind.PARAMETER_NOW_REQUIRED,
        None,
        "an optional parameter made required",
        When.ALWAYS,
        _REQUIRED_INPUT,
    )
    PARAMETER_NOW_OPTIONAL = Classification(
        Kind.PARAMETER_NOW_OPTIONAL,
        None,
        "a required parameter made optional",
        When.NEVER,
        _ADDITIVE,
    )
    PARAMETER_CHANGED = Classification(
        Kind.PARAMETER_CHANGED, None, "a parameter's schema", When.SCHEMA_BREAKS, _VALIDATION
    )
    REQUEST_FIELD_ADDED = Classification(
        Kind.REQUEST_FIELD_ADDED,
        Direction.REQUEST,
        "a request body field only the new version has",
        When.REQUIRED,
        _REQUIRED_INPUT,
    )
    REQUEST_FIELD_REMOVED = Classification(
        Kind.REQUEST_FIELD_REMOVED,
        Direction.REQUEST,
        "a request body field the new version lacks",
        When.ALWAYS,
        _VALIDATION,
    )
    REQUEST_FIELD_RENAMED = Classification(
        Kind.REQUEST_FIELD_RENAMED,
        Direction.REQUEST,
        "a request body field under another name (renames.py)",
        When.ALWAYS,
        _VALIDATION,
    )
    REQUEST_FIELD_NOW_REQUIRED = Classification(
        Kind.REQUEST_FIELD_NOW_REQUIRED,
        Direction.REQUEST,
        "an optional request body field made required",
        When.ALWAYS,
        _REQUIRED_INPUT,
    )
    REQUEST_FIELD_NOW_OPTIONAL = Classification(
        Kind.REQUEST_FIELD_NOW_OPTIONAL,
        Direction.REQUEST,
        "a required request body field made optional",
        When.NEVER,
        _ADDITIVE,
    )
    REQUEST_FIELD_TYPE_CHANGED = Classification(
        Kind.REQUEST_FIELD_CHANGED,
        Direction.REQUEST,
        "a request body field's types (or nullability)",
        When.NARROWED,
        _VALIDATION,
    )
    REQUEST_FIELD_VALIDATION_CHANGED = Classification(
        Kind.REQUEST_FIELD_CHANGED,
        Direction.REQUEST,
        "a request body field's pattern, format, bounds or lengths",
        When.ALWAYS,
        _VALIDATION,
    )
    RESPONSE_PROPERTY_ADDED = Classification(
        Kind.RESPONSE_PROPERTY_ADDED,
        Direction.RESPONSE,
        "a response property only the new version has",
        When.NEVER,
        _ADDITIVE,
    )
    RESPONSE_PROPERTY_REMOVED = Classification(
        Kind.RESPONSE_PROPERTY_REMOVED,
        Direction.RESPONSE,
        "a response property the new version lacks",
        When.ALWAYS,
        _RESPONSE_FIELD,
    )
    RESPONSE_PROPERTY_RENAMED = Classification(
        Kind.RESPONSE_PROPERTY_RENAMED,
        Direction.RESPONSE,
        "a response property under another name (renames.py)",
        When.ALWAYS,
        _RESPONSE_FIELD,
    )
    RESPONSE_PROPERTY_NOW_REQUIRED = Classification(
        Kind.RESPONSE_PROPERTY_NOW_REQUIRED,
        Direction.RESPONSE,
        "an optional response property made always present",
        When.NEVER,
        _ADDITIVE,
    )
    RESPONSE_PROPERTY_NOW_OPTIONAL = Classification(
        Kind.RESPONSE_PROPERTY_NOW_OPTIONAL,
        Direction.RESPONSE,
        "an always present response property made optional",
        When.ALWAYS,
        f"{_RESPONSE_FIELD}: it may be missing",
    )
    RESPONSE_PROPERTY_TYPE_CHANGED = Classification(
        Kind.RESPONSE_PROPERTY_CHANGED,
        Direction.RESPONSE,
        "a response property's types (or nullability)",
        When.WIDENED,
        f"{_RESPONSE_FIELD}: a value of a new type is one clients cannot read",
    )
    REQUEST_ENUM_VALUE_ADDED = Classification(
        Kind.ENUM_VALUE_ADDED,
        Direction.REQUEST,
        "a value a request enum gained",
        When.NEVER,
        _ADDITIVE,
    )
    RESPONSE_ENUM_VALUE_ADDED = Classification(
        Kind.ENUM_VALUE_ADDED,
        Direction.RESPONSE,
        "a value a response enum gained",
        When.ENUM_CLOSED,
        _RESPONSE_ENUM,
    )
    REQUEST_ENUM_VALUE_REMOVED = Classification(
        Kind.ENUM_VALUE_REMOVED,
        Direction.REQUEST,
        "a value a request enum lost",
        When.ALWAYS,
        _VALIDATION,
    )
    RESPONSE_ENUM_VALUE_REMOVED = Classification(
        Kind.ENUM_VALUE_REMOVED,
        Direction.RESPONSE,
        "a value a response enum lost",
        When.NEVER,
        "additive: a value clients read is no longer sent",
    )
    RESPONSE_STATUS_ADDED = Classification(
        Kind.RESPONSE_STATUS_ADDED,
        None,
        "a status only the new version answers",
        When.NEVER,
        _ADDITIVE,
    )
    RESPONSE_STATUS_REMOVED = Classification(
        Kind.RESPONSE_STATUS_REMOVED,
        None,
        "a status the new version no longer answers",
        When.SUCCESS_STATUS,
        f"{_RESPONSE_FIELD}: the success response clients read is gone",
    )

    @property
    def kind(self) -> Kind:
        return self.value.kind

    def breaks(self, facts: Facts) -> bool:
        """Whether a difference this rule matches breaks clients, given what was seen."""
        return self.value.when.holds(facts)


@dataclass(frozen=True)
class FieldRules:
    """The rules of the fields of a body, one set per direction."""

    added: Rule
    removed: Rule
    renamed: Rule
    now_required: Rule
    now_optional: Rule
    type_changed: Rule
    validation_changed: Rule | None  # None: not compared (a client does not validate reads)
    enum_value_added: Rule
    enum_value_removed: Rule


FIELD_RULES = {
    Direction.REQUEST: FieldRules(
        Rule.REQUEST_FIELD_ADDED,
        Rule.REQUEST_FIELD_REMOVED,
        Rule.REQUEST_FIELD_RENAMED,
        Rule.REQUEST_FIELD_NOW_REQUIRED,
        Rule.REQUEST_FIELD_NOW_OPTIONAL,
        Rule.REQUEST_FIELD_TYPE_CHANGED,
        Rule.REQUEST_FIELD_VALIDATION_CHANGED,
        Rule.REQUEST_ENUM_VALUE_ADDED,
        Rule.REQUEST_ENUM_VALUE_REMOVED,
    ),
    Direction.RESPONSE: FieldRules(
        Rule.RESPONSE_PROPERTY_ADDED,
        Rule.RESPONSE_PROPERTY_REMOVED,
        Rule.RESPONSE_PROPERTY_RENAMED,
        Rule.RESPONSE_PROPERTY_NOW_REQUIRED,
        Rule.RESPONSE_PROPERTY_NOW_OPTIONAL,
        Rule.RESPONSE_PROPERTY_TYPE_CHANGED,
        None,
        Rule.RESPONSE_ENUM_VALUE_ADDED,
        Rule.RESPONSE_ENUM_VALUE_REMOVED,
    ),
}
