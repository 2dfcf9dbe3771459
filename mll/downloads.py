from pathlib import PurePath

from django.http import FileResponse, Http404


def serve_private_file(field_file, *, download_name: str) -> FileResponse:
    """Stream an upload the caller has already checked access to, as an attachment."""
    if not field_file:
        raise Http404
    suffix = PurePath(field_file.name).suffix
    response = FileResponse(
        field_file.open("rb"), as_attachment=True, filename=f"{download_name}{suffix}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
