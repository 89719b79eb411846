"""The web pages: the admin console at /console, the member pages at /m (phone-first, including /m/checkin,
the address a sign-in QR code opens), the venue's screen at /screen and the public voting page at /vote. Plain
HTML, JavaScript modules and CSS from this package: nothing is loaded from elsewhere."""

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

WEB = Path(__file__).resolve().parent.parent / "web"
NO_CACHE = {"Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


def _page(name: str) -> FileResponse:
    return FileResponse(WEB / name, media_type="text/html; charset=utf-8", headers=NO_CACHE)


@router.get("/")
async def home() -> RedirectResponse:
    """The console is the front door; members arrive at /m through their QR codes and links."""
    return RedirectResponse("/console", status_code=307)


@router.get("/favicon.ico")
async def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico on every page that names no icon."""
    return RedirectResponse("/static/icon.svg", status_code=308)


@router.get("/console")
async def console() -> FileResponse:
    """The admin console (one page; its views are addressed by the URL fragment)."""
    return _page("console.html")


@router.get("/screen")
async def venue_screen() -> FileResponse:
    """The venue's screen: an activity's rotating sign-in code, full screen (`?activity=`), in the console's
    session."""
    return _page("screen.html")


@router.get("/m/sw.js")
async def member_service_worker() -> FileResponse:
    """The member pages' service worker (scope /m/): the sign-in page opens without a network."""
    return FileResponse(WEB / "static" / "sw.js", media_type="text/javascript; charset=utf-8", headers=NO_CACHE)


@router.get("/m")
@router.get("/m/{view:path}")
async def member_pages(view: str = "") -> FileResponse:
    """The member pages: today's activity, scanning, sign-in and sign-out, history, voting."""
    return _page("member.html")


@router.get("/vote")
async def public_vote() -> FileResponse:
    """The public voting page: log in by phone and one-time code, then vote."""
    return _page("vote.html")


@router.get("/help")
async def public_help() -> FileResponse:
    """The public volunteer request page (志愿云呼叫): a resident asks a community's branch for help with a phone
    proved by a one-time code, and follows the request by its token (`/help?token=`)."""
    return _page("help.html")


def install(app: FastAPI) -> None:
    """Serve the pages and their scripts, styles and icons."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB / "static"), name="static")
