"""Evidence files: uploaded and downloaded as streams, the hash checked on the way out."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile as StarletteUpload

from ..access import policy
from ..access.policy import Level
from ..blobs.store import BlobError
from ..custody.files import attach, blob_store, check_file
from ..store import access_queries as facts
from ..store import file_queries
from ..store.engine import reading
from .deps import Brady, ItemAccess, access, brady, deny, item_guard, log
from .problems import PROBLEM_RESPONSES, NotFound

router = APIRouter(prefix="/api", responses=PROBLEM_RESPONSES)
B = Annotated[Brady, Depends(brady)]
ItemRead = Annotated[ItemAccess, Depends(item_guard("read"))]
ItemAct = Annotated[ItemAccess, Depends(item_guard("act"))]


@router.get("/items/{item_id}/files", openapi_extra=access("item:read"))
def files(a: ItemRead, b: B) -> dict[str, Any]:
    """The item's files with their recorded hashes (for counsel: those produced to them)."""
    with reading(b.led.engine) as conn:
        out = file_queries.item_files(conn, a.item_id)
        if a.level is Level.DISCLOSED:
            out = [
                f
                for f in out
                if policy.read_file(
                    a.asker.caller, a.facts, facts.file_disclosed_in(conn, f["sha256"])
                )
            ]
    return {"items": out, "total": len(out)}


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}


@router.post(
    "/items/{item_id}/files",
    status_code=201,
    openapi_extra={**access("item:act"), "requestBody": _UPLOAD_BODY},
)
async def upload(
    request: Request, a: ItemAct, b: B, media_type: str | None = None
) -> dict[str, Any]:
    """Attach a file: streamed to disk while hashed, kept only once its hash is on the ledger.

    The body is read here, after the caller was found allowed to act on the item (a file
    parameter would have had the whole upload spooled to disk before any check)."""
    async with request.form(max_files=1, max_fields=2) as form:
        file = form.get("file")
        if not isinstance(file, StarletteUpload):
            raise RequestValidationError(
                [
                    {
                        "type": "missing",
                        "loc": ("body", "file"),
                        "msg": "a file is required (multipart form field 'file')",
                        "input": None,
                    }
                ]
            )
        entry = await anyio.to_thread.run_sync(
            lambda: attach(
                b.custody,
                a.asker.user_id,
                a.item_id,
                file.file,
                file.filename or "upload",
                media_type or file.content_type,
                caller=a.asker.caller,
            )
        )
    p = entry.payload
    log(b, a.asker, "upload", f"file:{p['sha256']}", bytes=p["size"])
    return {"seq": entry.seq, "sha256": p["sha256"], "size": p["size"], "name": p["name"]}


@router.get(
    "/items/{item_id}/files/{sha256}",
    openapi_extra=access("file:read"),
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(sha256: str, a: ItemRead, b: B) -> StreamingResponse:
    """The file's bytes, re-hashed as they stream; a damaged file is cut off, not served."""
    with reading(b.led.engine) as conn:
        row = file_queries.item_file_meta(conn, a.item_id, sha256)
        disclosed_in = facts.file_disclosed_in(conn, sha256)
    target = f"file:{sha256}"
    if not policy.read_file(a.asker.caller, a.facts, disclosed_in):
        raise deny(b, a.asker, target, f"you may not download this file of {a.item_id}")
    if row is None:
        raise NotFound(f"{a.item_id} has no file with SHA-256 {sha256}")
    name, size, media = row
    store = blob_store(b.custody)
    if not store.has(sha256):
        log(b, a.asker, "download", target, outcome="missing")
        raise NotFound(f"the stored copy of {sha256} is missing; run `brady fixity`")

    def stream() -> Iterator[bytes]:
        sent = 0
        try:
            for chunk in store.read(sha256):
                sent += len(chunk)
                yield chunk
        except BlobError as exc:
            log(b, a.asker, "download", target, outcome="damaged", bytes=sent, detail=str(exc))
            raise
        log(b, a.asker, "download", target, bytes=sent)

    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    return StreamingResponse(
        stream(),
        media_type=media or "application/octet-stream",
        headers={
            "Content-Length": str(size),
            "Repr-Digest": f"sha-256=:{digest}:",
            "Content-Disposition": f'attachment; filename="{_ascii(name)}"',
        },
    )


def _ascii(name: str) -> str:
    return "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)


@router.post("/items/{item_id}/files/{sha256}/verify", openapi_extra=access("item:act"))
def verify(sha256: str, a: ItemAct, b: B) -> dict[str, Any]:
    """Re-hash the stored copy of one of the item's files now: whether it still matches the
    ledger. For those who keep the item; the check is written to the access log."""
    matches = check_file(b.custody, a.item_id, sha256, a.asker.caller)
    log(b, a.asker, "fixity", f"file:{sha256}", outcome="ok" if matches else "damaged")
    return {"item_id": a.item_id, "sha256": sha256, "matches": matches}
