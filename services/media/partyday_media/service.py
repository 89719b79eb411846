from partyday_common.db import Database
from partyday_common.service import PartydayService
from partyday_media.models import metadata


class MediaService(PartydayService):
    name = "media"
    db = Database(metadata)
