"""Named checks of pagination walks (EN1xx in codes.py): hypothesis draws page sizes and
owners, and every walk must hold at most `pageSize` items per page, end, and repeat no item.

Read-only checks run against a read-only live target too; the others skip there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import strategies as st

from .behaviour import (
    LARGE_PAGE,
    SAMPLES,
    VERSIONS,
    fresh,  # noqa: F401  (autouse: a reset target per check)
    full_list,
    is_paginated,
    items_of,
    key_of,
    owners_to_walk,
    run_property,
)
from .checks import Sequence
from .options import Options
from .spec import operations
from .targets import Target

__all__: list[str] = []

PAGINATED = [
    (version, op.operation_id)
    for version in VERSIONS
    for op in sorted(operations(version).values(), key=lambda o: o.operation_id)
    if op.method == "GET" and is_paginated(version, op.operation_id)
]


@dataclass
class Page:
    query: dict[str, Any]
    keys: list[Any]
    after: str | None
    before: str | None


def _walk(seq: Sequence, op_id: str, params: dict[str, str], size: int, total: int) -> list[Page]:
    pages: list[Page] = []
    cursors: set[str] = set()
    seen: set[Any] = set()
    query: dict[str, Any] = {"pageSize": size}
    where = f"{op_id} {params or ''} pageSize={size}".replace(" {}", "")
    while True:
        number = len(pages) + 1
        reply = seq.send(
            op_id,
            path_parameters=params,
            query=query,
            shape_check="pagination_page_shape" if pages else None,
        )
        seq.expect(
            "pagination_page_shape",
            reply.status == 200,
            f"{where}: page {number} answered {reply.status}",
        )
        items = items_of(reply.body)
        cursors_now = reply.body["pagination"]
        page = Page(
            dict(query), [key_of(i) for i in items], cursors_now["after"], cursors_now["before"]
        )
        seq.expect(
            "pagination_page_size",
            len(items) <= size,
            f"{where}: page {number} holds {len(items)} items",
        )
        twice = [key for key in page.keys if key in seen]
        seq.expect(
            "pagination_no_duplicates",
            not twice and len(set(page.keys)) == len(page.keys),
            f"{where}: page {number} repeats {twice or page.keys} from earlier pages",
        )
        seen.update(page.keys)
        if not pages:
            seq.expect(
                "pagination_last_page",
                page.before is None,
                f"{where}: the first page's `before` is {page.before!r}, not null",
            )
        pages.append(page)
        if page.after is None:
            return pages
        seq.expect(
            "pagination_last_page",
            len(seen) < total,
            f"{where}: page {number} holds the last of the {total} items, but its `after` is "
            f"{page.after!r}, not null",
        )
        seq.expect(
            "pagination_cursor_advances",
            page.after not in cursors and page.after != query.get("after"),
            f"{where}: page {number}'s `after` {page.after!r} was already issued "
            f"(a client walking the pages would loop)",
        )
        seq.expect(
            "pagination_cursor_advances",
            number <= total + 1,
            f"{where}: {number} pages for {total} items and still a next cursor",
        )
        cursors.add(page.after)
        query = {"pageSize": size, "after": page.after}


def _check_walk(
    seq: Sequence,
    data: st.DataObject,
    op_id: str,
    params: dict[str, str],
    size: int,
    full: list[Any],
) -> None:
    pages = _walk(seq, op_id, params, size, len(full))
    where = f"{op_id} {params or ''} pageSize={size}".replace(" {}", "")
    union = [key for page in pages for key in page.keys]
    missing = [k for k in full if k not in union][:5]
    extra = [k for k in union if k not in full][:5]
    seq.expect(
        "pagination_union",
        union == full,
        f"{where}: the {len(pages)} pages hold {len(union)} items "
        f"{'in another order or other items' if len(union) == len(full) else ''} than the "
        f"{len(full)} of the full list (pageSize={LARGE_PAGE}); missing "
        f"{missing}, extra {extra}",
    )
    if len(pages) < 2:
        return
    picked = data.draw(
        # never more distinct pages than there are: a unique list over a smaller domain makes
        # hypothesis's draws depend on rejections (FlakyStrategyDefinition on 2-4 item lists)
        st.lists(
            st.integers(1, len(pages) - 1),
            min_size=1,
            max_size=min(3, len(pages) - 1),
            unique=True,
        ),
        label=f"pages to go back from (pageSize={size})",
    )
    for n in sorted(picked):
        page = pages[n]
        seq.expect(
            "pagination_before",
            page.before is not None,
            f"{where}: page {n + 1}'s `before` is null, but page {n} precedes it",
        )
        reply = seq.send(
            op_id,
            path_parameters=params,
            query={"pageSize": size, "before": page.before},
            shape_check="pagination_page_shape",
        )
        got = (
            [key_of(item) for item in items_of(reply.body)] if reply.status == 200 else reply.status
        )
        seq.expect(
            "pagination_before",
            got == pages[n - 1].keys,
            f"{where}: `before` of page {n + 1} answered {got}, page {n} is {pages[n - 1].keys}",
        )


@pytest.mark.parametrize(("version", "op_id"), PAGINATED, ids=[f"{v}-{o}" for v, o in PAGINATED])
def test_pagination(
    version: str, op_id: str, target: Target, known_ids: dict[str, Any], options: Options
) -> None:
    """Walk every page with pageSize 1, 2 and a drawn size that does not divide the total."""

    def walk_all(data: st.DataObject) -> None:
        seq = Sequence(target, version)
        owners = owners_to_walk(seq, data, op_id, known_ids[version])
        if not owners:
            pytest.skip(f"{op_id}: no owner known")
        for params in owners:
            full = [key_of(item) for item in full_list(seq, op_id, params)]
            total = len(full)
            odd = [k for k in range(3, max(total, 4)) if total % k]
            uneven = data.draw(st.sampled_from(odd or [total + 1]), label="uneven pageSize")
            # the same sizes in every example: what is drawn must not depend on earlier ones
            for size in (1, 2, uneven):
                _check_walk(seq, data, op_id, params, size, full)

    run_property(f"pagination {version} {op_id}", SAMPLES, walk_all, target)
