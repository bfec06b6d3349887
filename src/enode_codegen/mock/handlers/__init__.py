"""Handlers of every spec operation, keyed by operationId (stable across versions)."""

from __future__ import annotations

from . import (
    accounts,
    asset_updates,
    assets,
    batteries,
    chargers,
    health,
    hem_systems,
    hvacs,
    integrations,
    interventions,
    inverters,
    locations,
    schedule_status,
    schedules,
    sessions,
    statistics,
    users,
    vehicles,
    webhooks,
)
from .common import Ctx, Env, Handler, Reply

__all__ = ["CLOCK_DEPENDENT", "HANDLERS", "Ctx", "Env", "Handler", "Reply"]

# read operations whose answer depends on more than the state's revision (the clock)
CLOCK_DEPENDENT = frozenset(
    {"getChargingStatistics", "getInverterVendorStatistics", "getInverterStatistics"}
    | {"getVehicleSmartChargingStatus"}  # its `updatedAt` is the time of the request
    | {
        "getScheduleStatus",
        "getChargingSessionsStatistics",
        "listHemSystems",
        "listUserHemSystems",
        "getHemSystem",
        "getHemSystemStatistics",
    }
    | {"listWebhooks", "getWebhook"}  # `lastSuccess` moves with deliveries, not revisions
)

HANDLERS: dict[str, Handler] = {
    **assets.HANDLERS,
    **batteries.HANDLERS,
    **chargers.HANDLERS,
    **hvacs.HANDLERS,
    **interventions.HANDLERS,
    **users.HANDLERS,
    **schedules.HANDLERS,
    **statistics.HANDLERS,
    **inverters.HANDLERS,
    **health.HANDLERS,
    **vehicles.HANDLERS,
    **locations.HANDLERS,
    **webhooks.HANDLERS,
    **integrations.HANDLERS,
    **asset_updates.HANDLERS,
    **schedule_status.HANDLERS,
    **sessions.HANDLERS,
    **accounts.HANDLERS,
    **hem_systems.HANDLERS,
}
