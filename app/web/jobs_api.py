"""/api/v1/jobs: queue a job (POST /api/v1/jobs/<job>) and read how a run went
(GET /api/v1/jobs/<id>), JWT-protected on the JobRun resource: add to queue, read to look.
"""

from __future__ import annotations

from apispec import APISpec
from flask import request, url_for
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.decorators import permission_name, protect
from flask_babel import gettext as _

from app import jobs
from app import models as m
from app.domain import choices
from app.domain.access import id_or_none
from app.domain.validation import DomainError
from app.extensions import db
from app.web.job_runs import argument_message, current_user_id, request_run
from app.web.times import iso_time


def run_state(run: m.JobRun) -> dict:
    """A run as the REST API answers it."""
    return {"id": run.id, "job": run.job, "args": run.args, "status": run.status,
            "queued_at": iso_time(run.queued_at), "started_at": iso_time(run.started_at),
            "finished_at": iso_time(run.finished_at), "duration": run.duration,
            "counts": run.counts, "error": run.error}


def body_argument(job: str, body: dict) -> object:
    """The job's date from a JSON body: "as_of" for a daily job, "period" for a monthly."""
    kind = jobs.JOBS[job][1]
    other = "as_of" if kind == "period" else "period"
    if kind not in body and other in body:
        raise DomainError(argument_message(job))
    return body.get(kind)


class JobApi(BaseApi):
    """/api/v1/jobs: queue a job, and read how a run went."""

    resource_name = "jobs"
    class_permission_name = "JobRun"
    method_permission_name = {"post": "add", "get": "read"}
    openapi_spec_tag = "Jobs"

    @expose("/<job>", methods=["POST"])
    @protect()
    @permission_name("post")
    def post(self, job: str):
        """Queue a job (embedded: run it now).
        ---
        post:
          summary: Queue a job; answers its run
          parameters:
          - in: path
            name: job
            required: true
            schema:
              type: string
              enum: [refresh_status, send_reminders, escalate, build_compliance, build_circular]
          requestBody:
            required: false
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    as_of:
                      type: string
                      format: date
                      description: YYYY-MM-DD, for refresh_status, send_reminders and escalate
                    period:
                      type: string
                      description: YYYY-MM, for build_compliance and build_circular
          responses:
            202:
              description: The run, queued (or finished, without Redis)
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/JobRunState'
            400:
              $ref: '#/components/responses/400'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            422:
              $ref: '#/components/responses/422'
            503:
              description: The job queue (Redis) is unavailable; the run is recorded failed
        """
        body = request.get_json(silent=True)
        if (body is None and request.get_data()) or not isinstance(body or {}, dict):
            return self.response_400(message=_("请求体应为 JSON 对象。"))
        try:
            if job not in jobs.JOBS:
                raise DomainError(_("没有名为“%(job)s”的任务。", job=job), 404)
            run = request_run(job, body_argument(job, body or {}), current_user_id())
        except DomainError as error:
            db.session.rollback()
            message = _("任务队列暂不可用") if error.status == 503 else error.message
            return self.response(error.status, message=message)
        response = self.response(202, **run_state(run))
        response.headers["Location"] = url_for(".get", pk=run.id)
        return response

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @permission_name("get")
    def get(self, pk: int):
        """How a run went.
        ---
        get:
          summary: A job run's state, times, counts and error
          parameters:
          - in: path
            name: pk
            required: true
            schema:
              type: integer
          responses:
            200:
              description: The run
              content:
                application/json:
                  schema:
                    $ref: '#/components/schemas/JobRunState'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
        """
        run = db.session.get(m.JobRun, pk) if id_or_none(pk) else None
        if run is None:
            return self.response(404, message=_("没有这条任务运行记录。"))
        return self.response(200, **run_state(run))

    def add_apispec_components(self, api_spec: APISpec) -> None:
        super().add_apispec_components(api_spec)
        if "JobRunState" not in api_spec.components.schemas:
            api_spec.components.schema("JobRunState", RUN_STATE_SCHEMA)


NULLABLE_TIME = {"type": "string", "format": "date-time", "nullable": True}
RUN_STATE_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "job": {"type": "string"},
        "args": {"type": "object", "description": "{\"as_of\": \"YYYY-MM-DD\"} or "
                 "{\"period\": \"YYYY-MM-01\"}"},
        "status": {"type": "string", "enum": list(choices.JOB_STATUS)},
        "queued_at": NULLABLE_TIME, "started_at": NULLABLE_TIME, "finished_at": NULLABLE_TIME,
        "duration": {"type": "number", "nullable": True, "description": "seconds"},
        "counts": {"type": "object", "nullable": True},
        "error": {"type": "string", "nullable": True},
    },
}
