"""Directives as media follows them, and the study materials attached to them (学习套餐): texts,
micro lessons (MP4) and documents (PDF); a directive's package and a branch's month, paged."""

import uuid

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from partyday_common.db import utcnow
from partyday_common.errors import DomainError, invalid, not_found
from partyday_common.orgtree import get_node
from partyday_common.pagination import page_bounds
from partyday_media import detect
from partyday_media.expectations import DirectiveExpected
from partyday_media.models import Directive, StudyMaterial, org_nodes

FILE_FORMATS = ("mp4", "pdf")
MAX_TITLE = 200


def record_directive(session: Session, payload: DirectiveExpected) -> None:
    if session.get(Directive, payload.directive_id) is None:
        session.add(
            Directive(
                id=payload.directive_id,
                org_id=payload.org_id,
                org_path=payload.org_path,
                month=payload.month,
                theme=payload.theme,
            )
        )


def directive(session: Session, directive_id: str) -> Directive:
    found = session.get(Directive, directive_id)
    if found is None:
        raise not_found("directive", directive_id)
    return found


def directive_view(found: Directive) -> dict:
    return {
        "directive_id": found.id,
        "org_id": found.org_id,
        "org_path": found.org_path,
        "month": found.month,
        "theme": found.theme,
    }


def check_file(title, fmt: str) -> None:
    """A file material has a title and is an MP4 micro lesson or a PDF document."""
    if not isinstance(title, str) or not 0 < len(title.strip()) <= MAX_TITLE:
        raise invalid("TITLE_REQUIRED", f"a title of 1 to {MAX_TITLE} characters")
    if fmt not in FILE_FORMATS:
        raise DomainError("UNSUPPORTED_TYPE", "a study material is an MP4 micro lesson or a PDF document", 415)


def view(material: StudyMaterial, theme: str | None = None) -> dict:
    return {
        "material_id": material.id,
        "directive_id": material.directive_id,
        "directive_theme": theme,
        "title": material.title,
        "kind": material.kind,
        "format": material.format,
        "duration_s": material.duration_s,
        "text": material.text,
        "url": f"/api/v1/study-materials/{material.id}" if material.key else None,
        "created_at": material.created_at.isoformat(),
    }


def _add(session: Session, material: StudyMaterial) -> dict:
    found = directive(session, material.directive_id)
    session.add(material)
    session.flush()
    return view(material, found.theme)


def add_text(session: Session, directive_id: str, title: str, text: str, uploaded_by: str | None) -> dict:
    return _add(
        session,
        StudyMaterial(
            id=uuid.uuid4().hex,
            directive_id=directive_id,
            title=title,
            kind="text",
            format=None,
            text=text,
            key=None,
            stored_bytes=0,
            duration_s=None,
            uploaded_by=uploaded_by,
            created_at=utcnow(),
        ),
    )


def add_file(session: Session, material_id: str, directive_id: str, title: str, upload: dict, stored: dict) -> dict:
    """Record a micro lesson or a document whose copy is stored."""
    return _add(
        session,
        StudyMaterial(
            id=material_id,
            directive_id=directive_id,
            title=title.strip(),
            kind="video" if stored["kind"] == "video" else "document",
            format=upload["format"],
            text=None,
            key=stored["keys"]["original"],
            stored_bytes=stored["stored_bytes"],
            duration_s=stored["duration_s"],
            uploaded_by=upload.get("uploaded_by"),
            created_at=utcnow(),
        ),
    )


def details(session: Session, material_id: str) -> dict:
    """A study material with its directive's scope and, for a file, where it is stored."""
    found = session.get(StudyMaterial, material_id)
    if found is None:
        raise not_found("study_material", material_id)
    owner = directive(session, found.directive_id)
    return {
        **view(found, owner.theme),
        "org_id": owner.org_id,
        "org_path": owner.org_path,
        "key": found.key,
        "content_type": detect.content_type(found.format) if found.format else None,
    }


def _page(session: Session, themes: dict[str, str], page: int, page_size: int) -> dict:
    """The study materials of the directives `themes` names (id → theme), oldest first, a page at a time."""
    offset, limit = page_bounds(page, page_size)
    where = StudyMaterial.directive_id.in_(themes)
    items = (
        session.scalars(
            select(StudyMaterial)
            .where(where)
            .order_by(StudyMaterial.created_at, StudyMaterial.id)
            .offset(offset)
            .limit(limit)
        ).all()
        if themes
        else []
    )
    total = session.scalar(select(func.count()).select_from(StudyMaterial).where(where)) if themes else 0
    return {
        "items": [view(item, themes[item.directive_id]) for item in items],
        "total": total,
        "page": page,
        "page_size": page_size,
    }


def of_directive(session: Session, directive_id: str, page: int, page_size: int) -> dict:
    """A directive's study package, a page at a time."""
    found = directive(session, directive_id)
    return _page(session, {found.id: found.theme}, page, page_size)


def of_month(session: Session, branch_id: str, month: str, page: int, page_size: int) -> dict:
    """The study materials of every directive of the month on the branch's path, a page at a time."""
    node = get_node(session, org_nodes, branch_id)
    if node is None:
        raise not_found("org", branch_id)
    directives = session.scalars(
        select(Directive).where(Directive.month == month, literal(node["path"]).startswith(Directive.org_path))
    ).all()
    return _page(session, {item.id: item.theme for item in directives}, page, page_size)
