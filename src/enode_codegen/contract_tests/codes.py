"""The catalogue of named checks: each one's code, name, title and expected behaviour, like
schemathesis's own (`EN101 Page larger than pageSize`). Data only: the tests that evaluate
the checks are `test_behaviour*.py`, `test_webhook_*.py`; the machinery that runs them and
reports a failure is `checks.py` (the target's) and `receiver_checks.py` (a user's webhook
receiver); `report.py` lists every check with its evaluations.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHECKS", "Check"]


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    title: str
    expected: str
    writes: bool = False  # needs non-GET requests (skipped against a read-only live target)
    # tests the user's webhook receiver (--webhook-receiver), not the target
    receiver: bool = False


_ALL = (
    # pagination
    Check(
        "EN101",
        "pagination_page_size",
        "Page larger than pageSize",
        "every page holds at most `pageSize` items",
    ),
    Check(
        "EN102",
        "pagination_cursor_advances",
        "Cursor does not advance",
        "each page's `pagination.after` is new: a cursor never repeats",
    ),
    Check(
        "EN103",
        "pagination_no_duplicates",
        "Item on two pages",
        "no item appears on more than one page of a walk",
    ),
    Check(
        "EN104",
        "pagination_union",
        "Pages differ from the full list",
        "the pages of a walk, in order, are exactly the list fetched with a large pageSize",
    ),
    Check(
        "EN105",
        "pagination_before",
        "`before` does not give the previous page",
        "`before` of page N answers page N-1",
    ),
    Check(
        "EN106",
        "pagination_last_page",
        "Last page has a next cursor",
        "the last page's `pagination.after` is null (and the first page's `before`)",
    ),
    Check(
        "EN107",
        "pagination_page_shape",
        "Later page violates the schema",
        "every page, not only the first, matches the operation's response schema",
    ),
    # actions
    Check(
        "EN201",
        "action_state_machine",
        "Action state goes back or changes after resolving",
        "PENDING -> one of CONFIRMED/FAILED/CANCELLED, and a resolved action never changes",
        writes=True,
    ),
    Check(
        "EN202",
        "action_completed_at",
        "completedAt does not match the state",
        "`completedAt` is set exactly when the action is resolved",
        writes=True,
    ),
    Check(
        "EN203",
        "action_failure_reason",
        "failureReason does not match the state",
        "`failureReason` is null unless the action is FAILED or CANCELLED",
        writes=True,
    ),
    Check(
        "EN204",
        "action_superseded",
        "Superseded action is not CANCELLED/CONFLICT",
        "a newer action on the same target moves the pending one to CANCELLED with "
        "failureReason CONFLICT, and it stays so",
        writes=True,
    ),
    Check(
        "EN205",
        "action_cancel_visible",
        "Cancel is not visible on read",
        "cancelling a PENDING action answers it CANCELLED and it reads CANCELLED afterwards",
        writes=True,
    ),
    Check(
        "EN206",
        "action_cancel_resolved",
        "Cancelling a resolved action is not 409",
        "cancelling a resolved action answers 409 with the unchanged action as body",
        writes=True,
    ),
    Check(
        "EN207",
        "action_effect",
        "Confirmed action has no effect on its target",
        "once an action is CONFIRMED its target reads as the action asked (operation mode, "
        "charging, max current, HVAC mode and setpoints)",
        writes=True,
    ),
    Check(
        "EN208",
        "action_resolves",
        "Action stays PENDING",
        "a PENDING action resolves (the mock: once its delay has passed)",
        writes=True,
    ),
    # reads
    Check(
        "EN301",
        "list_get_agree",
        "List item and single GET disagree",
        "an entity reads the same in its list and through its own GET",
    ),
    Check(
        "EN302",
        "user_list_filter",
        "User list holds another user's entities",
        "a list under /users/{userId} holds exactly that user's entities of the full list",
    ),
    Check(
        "EN303",
        "deleted_is_gone",
        "Deleted entity still readable",
        "after a DELETE every route that reached the entity answers 404",
        writes=True,
    ),
    # versions
    Check(
        "EN401",
        "version_shape",
        "Entity has another version's shape",
        "an entity carries exactly its version's location field (`chargingLocationId`, "
        "`locationId` or `location`) and the same location in every version",
    ),
    Check(
        "EN402",
        "version_enum",
        "Enum value differs between versions",
        "a value a version knows reads the same in it as in the newest version; a value it "
        "does not know never reaches it (null instead)",
    ),
    # refresh hints, health, errors
    Check(
        "EN501",
        "refresh_hint",
        "Refresh hint answers the wrong status",
        "a refresh hint answers 204 for a known asset and 404 for an unknown one",
        writes=True,
    ),
    Check(
        "EN502",
        "health_ready",
        "Health check answers the wrong status",
        "`GET /health/ready` answers 204 without a token (503 problem when not ready)",
    ),
    # the target's own webhook deliveries (test_webhook_deliveries.py)
    Check(
        "EN701",
        "delivery_signed",
        "Delivery not signed with the webhook's secret",
        "every delivery carries `X-Enode-Signature: sha1=<HMAC-SHA1 of the body with the "
        "webhook's secret>` and its own `X-Enode-Delivery` ID",
        writes=True,
    ),
    Check(
        "EN702",
        "delivery_batch",
        "Delivery is not a batch of events",
        "a delivery is a POST of `application/json`: an array of 1 to 100 events",
        writes=True,
    ),
    Check(
        "EN703",
        "delivery_event_schema",
        "Delivered event does not match its schema",
        "every delivered event is one the webhook's version declares, in that version "
        "(`version`), and validates against its schema in the spec's `webhooks`",
        writes=True,
    ),
    Check(
        "EN704",
        "delivery_follows_state",
        "Deliveries miss a state change",
        "an action's `user:vendor-action:updated` events arrive in order, from PENDING to "
        "the state its GET answers once resolved; a test delivery arrives as "
        "`enode:webhook:test`",
        writes=True,
    ),
    # the user's webhook receiver (--webhook-receiver; test_webhook_receiver.py)
    Check(
        "EN601",
        "receiver_accepts_event",
        "Receiver refuses a valid delivery",
        "a correctly signed delivery of any event the version declares answers 2xx within "
        "5 s (Enode's timeout)",
        receiver=True,
    ),
    Check(
        "EN602",
        "receiver_accepts_batch",
        "Receiver refuses a valid batch",
        "a correctly signed batch answers 2xx within 5 s: events mixed, 100 events, an event "
        "the version does not declare (Enode adds events), other whitespace (the signature "
        "covers the bytes)",
        receiver=True,
    ),
    Check(
        "EN603",
        "receiver_rejects_wrong_signature",
        "Receiver accepts a wrong signature",
        "a delivery whose X-Enode-Signature is not the HMAC-SHA1 of its body with the secret "
        "is refused with 4xx (401, 403 or 400), never 2xx or 5xx",
        receiver=True,
    ),
    Check(
        "EN604",
        "receiver_rejects_missing_signature",
        "Receiver accepts a delivery without signature",
        "a delivery without (or with an empty) X-Enode-Signature is refused with 4xx, never "
        "2xx or 5xx",
        receiver=True,
    ),
    Check(
        "EN605",
        "receiver_rejects_tampered_body",
        "Receiver accepts a tampered body",
        "a body changed after signing (a field edited, or the same JSON re-serialised), sent "
        "with the original signature, is refused with 4xx: verify the raw bytes",
        receiver=True,
    ),
    Check(
        "EN606",
        "receiver_replay",
        "Receiver fails on a replayed delivery",
        "a delivery sent again with the same X-Enode-Delivery ID is not a 5xx (2xx: already "
        "handled; Enode redelivers when an answer is lost)",
        receiver=True,
    ),
    Check(
        "EN607",
        "receiver_malformed_body",
        "Receiver fails on a malformed body",
        "a correctly signed body that is not JSON (truncated, not UTF-8, empty) is not a 5xx "
        "(400 expected)",
        receiver=True,
    ),
    Check(
        "EN608",
        "receiver_non_array_body",
        "Receiver fails on a body that is not an array of events",
        "a correctly signed JSON body that is not an array of event objects (an object, null, "
        "an array of numbers, an event without `event`) is not a 5xx (400 expected)",
        receiver=True,
    ),
)
CHECKS: dict[str, Check] = {check.name: check for check in _ALL}
