"""Pydantic models of the webhook and register API."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints

EventName = Annotated[str, Strict(), StringConstraints(max_length=40)]


class WebhookIn(BaseModel):
    """An endpoint of the employer's own system and the events it wants."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Strict()] = Field(max_length=600, description="http(s) 地址，生产环境须 https")
    events: list[EventName] = Field(max_length=20, description="订阅的事件，如 contract.signed")


class WebhookOut(BaseModel):
    """A registered endpoint."""

    id: int
    url: str
    events: list[str]
    active: bool
    created_at: str


class WebhookCreatedOut(WebhookOut):
    """The new endpoint and its signing secret (shown only in this answer)."""

    secret: str = Field(description="签名密钥（仅此一次返回）：X-LaborSign-Signature 为 "
                                    "t=时间戳,v1=HMAC-SHA256(密钥, 时间戳 + '.' + 请求体)")


class WebhooksOut(BaseModel):
    items: list[WebhookOut]


class AttemptOut(BaseModel):
    """One attempt of a delivery."""

    at: str
    code: int | None = Field(description="HTTP 响应码；连接失败为 null")
    error: str | None
    ms: int


class DeliveryOut(BaseModel):
    """One event sent to the endpoint, with every attempt."""

    id: int
    event: str
    event_id: str = Field(description="事件 ID：重发时不变，接收方可据此去重")
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    response_code: int | None
    log: list[AttemptOut]
    replay_of: int | None
    created_at: str
    delivered_at: str | None


class DeliveriesOut(BaseModel):
    items: list[DeliveryOut]


class RegisterQuery(BaseModel):
    """The day of the staff register and its form."""

    model_config = ConfigDict(extra="forbid")

    as_of: str = Field("", max_length=10, description="名册日期 YYYY-MM-DD（北京时间；默认今天）")


class RegisterFileQuery(RegisterQuery):
    """The day and the file's format."""

    format: Literal["xlsx", "pdf"] = Field("xlsx", description="xlsx 或 pdf")


class RegisterOut(BaseModel):
    """The workers in service on ``as_of`` (ID numbers and phones masked)."""

    as_of: str
    headers: list[str]
    rows: list[list[str]]
