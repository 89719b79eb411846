"""The six-haves archive (六有): per branch and month, which records exist, each linked to its source."""

import asyncio

from fastapi import APIRouter

from partyday_gateway.auth import Caller
from partyday_gateway.deps import Authz, Month, Page, PageSize, Rpc
from partyday_gateway.permissions import READ

router = APIRouter(prefix="/api/v1", tags=["plans"])

APPROVED = {"published", "held", "summarized", "archived"}
HAVES = ("annual_task_list", "monthly_plan", "study_materials", "study_notes", "activity_record", "sign_in_sheet")


def six_haves(branch: dict, media: dict | None, sheet: dict | None) -> dict:
    """The six haves of one branch's month from what plans, media and attendance hold."""
    plan = branch["plan"]
    activity_id = plan["activity_id"] if plan else None
    media = media or {
        "photos": {},
        "approved_photo_links": [],
        "study_notes": {"count": 0, "links": []},
        "study_materials": [],
    }
    materials = [
        {"title": title, "directive_id": d["directive_id"]}
        for d in branch["directives"]
        for title in d["study_materials"]
    ]
    # Every uploaded material opens at its own address, a text as plain text as much as a file.
    materials += [
        {"title": m["title"], "directive_id": m["directive_id"], "link": f"/api/v1/study-materials/{m['material_id']}"}
        for m in media["study_materials"]
    ]
    reflections = sheet["reflections"] if sheet else 0
    note_links = list(media["study_notes"]["links"])
    if reflections:
        note_links.append(f"/api/v1/activities/{activity_id}/attendance")
    photos = media["approved_photo_links"]
    haves = {
        "annual_task_list": {
            "present": branch["task_list_items"] > 0,
            "tasks": branch["task_list_items"],
            "links": [f"/api/v1/branches/{branch['branch_id']}/task-lists/{branch['year']}"],
        },
        "monthly_plan": {
            "present": bool(plan) and plan["status"] in APPROVED,
            "status": plan["status"] if plan else None,
            "links": [f"/api/v1/plans/{plan['plan_id']}"] if plan else [],
        },
        "study_materials": {
            "present": bool(materials),
            "items": materials,
            "links": [f"/api/v1/directives/{d['directive_id']}/materials" for d in branch["directives"]],
        },
        "study_notes": {
            "present": media["study_notes"]["count"] + reflections > 0,
            "notes": media["study_notes"]["count"],
            "reflections": reflections,
            "links": note_links,
        },
        "activity_record": {
            "present": bool(plan) and plan["summary_submitted"] and bool(photos),
            "summary": bool(plan) and plan["summary_submitted"],
            "approved_photos": len(photos),
            "links": ([f"/api/v1/activities/{activity_id}"] if activity_id else []) + photos,
        },
        "sign_in_sheet": {
            "present": bool(sheet) and sheet["closed"],
            "signed_in": sheet["signed_in"] if sheet else 0,
            "links": [
                f"/api/v1/activities/{activity_id}/attendance.pdf",
                f"/api/v1/activities/{activity_id}/attendance.xlsx",
            ]
            if sheet
            else [],
        },
    }
    return {
        "branch_id": branch["branch_id"],
        "name": branch["name"],
        "activity_id": activity_id,
        "present": sum(haves[name]["present"] for name in HAVES),
        "haves": haves,
        "meetings": branch.get("meetings", {}),
    }


@router.get("/orgs/{org_id}/archive")
async def archive(
    org_id: str, month: Month, caller: Caller, rpc: Rpc, authz: Authz, page: Page = 1, page_size: PageSize = 50
) -> dict:
    """For each branch under the node (a page at a time), which of the six haves exist for the month:
    annual task list, monthly plan, study materials, study notes (reflections), activity record with
    photos and sign-in sheet, each with links to where it lives; and how many meetings of each other kind (三会一课)
    it held in the month (`meetings`)."""
    await authz.require(caller, READ, org_id, "read")
    plans_page = await rpc.call("plans", "archive", org_id, month, page=page, page_size=page_size)
    branches = plans_page["items"]
    activity_ids = [b["plan"]["activity_id"] for b in branches if b["plan"] and b["plan"]["activity_id"]]
    media, sheets = await asyncio.gather(
        rpc.call("media", "branch_month_records", [b["branch_id"] for b in branches], month),
        rpc.call("attendance", "sheet_summaries", activity_ids),
    )
    items = []
    for branch in branches:
        activity_id = branch["plan"]["activity_id"] if branch["plan"] else None
        items.append(six_haves(branch, media.get(branch["branch_id"]), sheets.get(activity_id)))
    return {
        "org_id": org_id,
        "month": month,
        "total": plans_page["total"],
        "page": page,
        "page_size": page_size,
        "items": items,
    }
