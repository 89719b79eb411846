"""The settings only media reads, from the same PARTYDAY_* variables as before; the storage keys
(`media_storage`, `media_dir`, `media_s3_*`) stay in the shared settings, which the gateway reads too."""

from functools import lru_cache

from pydantic import Field

from partyday_common.settings import Settings


class MediaSettings(Settings):
    production_requires = (*Settings.production_requires, "media_storage")
    service = "media"

    media_max_image_bytes: int = Field(10_000_000, gt=0)
    media_max_image_pixels: int = Field(40_000_000, gt=0)
    media_max_video_bytes: int = Field(200_000_000, gt=0)
    media_max_video_seconds: int = Field(1200, gt=0, description="a micro lesson lasts 20 minutes at most")
    media_max_document_bytes: int = Field(20_000_000, gt=0)
    media_max_inflated_bytes: int = Field(100_000_000, gt=0, description="a PDF's compressed streams, inflated")
    media_branch_quota_bytes: int = Field(2_000_000_000, gt=0, description="stored media per branch")


@lru_cache
def get_settings() -> MediaSettings:
    settings = MediaSettings()
    settings.check_production_safety()
    return settings
