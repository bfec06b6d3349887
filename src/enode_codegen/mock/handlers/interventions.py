"""Interventions: plain arrays (not paginated), filtered by vendorType and vendor.

The seed holds English texts only; `language` is accepted and ignored.
"""

from __future__ import annotations

from .common import Ctx, Handler, Reply, not_found

__all__ = ["HANDLERS"]


def list_interventions(ctx: Ctx) -> Reply:
    vendor_type = ctx.query.get("vendorType")
    vendor = ctx.query.get("vendor")
    items = [
        record
        for record in ctx.state.interventions.values()
        if (vendor_type is None or record["vendorType"] == vendor_type)
        and (vendor is None or str(record["vendor"]).upper() == str(vendor).upper())
    ]
    return Reply(200, items)


def get_intervention(ctx: Ctx) -> Reply:
    intervention_id = str(ctx.path["interventionId"])
    record = ctx.state.interventions.get(intervention_id)
    if record is None:
        raise not_found("intervention", intervention_id)
    return Reply(200, record)


HANDLERS: dict[str, Handler] = {
    "listInterventions": list_interventions,
    "getIntervention": get_intervention,
}
