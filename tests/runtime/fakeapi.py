"""A small hand-written stand-in for a generated package, shaped as the generator emits it.

Sync and async classes differ only in `async def` / `await` and base class names.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Any
from uuid import UUID

import httpx
from pydantic import Field

from enode_codegen.runtime import (
    AsyncAPIClient,
    AsyncPage,
    AsyncResource,
    EnodeModel,
    OpenEnum,
    RequestOptions,
    SyncAPIClient,
    SyncPage,
    SyncResource,
)

API_VERSION = "2024-10-01"


class ChargeState(OpenEnum):
    CHARGING = "CHARGING"
    IDLE = "IDLE"


class ActionState(OpenEnum):
    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class Location(EnodeModel):
    latitude: float
    longitude: float


class Battery(EnodeModel):
    id: str
    charge_state: Annotated[ChargeState, Field(alias="chargeState")]
    location: Location | None = None


class BatteryAction(EnodeModel):
    id: UUID
    state: ActionState
    target_id: Annotated[str, Field(alias="targetId")]


class OperationMode(OpenEnum):
    IMPORT_FOCUS = "IMPORT_FOCUS"
    EXPORT_FOCUS = "EXPORT_FOCUS"


class BatteriesResource(SyncResource):
    def get_battery(
        self,
        battery_id: str,
        *,
        options: RequestOptions | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Battery:
        return self._client.request(
            "GET",
            "/batteries/{batteryId}",
            path_params={"batteryId": battery_id},
            cast_to=Battery,
            options=options,
            timeout=timeout,
        )

    def list_batteries(
        self,
        *,
        page_size: int | None = None,
        after: str | None = None,
        before: str | None = None,
        options: RequestOptions | None = None,
    ) -> SyncPage[Battery]:
        return self._client.request_page(
            "GET",
            "/batteries",
            params={"pageSize": page_size, "after": after, "before": before},
            item_type=Battery,
            options=options,
        )

    def list_battery_ids(self) -> list[str]:
        return self._client.request("GET", "/battery-ids", cast_to=list[str])

    def get_anything(self) -> Any:
        return self._client.request("GET", "/anything", cast_to=Any)

    def delete_battery(self, battery_id: str) -> None:
        return self._client.request(
            "DELETE", "/batteries/{batteryId}", path_params={"batteryId": battery_id}, cast_to=None
        )

    def set_battery_operation_mode(
        self,
        battery_id: str,
        *,
        operation_mode: OperationMode,
        note: str | None = None,
        options: RequestOptions | None = None,
    ) -> BatteryAction:
        return self._client.request(
            "POST",
            "/batteries/{batteryId}/operation-mode",
            path_params={"batteryId": battery_id},
            json_body={"operationMode": operation_mode, "note": note},
            cast_to=BatteryAction,
            idempotent=False,
            error_models={409: BatteryAction},
            options=options,
        )

    def get_battery_action(self, action_id: UUID | str) -> BatteryAction:
        return self._client.request(
            "GET",
            "/batteries/actions/{actionId}",
            path_params={"actionId": action_id},
            cast_to=BatteryAction,
        )

    def wait_for_action(
        self,
        action: BatteryAction | UUID | str,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
    ) -> BatteryAction:
        return self._wait_for_action(
            self.get_battery_action, action, timeout=timeout, poll_interval=poll_interval
        )


class AsyncBatteriesResource(AsyncResource):
    async def get_battery(
        self,
        battery_id: str,
        *,
        options: RequestOptions | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Battery:
        return await self._client.request(
            "GET",
            "/batteries/{batteryId}",
            path_params={"batteryId": battery_id},
            cast_to=Battery,
            options=options,
            timeout=timeout,
        )

    async def list_batteries(
        self,
        *,
        page_size: int | None = None,
        after: str | None = None,
        before: str | None = None,
        options: RequestOptions | None = None,
    ) -> AsyncPage[Battery]:
        return await self._client.request_page(
            "GET",
            "/batteries",
            params={"pageSize": page_size, "after": after, "before": before},
            item_type=Battery,
            options=options,
        )

    async def list_battery_ids(self) -> list[str]:
        return await self._client.request("GET", "/battery-ids", cast_to=list[str])

    async def get_anything(self) -> Any:
        return await self._client.request("GET", "/anything", cast_to=Any)

    async def delete_battery(self, battery_id: str) -> None:
        return await self._client.request(
            "DELETE", "/batteries/{batteryId}", path_params={"batteryId": battery_id}, cast_to=None
        )

    async def set_battery_operation_mode(
        self,
        battery_id: str,
        *,
        operation_mode: OperationMode,
        note: str | None = None,
        options: RequestOptions | None = None,
    ) -> BatteryAction:
        return await self._client.request(
            "POST",
            "/batteries/{batteryId}/operation-mode",
            path_params={"batteryId": battery_id},
            json_body={"operationMode": operation_mode, "note": note},
            cast_to=BatteryAction,
            idempotent=False,
            error_models={409: BatteryAction},
            options=options,
        )

    async def get_battery_action(self, action_id: UUID | str) -> BatteryAction:
        return await self._client.request(
            "GET",
            "/batteries/actions/{actionId}",
            path_params={"actionId": action_id},
            cast_to=BatteryAction,
        )

    async def wait_for_action(
        self,
        action: BatteryAction | UUID | str,
        *,
        timeout: float = 300.0,
        poll_interval: float = 2.0,
    ) -> BatteryAction:
        return await self._wait_for_action(
            self.get_battery_action, action, timeout=timeout, poll_interval=poll_interval
        )


class BatteriesResourceWithRawResponse:
    def __init__(self, batteries: BatteriesResource) -> None:
        self.get_battery = batteries._with_raw_response(batteries.get_battery)
        self.list_batteries = batteries._with_raw_response(batteries.list_batteries)
        self.delete_battery = batteries._with_raw_response(batteries.delete_battery)


class AsyncBatteriesResourceWithRawResponse:
    def __init__(self, batteries: AsyncBatteriesResource) -> None:
        self.get_battery = batteries._with_raw_response(batteries.get_battery)
        self.list_batteries = batteries._with_raw_response(batteries.list_batteries)
        self.delete_battery = batteries._with_raw_response(batteries.delete_battery)


class Client(SyncAPIClient):
    API_VERSION = API_VERSION

    @cached_property
    def batteries(self) -> BatteriesResource:
        return BatteriesResource(self)

    @property
    def with_raw_response(self) -> ClientWithRawResponse:
        return ClientWithRawResponse(self)


class AsyncClient(AsyncAPIClient):
    API_VERSION = API_VERSION

    @cached_property
    def batteries(self) -> AsyncBatteriesResource:
        return AsyncBatteriesResource(self)

    @property
    def with_raw_response(self) -> AsyncClientWithRawResponse:
        return AsyncClientWithRawResponse(self)


class ClientWithRawResponse:
    def __init__(self, client: Client) -> None:
        self.batteries = BatteriesResourceWithRawResponse(client.batteries)


class AsyncClientWithRawResponse:
    def __init__(self, client: AsyncClient) -> None:
        self.batteries = AsyncBatteriesResourceWithRawResponse(client.batteries)
