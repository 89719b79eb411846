from partyday_attendance.models import metadata
from partyday_common.db import Database
from partyday_common.service import PartydayService


class AttendanceService(PartydayService):
    name = "attendance"
    db = Database(metadata)
