"""Declared request schemas (pydantic): they validate input and generate the OpenAPI document.

Bodies are strict: unknown fields, wrong types and objects where a string belongs (the
`{"$gt": ""}` of an operator injection) are refused with 422 before any view code runs.
"""

from functools import wraps
from typing import Annotated

from flask import request
from flask_babel import lazy_gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.exceptions import BadRequest

from app.api.validation_messages import describe
from app.errors import AppError


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    # Query strings are text: let "2" become 2, but still refuse unknown parameters.
    model_config = ConfigDict(extra="forbid")


class Paging(Query):
    page: Annotated[int, Field(ge=1, le=100000)] = 1
    limit: Annotated[int, Field(ge=1, le=100)] = 20


def _invalid(error: ValidationError) -> AppError:
    """The 422 for a pydantic error: each field's path and error type for programs, and a
    message naming the field in the request's language for people."""
    fields = []
    for item in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in item["loc"]) or None
        fields.append({
            "field": field,
            "type": item["type"],
            "message": describe(item, field),
        })
    return AppError("validation_error", _("Some fields are not valid."), status=422,
                    details={"fields": fields})


MAX_DEPTH = 16  # our bodies nest three levels at most


def _depth(value):
    """How deeply `value` nests objects and arrays, looked at without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((child, depth + 1)
                             for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def read_json():
    """The request's JSON object; {} for an empty body. 415 for other types, 400 if malformed."""
    if not request.content_length and not request.data:
        return {}
    if not request.is_json:
        raise AppError("unsupported_media_type", _("Send the body as application/json."),
                       status=415)
    try:
        payload = request.get_json()
    except (BadRequest, RecursionError):  # 100,000 "[" overflow the parser's stack
        raise AppError("malformed_json", _("The request body is not valid JSON."),
                       status=400) from None
    if _depth(payload) > MAX_DEPTH:
        raise AppError("malformed_json", _("The request body is nested too deeply."),
                       status=400, details={"maxDepth": MAX_DEPTH})
    if not isinstance(payload, dict):
        raise AppError("validation_error", _("The request body must be a JSON object."),
                       status=422)
    return payload


def body(schema):
    """Validate the JSON body with `schema` and pass the model as the view's first argument."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                data = schema.model_validate(read_json())
            except ValidationError as error:
                raise _invalid(error) from None
            return view(data, *args, **kwargs)

        wrapper.body_schema = schema
        return wrapper
    return decorator


def query(schema):
    """Validate the query string with `schema` and pass the model as the view's first argument."""
    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            raw = {key: values[-1] for key, values in request.args.lists()}
            try:
                data = schema.model_validate(raw)
            except ValidationError as error:
                raise _invalid(error) from None
            return view(data, *args, **kwargs)

        wrapper.query_schema = schema
        return wrapper
    return decorator
