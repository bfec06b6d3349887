"""Cursor pages: `{"data": [...], "pagination": {"after": ..., "before": ...}}`.

A page remembers the request that produced it. The next page is the same request
with `after=<pagination.after>` and no `before`; `pageSize` and every other parameter
are kept. Iterating a page (`for` / `async for`) yields every item of it and of all
the pages after it. The page logic lives in `BasePage`; `SyncPage` and `AsyncPage`
only fetch, through the client's public hook `fetch_page(PageRequest)` (any object with
it, `SyncPageSource` / `AsyncPageSource`, can serve pages).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from ._drift import attach, drift
from ._request import RequestArgs

if TYPE_CHECKING:
    from ._models import PageBody

__all__ = ["AsyncPage", "AsyncPageSource", "BasePage", "PageRequest", "SyncPage", "SyncPageSource"]

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest(Generic[T]):
    """Everything needed to fetch a page again, or the one after it."""

    method: str
    path: str
    item_type: Any
    args: RequestArgs

    def after(self, cursor: str) -> PageRequest[T]:
        params = {**self.args.get("params", {}), "after": cursor, "before": None}
        return replace(self, args={**self.args, "params": params})


class SyncPageSource(Protocol):
    """What serves a sync page and the ones after it: a sync client."""

    def fetch_page(self, request: PageRequest[T]) -> SyncPage[T]:
        """The page `request` describes."""
        ...


class AsyncPageSource(Protocol):
    """What serves an async page and the ones after it: an async client."""

    async def fetch_page(self, request: PageRequest[T]) -> AsyncPage[T]:
        """The page `request` describes."""
        ...


class BasePage(Generic[T]):
    """One page of items and the way to the next."""

    def __init__(self, request: PageRequest[T], body: PageBody[T]) -> None:
        # a drifted body (see `_tolerant.py`) may hold something else than a list here; the
        # page then has no items, and `drift(page)` says what came
        self.data: list[T] = body.data if isinstance(body.data, list) else []
        self.pagination = body.pagination
        self._request = request
        attach(self, drift(body))

    def _after(self) -> str | None:
        after = getattr(self.pagination, "after", None)  # None too when pagination drifted
        return after if isinstance(after, str) else None

    def has_next_page(self) -> bool:
        """Whether there is a page after this one."""
        return bool(self.data) and self._after() is not None

    def _next_request(self) -> PageRequest[T]:
        after = self._after()
        if not self.has_next_page() or after is None:
            raise LookupError("this is the last page; check has_next_page() first")
        return self._request.after(after)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {len(self.data)} items, has_next_page={self.has_next_page()}>"
        )


class SyncPage(BasePage[T]):
    """A page from a sync client; `for item in page` walks every following page too."""

    def __init__(self, client: SyncPageSource, request: PageRequest[T], body: PageBody[T]) -> None:
        super().__init__(request, body)
        self._client = client

    def next_page(self) -> SyncPage[T]:
        return self._client.fetch_page(self._next_request())

    def __iter__(self) -> Iterator[T]:
        page = self
        while True:
            yield from page.data
            if not page.has_next_page():
                return
            page = page.next_page()


class AsyncPage(BasePage[T]):
    """A page from an async client; `async for item in page` walks every following page too."""

    def __init__(self, client: AsyncPageSource, request: PageRequest[T], body: PageBody[T]) -> None:
        super().__init__(request, body)
        self._client = client

    async def next_page(self) -> AsyncPage[T]:
        return await self._client.fetch_page(self._next_request())

    async def __aiter__(self) -> AsyncIterator[T]:
        page = self
        while True:
            for item in page.data:
                yield item
            if not page.has_next_page():
                return
            page = await page.next_page()
