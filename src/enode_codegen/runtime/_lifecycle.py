"""The lifecycle of one API call, as a sans-IO flow shared by the sync and async clients.

```
token    <- FetchToken                  cached, or fetched once for all callers
response <- send with retries           see _retry.py for the rule
on 401 (client credentials only): token <- FetchToken(rejected=token), send once more
4xx/5xx  -> raise the APIStatusError subclass of the status
2xx      -> return the response; the client parses it
```
"""

from __future__ import annotations

import httpx

from ._flow import Flow, fetch_token
from ._log import logger
from ._parse import status_error
from ._request import Call, build_request
from ._retry import Backoff, send_with_retries

__all__ = ["call_flow"]


def call_flow(call: Call, *, backoff: Backoff, refreshable: bool) -> Flow[httpx.Response]:
    """Perform `call` and return its successful response, or raise the error it got."""
    token = (yield from fetch_token()) if call.auth.token else None
    response = yield from _send(call, token, backoff)
    if response.status_code == 401 and refreshable and token is not None:
        logger.info("%s %s -> 401: refreshing the token once", call.method, response.url.path)
        token = yield from fetch_token(rejected=token)
        response = yield from _send(call, token, backoff)
    if response.is_error:
        raise status_error(response, call.error_models)
    return response


def _send(call: Call, token: str | None, backoff: Backoff) -> Flow[httpx.Response]:
    return send_with_retries(
        build_request(call, token),
        idempotent=call.idempotent,
        max_retries=call.max_retries,
        backoff=backoff,
    )
