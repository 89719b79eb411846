"""The services the development stack runs, each by the nameko class its process loads."""

from importlib import import_module

from partyday_common.settings import SERVICES

SERVICE_CLASSES = {
    "directory": "partyday_directory.service:DirectoryService",
    "plans": "partyday_plans.service:PlansService",
    "attendance": "partyday_attendance.service:AttendanceService",
    "media": "partyday_media.service:MediaService",
    "scoring": "partyday_scoring.service:ScoringService",
    "notifications": "partyday_notifications.service:NotificationsService",
    "volunteers": "partyday_volunteers.service:VolunteersService",
    "quizzes": "partyday_quizzes.service:QuizzesService",
}


def load_service_class(service: str):
    """The nameko service class of a service, imported from SERVICE_CLASSES."""
    module, _, name = SERVICE_CLASSES[service].partition(":")
    return getattr(import_module(module), name)


def every_service_class() -> list:
    return [load_service_class(name) for name in SERVICES]
