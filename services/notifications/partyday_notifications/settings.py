"""The settings only notifications reads (PARTYDAY_* variables); the SMS gateway's URL and secret are shared
with the directory, which sends one-time codes by the same channel."""

from functools import lru_cache

from pydantic import Field

from partyday_common.settings import Settings


class NotificationsSettings(Settings):
    service = "notifications"

    smtp_url: str | None = Field(
        None, description="smtp://user:password@host:port (smtps:// for TLS); unset writes e-mails to the log"
    )
    smtp_sender: str = Field("partyday@localhost", description="the From address of e-mails")
    notifications_time_zone: str = Field("Asia/Shanghai", description="quiet hours and the daily cap's day")
    notifications_quiet_start: int = Field(22, ge=0, le=23, description="hour no text message is sent from")
    notifications_quiet_end: int = Field(7, ge=0, le=23, description="hour text messages are sent again")
    notifications_sms_daily_cap: int = Field(5, ge=0, description="text messages per member per day")
    notifications_sms_per_second: float = Field(50.0, gt=0, description="the SMS gateway's rate limit")
    notifications_max_attempts: int = Field(5, ge=1, description="sends of a message before it is dead")
    notifications_retry_base_s: float = Field(30.0, gt=0, description="first pause before a failed send is tried again")
    notifications_delivery_interval_s: float = Field(1.0, gt=0, description="how often due deliveries are sent")
    notifications_delivery_batch: int = Field(200, ge=1, description="deliveries claimed per round")
    notifications_reminder_interval_s: float = Field(60.0, gt=0, description="how often reminders are looked for")


@lru_cache
def get_settings() -> NotificationsSettings:
    settings = NotificationsSettings()
    settings.check_production_safety()
    return settings
