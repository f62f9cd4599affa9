"""The OpenAPI document at /api/v1/_openapi, true to what the API answers (issue 14).

FAB's document is rewritten at one place each: this view names the API (a client generator
makes `keyledger-api-client` of "KeyLedger API") and states the answers every refusal
shares; `operation()` (called by ScopedApi for each resource's operations) documents every
status an operation answers, `q` as a string argument in rison or JSON, and an operationId;
the fields themselves (money, timestamps, nullable relations) are in api_fields/api_schema.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.api import manager as fab

from app.domain.access import ID_LIMIT
from app.extensions import appbuilder
from app.web.api_fields import Money

TITLE = "KeyLedger API"
DESCRIPTION = (
    "重点项目台账与督办系统的 REST 接口（/api/v1）。先以 POST /api/v1/security/login 取得 "
    "access_token，再以 Authorization: Bearer <token> 访问。金额为两位小数的十进制字符串"
    "（万元），时间为北京时间并带 +08:00 偏移，日期为 YYYY-MM-DD。拒绝时答 JSON "
    '{"message": …}：400 请求格式错误，401 未登录，403 无此权限，404 记录不存在或不在本单位'
    "范围内，409 记录已被他人修改或已有同类操作，422 数据未通过校验（message 为字段到"
    "中文说明的对象）。")
MESSAGE = {"type": "object", "properties": {
    "message": {"oneOf": [{"type": "string"}, {"type": "object", "additionalProperties": True}],
                "description": "中文说明；422 时为字段到说明列表的对象"},
    "msg": {"type": "string", "description": "令牌错误时的说明（flask-jwt-extended）"}}}
REFUSALS = {
    "400": "请求格式错误（如 q 参数不是有效的 rison/JSON）",
    "401": "未登录或令牌无效",
    "403": "当前角色无此权限",
    "404": "记录不存在或不在本单位范围内",
    "409": "记录已被他人修改（version 不符），或同类操作已在进行",
    "422": "数据未通过校验",
    "500": "服务器内部错误",
}
# what each of ModelRestApi's operations answers besides its success
ANSWERS = {
    "get_list": ("400", "401", "403", "422"),
    "info": ("400", "401", "403"),
    "get": ("400", "401", "403", "404", "422"),
    "post": ("400", "401", "403", "404", "409", "422"),
    "put": ("400", "401", "403", "404", "409", "422"),
    "delete": ("401", "403", "404", "409", "422"),
}
FIELD_INFO = {"type": "object", "properties": {
    "name": {"type": "string"}, "label": {"type": "string"}, "description": {"type": "string"},
    "type": {"type": "string"}, "required": {"type": "boolean"}, "unique": {"type": "boolean"},
    "count": {"type": "integer", "description": "可选的关联记录数"},
    "values": {"type": "array", "items": {"type": "object"}, "description": "可选的关联记录"}}}
VERBS = {"get_list": "list", "info": "info", "get": "get", "post": "create", "put": "update",
         "delete": "delete"}
Q_DESCRIPTION = (
    "查询参数，rison 或 JSON 编码的对象，结构见 components/schemas/{schema}。"
    "例（rison）：(filters:!((col:title,opr:ct,value:道路)),page:0,page_size:25)；"
    '例（JSON）：{{"filters":[{{"col":"title","opr":"ct","value":"道路"}}],"page":0}}。'
    "opr 取值见 _info 的 filters。")


def package_version() -> str:
    try:
        return version("keyledger")
    except PackageNotFoundError:  # a checkout run without installing it
        return "0.0.0"


def refusals() -> dict[str, dict[str, Any]]:
    """The shared answers: every refusal is {"message": …}, a text or, on 422, an object."""
    schema = {"$ref": "#/components/schemas/Refusal"}
    return {code: {"description": text, "content": {"application/json": {"schema": schema}}}
            for code, text in REFUSALS.items()}


def _q_parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    """FAB's `q` (content: application/json), which generated clients drop, as a string."""
    if parameter.get("name") != "q" or "content" not in parameter:
        return parameter
    ref = parameter["content"]["application/json"]["schema"]["$ref"]
    return {"in": "query", "name": "q", "required": False, "schema": {"type": "string"},
            "description": Q_DESCRIPTION.format(schema=ref.rsplit("/", 1)[1])}


def nullable_reference(converter: Any, field: Any, ret: dict[str, Any],
                       **kwargs: Any) -> dict[str, Any]:
    """A nullable relation as OpenAPI 3.0 writes it, {"allOf": [ref], "nullable": true}:
    apispec's anyOf of the reference and an empty object makes generated clients invent a
    model for the empty one."""
    options = ret.get("anyOf")
    if (isinstance(options, list) and len(options) == 2
            and {"type": "object", "nullable": True} in options):
        (ref,) = [o for o in options if "$ref" in o]
        del ret["anyOf"]
        ret.update({"allOf": [ref], "nullable": True})
    return {}


def operation(resource: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """One of ModelRestApi's operations (name: get_list, get, post…) as it answers."""
    responses = {str(code): answer for code, answer in spec.get("responses", {}).items()}
    spec["responses"] = responses  # FAB's YAML keys are ints: 200
    for code in (*ANSWERS.get(name, ()), "500"):
        responses.setdefault(code, {"$ref": f"#/components/responses/{code}"})
    for code in ("200", "201"):
        body = responses.get(code, {}).get("content", {}).get("application/json", {})
        properties = body.get("schema", {}).get("properties", {})
        if "id" in properties:
            properties["id"] = {"type": "integer"}
        if "ids" in properties:
            properties["ids"]["items"] = {"type": "integer"}
        if "count" in properties:
            properties["count"]["type"] = "integer"
        for key in ("add_columns", "edit_columns"):  # _info: a list of field descriptions
            if key in properties:
                properties[key] = {"type": "array", "items": FIELD_INFO}
    spec["parameters"] = [_q_parameter(p) for p in spec.get("parameters", [])]
    if name in VERBS:
        spec["operationId"] = f"{VERBS[name]}_{resource}"
    return spec


def _every_operation(document: dict[str, Any]) -> None:
    """What holds for every operation, FAB's own APIs' too: a route of ids takes positive
    integers of a row id (<int:pk>, int4), a protected one answers 401 and 403."""
    for path, item in document.get("paths", {}).items():
        for spec in item.values():
            for parameter in spec.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("name") == "pk":
                    parameter["schema"] = {"type": "integer", "minimum": 1,
                                           "maximum": ID_LIMIT}
            responses = spec.setdefault("responses", {})
            codes: tuple[str, ...] = ("401", "403") if spec.get("security") else ()
            if path.endswith("/security/refresh"):  # an access token where a refresh one goes
                codes = ("422",)
            for code in codes:
                responses.setdefault(code, {"$ref": f"#/components/responses/{code}"})
    menu = document.get("paths", {}).get("/api/v1/menu/", {}).get("get", {})
    body = menu.get("responses", {}).get("200", {}).get("content", {}).get("application/json")
    if body:  # a separator between entries is the string "-"
        entry = body["schema"]["properties"]["result"]["items"]["properties"]["childs"]
        entry["items"] = {"oneOf": [{"type": "object"}, {"type": "string", "enum": ["-"]}]}


class OpenApi(fab.OpenApi):
    """FAB's /api/<version>/_openapi, named and with the answers every refusal shares.
    (The class keeps FAB's name: its permission and endpoint are OpenApi's.)"""

    @expose("/<version>/_openapi")
    @protect()
    @safe
    def get(self, version):
        """The OpenAPI document of one version of the API
        ---
        get:
          description: The OpenAPI document of /api/{version}
          parameters:
          - in: path
            schema:
              type: string
            name: version
          responses:
            200:
              description: The OpenAPI document
              content:
                application/json:
                  schema:
                    type: object
            401:
              $ref: '#/components/responses/401'
            404:
              $ref: '#/components/responses/404'
        """
        spec = self._create_api_spec(version)
        apis = [api for api in appbuilder().baseviews
                if isinstance(api, fab.BaseApi) and api.version == version]
        if not apis:
            return self.response_404()
        for api in apis:
            api.add_api_spec(spec)
        document = spec.to_dict()
        _every_operation(document)
        return self.response(200, **document)

    @staticmethod
    def _create_api_spec(version: str) -> APISpec:
        plugin = MarshmallowPlugin(schema_name_resolver=fab.resolver)
        spec = APISpec(
            title=TITLE, version=package_version(), openapi_version="3.0.3",
            info={"description": DESCRIPTION},
            plugins=[plugin],
            servers=current_app.config.get("FAB_OPENAPI_SERVERS",
                                           [{"url": request.host_url}]))
        plugin.map_to_openapi_type(Money, "string", "decimal")
        assert plugin.converter is not None  # made by APISpec's init_spec above
        plugin.converter.add_attribute_function(nullable_reference)
        spec.components.schema("Refusal", MESSAGE)
        for code, answer in refusals().items():  # before FAB's: the first one stays
            spec.components.response(code, answer)
        return spec
