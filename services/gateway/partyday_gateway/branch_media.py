"""What a branch shows as its own: the uploads a rectification answer or a golden idea names must be the branch's."""

import asyncio

from partyday_gateway.errors import ApiError


async def require_own_uploads(rpc, branch_id: str, media_ids: list[str]) -> None:
    """Each upload exists (404 otherwise) and is the branch's own (else 422 MEDIA_NOT_OF_BRANCH, naming the others)."""
    uploads = await asyncio.gather(*(rpc.call("media", "get_media", media_id) for media_id in set(media_ids)))
    foreign = sorted(upload["media_id"] for upload in uploads if upload["branch_id"] != branch_id)
    if foreign:
        raise ApiError(422, "MEDIA_NOT_OF_BRANCH", "only the branch's own uploads can be shown", {"media_ids": foreign})
