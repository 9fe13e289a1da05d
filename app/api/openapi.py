"""The OpenAPI 3 document, generated from the routes and the same pydantic schemas that
validate requests, and a docs page (Swagger UI, served from the installed package)."""

import re
from importlib import resources

from flask import Blueprint, current_app, render_template_string, send_from_directory, url_for

from app.api.responses import declared_statuses

bp = Blueprint("openapi", __name__)

_ERROR = {"$ref": "#/components/schemas/Error"}
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "details": {"type": "object"}},
    }},
}


def _operation(view, schemas):
    doc = (view.__doc__ or "").strip()
    responses = {str(status): {"description": "Success: `{\"data\": …}`" if status < 300
                               else "Unavailable: the error envelope"}
                 for status in declared_statuses(view)}
    responses["4XX"] = {"description": "Error",
                        "content": {"application/json": {"schema": _ERROR}}}
    operation = {"summary": doc.split("\n")[0], "responses": responses}
    body_schema = getattr(view, "body_schema", None)
    if body_schema is not None:
        operation["requestBody"] = {
            "required": bool(body_schema.model_json_schema().get("required")),
            "content": {"application/json": {"schema": _component(body_schema, schemas)}}}
    files = getattr(view, "multipart_fields", None)
    if files:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {
            "schema": {"type": "object", "required": list(files),
                       "properties": {name: {"type": "string", "format": fmt}
                                      for name, fmt in files.items()}}}}}
    query_schema = getattr(view, "query_schema", None)
    if query_schema is not None:
        generated = query_schema.model_json_schema()
        required = set(generated.get("required", ()))
        operation["parameters"] = [
            {"name": name, "in": "query", "required": name in required, "schema": prop}
            for name, prop in generated["properties"].items()
        ]
    if getattr(view, "auth_required", False):
        operation["security"] = [{"bearer": []}]
    return operation


def _path_parameters(rule):
    """The rule's variables, each with the pattern its converter matches (an id's prefix)."""
    parameters = []
    for name in re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule.rule):
        schema = {"type": "string"}
        converter = rule._converters.get(name)  # werkzeug keeps them by variable name
        if converter is not None and converter.regex != "[^/]+":
            schema["pattern"] = f"^{converter.regex}$"
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _component(schema, schemas):
    generated = schema.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in generated.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[schema.__name__] = generated
    return {"$ref": f"#/components/schemas/{schema.__name__}"}


def build_document(app):
    schemas = {"Error": _ERROR_SCHEMA}
    paths = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/") or rule.endpoint.startswith("api.openapi."):
            continue
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = _operation(view, schemas)
            params = _path_parameters(rule)
            if params:
                operation.setdefault("parameters", [])[:0] = params
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Bank API", "version": "1.0.0",
                 "description": "Success bodies are `{\"data\": …}`; errors are `{\"error\": "
                                "{code, message, details}}`. Times are ISO 8601 UTC with Z."},
        "servers": [{"url": app.config["PUBLIC_BASE_URL"]}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


@bp.get("/openapi.json")
def openapi_json():
    document = current_app.extensions.get("openapi")
    if document is None:
        document = current_app.extensions["openapi"] = build_document(current_app)
    return current_app.json.response(document)


_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bank API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{{ url_for('.swagger_asset', filename='swagger-ui.css') }}">
<link rel="stylesheet" href="{{ url_for('static', filename='css/api-docs.css') }}">
</head><body><div id="swagger-ui" data-spec="{{ url_for('.openapi_json') }}"></div>
<script src="{{ url_for('.swagger_asset', filename='swagger-ui-bundle.js') }}"></script>
<script src="{{ url_for('static', filename='js/api-docs.js') }}"></script>
</body></html>"""


@bp.get("/docs")
def docs():
    return render_template_string(_DOCS_PAGE, url_for=url_for)


# Swagger UI 5 (it reads OpenAPI 3.1, which the 4.x of swagger-ui-bundle could not), from
# the swagger-ui-py wheel: only its static files are used.
SWAGGER_UI = resources.files("swagger_ui") / "static"


@bp.get("/docs/assets/<path:filename>")
def swagger_asset(filename):
    return send_from_directory(str(SWAGGER_UI), filename, max_age=86400)
