"""The bodies attendance's RPCs take: a scan's evidence, online or sent late from a phone that was offline, and a
superior's decision on a claimed or flagged record."""

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from partyday_common.text import Identifier, VisibleText


class Evidence(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    token: str = Field(min_length=1, max_length=1000)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float = Field(ge=0, le=100_000)
    device_id: str = Field(min_length=1, max_length=100)
    nonce: str = Field(min_length=8, max_length=100)
    reflection: VisibleText(5000, min_visible=0) | None = None
    fix_at: AwareDatetime | None = Field(None, description="when the phone fixed the position it sends")
    position_mocked: bool | None = Field(None, description="the browser's own hint: an emulated or mocked position")


class OfflineScan(Evidence):
    activity_id: Identifier
    kind: str = Field(pattern="^(sign_in|sign_out)$")
    scanned_at: AwareDatetime
    signed_payload: str | None = Field(None, max_length=4000, description="the scan as the phone signed it (JSON)")
    signature: str | None = Field(
        None, max_length=200, description="ECDSA P-256 over signed_payload by the device's registered key (base64url)"
    )


class DeviceKeyBody(BaseModel):
    """A phone's public key (SPKI, base64), registered while online to sign its offline scans."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    device_id: str = Field(min_length=1, max_length=100)
    public_key: str = Field(min_length=1, max_length=400)


class Decision(BaseModel):
    """A superior's decision on a claimed or flagged record, with the reason kept on it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: str = Field(pattern="^(accept|void)$")
    reason: VisibleText(1000)


class MeetingDecisionCreate(BaseModel):
    """A decision a members' meeting voted on: what it was, and the votes cast (at most the members present)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: VisibleText(500)
    in_favour: int = Field(ge=0, le=100_000)
    against: int = Field(ge=0, le=100_000)
    abstaining: int = Field(ge=0, le=100_000)


class MakeupCompletion(BaseModel):
    """A member's completion of their make-up study: the study reflection (at least 30 characters, which
    attendance checks with its reason code)."""

    model_config = ConfigDict(extra="forbid")

    reflection: str = Field(max_length=5000)
