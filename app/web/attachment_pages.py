"""Attachment routes: upload to, list on, download from and delete from a feedback's or a
problem's page. Reading needs `can_read` on the owner's table and the owner row in the
user's scope; uploading and deleting need `can_edit` there (an out-of-scope row is a 404).
"""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from app import models as m
from app.domain import access
from app.domain import attachments as files
from app.domain.validation import DomainError
from app.extensions import appbuilder, db
from app.web.job_runs import current_user_id

logger = logging.getLogger(__name__)

SHOW_ENDPOINT = {"feedback": "FeedbackView.show", "problem": "ProblemView.show"}


def chosen_file(field: str) -> FileStorage | None:
    """The file a form sent in `field`: the first chosen of its boxes (选择文件, 拍照)."""
    return next((sent for sent in request.files.getlist(field) if sent.filename), None)


def sent_upload(field: str) -> files.Upload | None:
    """The file a form sent in `field`, read and checked; None when none was chosen."""
    sent = chosen_file(field)
    if sent is None:
        return None
    return files.read_upload(sent.stream, sent.filename)


def load_owner(kind: str, owner_id: int) -> m.Model:
    """The feedback or problem of this id within the user's scope; 404 otherwise."""
    return access.load(files.OWNERS[kind][0], owner_id)


def load_attachment(kind: str, owner_id: int, attachment_id: int) -> m.Attachment:
    """An attachment of an owner in scope; 404 otherwise."""
    load_owner(kind, owner_id)
    column = getattr(m.Attachment, files.OWNERS[kind][1])
    attachment = db.session.scalar(select(m.Attachment).where(
        m.Attachment.id == access.parse_id(attachment_id), column == owner_id))
    if attachment is None:
        raise access.NotFound()
    return attachment


class AttachmentView(BaseView):
    """The attachments of one kind of owner, under the owner table's permissions."""

    kind = ""
    default_view = "upload"
    # the owner table's four permissions, as its CRUD view has them (FAB would otherwise
    # try to drop can_add and can_delete from the table when it syncs this view)
    base_permissions = ["can_read", "can_add", "can_edit", "can_delete"]
    method_permission_name = {"upload": "edit", "download": "read", "remove": "edit"}

    def create_blueprint(self, appbuilder, endpoint=None, static_folder=None):
        """FAB's blueprint, also giving templates `attachment_panel(kind, pk)`."""
        blueprint = super().create_blueprint(appbuilder, endpoint, static_folder)
        blueprint.add_app_template_global(attachment_panel)
        return blueprint

    @expose("/<int:owner_id>/upload", methods=["POST"])
    @has_access
    def upload(self, owner_id: int):
        load_owner(self.kind, owner_id)
        sent = chosen_file("file")
        try:
            upload = files.read_upload(sent.stream if sent else None,
                                       sent.filename if sent else None)
            files.save(self.kind, owner_id, upload, current_user_id())
        except DomainError as error:
            db.session.rollback()
            return self._refused(owner_id, error)
        flash(_("附件“%(name)s”已上传。", name=upload.filename), "success")
        return redirect(self._back(owner_id))

    @expose("/<int:owner_id>/<int:attachment_id>")
    @has_access
    def download(self, owner_id: int, attachment_id: int):
        attachment = load_attachment(self.kind, owner_id, attachment_id)
        path = files.stored_path(attachment)
        if not path.is_file():
            logger.error("attachment %s: its file %s is missing", attachment.id, path.name)
            abort(404)
        response = send_file(path, mimetype=attachment.content_type, max_age=0,
                             as_attachment=not files.is_image(attachment),
                             download_name=attachment.filename, etag=attachment.sha256)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response.headers["Cache-Control"] = "private, no-cache"
        return response

    @expose("/<int:owner_id>/<int:attachment_id>/delete", methods=["POST"])
    @has_access
    def remove(self, owner_id: int, attachment_id: int):
        attachment = load_attachment(self.kind, owner_id, attachment_id)
        name = attachment.filename
        files.delete(attachment)
        flash(_("附件“%(name)s”已删除。", name=name), "success")
        return redirect(self._back(owner_id))

    def _back(self, owner_id: int) -> str:
        return url_for(SHOW_ENDPOINT[self.kind], pk=owner_id)

    def _refused(self, owner_id: int, error: DomainError) -> tuple[str, int]:
        page = self.render_template("attachments/refused.html", message=error.message,
                                    back=self._back(owner_id), title=_("附件未上传"))
        return page, error.status


class FeedbackAttachmentView(AttachmentView):
    """形象进度 photos and documents of a feedback (the Feedback permissions)."""

    route_base = "/attachments/feedback"
    class_permission_name = "Feedback"
    kind = "feedback"


class ProblemAttachmentView(AttachmentView):
    """Documents of a problem (the Problem permissions)."""

    route_base = "/attachments/problem"
    class_permission_name = "Problem"
    kind = "problem"


VIEWS = {"feedback": "FeedbackAttachmentView", "problem": "ProblemAttachmentView"}
RESOURCES = {"feedback": "Feedback", "problem": "Problem"}


def attachment_panel(kind: str, pk: int | str) -> dict | None:
    """What a show page lists of its row's attachments, and whether the user may add."""
    try:
        owner_id = int(pk)
    except (TypeError, ValueError):
        return None
    sm = appbuilder().sm
    view = VIEWS[kind]
    rows = files.attachments_of(kind, owner_id)
    items = [{"row": row, "image": files.is_image(row),
              "url": url_for(f"{view}.download", owner_id=owner_id, attachment_id=row.id),
              "delete_url": url_for(f"{view}.remove", owner_id=owner_id, attachment_id=row.id)}
             for row in rows]
    return {"items": items, "can_edit": sm.has_access("can_edit", RESOURCES[kind]),
            "upload_url": url_for(f"{view}.upload", owner_id=owner_id),
            "accept": files.ACCEPT,
            "limit": files.megabytes(current_app.config["ATTACHMENT_MAX_BYTES"])}


ATTACHMENT_VIEWS = [FeedbackAttachmentView, ProblemAttachmentView]
