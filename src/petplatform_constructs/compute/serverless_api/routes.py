"""Routes as data: what :class:`~petplatform_constructs.ServerlessApi` serves.

Everything here is checked before a single construct is created, so a typo in a path or a
duplicated route fails ``cdk synth`` with a message that names the route, not a CloudFormation
error twenty minutes into a deployment. Every problem is recorded, not only the first.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.props import check_fields
from petplatform_constructs.core.rules import check_header_names

__all__ = [
    "BODYLESS_METHODS",
    "JSON_SCHEMA_DRAFT4",
    "METHODS",
    "Authorization",
    "RouteSpec",
    "check_routes",
    "model_name",
    "path_segments",
    "request_schema",
]

Authorization = Literal["cognito", "none"]
"""``"cognito"``: the API's authorizer must accept the caller's token; ``"none"``: public."""

METHODS: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
"""Methods a route may use. OPTIONS is the CORS preflight, which the API generates itself."""
BODYLESS_METHODS = frozenset({"GET", "DELETE", "HEAD"})
"""Methods whose requests carry no body, so a request model on them is a mistake."""
JSON_SCHEMA_DRAFT4 = "http://json-schema.org/draft-04/schema#"
"""The only JSON Schema version API Gateway models support."""

_LITERAL = re.compile(r"[A-Za-z0-9._~-]+")
_VARIABLE = re.compile(r"\{([A-Za-z0-9._-]+)(\+?)\}")
_MODEL_NAME = re.compile(r"[A-Za-z0-9]{1,128}")
_GROUP_NAME = re.compile(r"[\w.+=,@-]{1,128}")


@dataclass(frozen=True)
class RouteSpec:
    """One route: a method and path served by one of the API's functions.

    Args:
        method: ``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE`` or ``HEAD`` (case-insensitive).
        path: ``/dogs/{id}``: starts with ``/``; literal segments use letters, digits and
            ``._~-``; ``{name}`` segments are path variables, and a last ``{name+}`` matches the
            rest of the path.
        function: name of the :class:`~petplatform_constructs.FunctionSpec`
            that handles the route.
        request_model: JSON schema (draft 4) the request body must match (REST APIs only; the
            API answers 400 before the function runs). Its ``title`` names the API Gateway
            model (letters and digits, e.g. ``"Dog"``); routes may share a model by title.
            Default: no body validation.
        authorization: ``"cognito"`` (default): only callers with a token the API's authorizer
            accepts; ``"none"``: a public route such as a health check.
        required_group: Cognito group the caller must belong to, e.g. ``"admin"``. Enforced in
            the handler (API Gateway authorizers cannot check groups): the function receives it
            in ``ROUTE_GROUPS``, which ``require_route_group`` of ``petplatform_runtime.auth``
            (the runtime layer) reads. Default: none.
        required_headers: request headers the caller must send, e.g. ``("Idempotency-Key",)``
            (REST only: the API answers 400 before the function runs). Default: none.
    """

    method: str
    path: str
    function: str
    request_model: Mapping[str, object] | None = field(default=None, hash=False, compare=False)
    authorization: Authorization = "cognito"
    required_group: str | None = None
    required_headers: Sequence[str] = ()

    @property
    def key(self) -> str:
        """``"GET /dogs/{id}"``, the route key of HTTP APIs and of the runtime helpers."""
        return f"{self.method.upper()} {self.path}"


def path_segments(path: str) -> list[str]:
    """The segments of a valid path: ``"/dogs/{id}"`` gives ``["dogs", "{id}"]``."""
    return [segment for segment in path.split("/") if segment]


def model_name(route: RouteSpec) -> str:
    """The model name of ``route``'s request model: its ``title``, or one derived from the route."""
    schema = route.request_model or {}
    title = schema.get("title")
    if isinstance(title, str):
        return title
    words = [route.method.capitalize()]
    for segment in path_segments(route.path):
        words.extend(w.capitalize() for w in re.split(r"[^A-Za-z0-9]+", segment) if w)
    return "".join(words) + "Request"


def request_schema(route: RouteSpec) -> dict[str, object]:
    """The model's schema as API Gateway stores it: a copy with ``$schema`` set to draft 4."""
    schema = copy.deepcopy(dict(route.request_model or {}))
    schema.setdefault("$schema", JSON_SCHEMA_DRAFT4)
    return schema


def check_routes(
    problems: Problems,
    routes: Sequence[RouteSpec],
    function_names: Iterable[str] | None,
    *,
    rest: bool,
    has_authorizer: bool,
) -> list[RouteSpec]:
    """Record every way in which the API could not serve ``routes`` as declared.

    ``function_names`` is ``None`` when the functions themselves were refused: then no route is
    reported for naming an unknown function.

    Returns:
        The routes whose fields have the right types (the others were reported).
    """
    known = None if function_names is None else set(function_names)
    checked: list[RouteSpec] = []
    seen: set[str] = set()
    variables: dict[tuple[str, ...], str] = {}
    models: dict[str, str] = {}
    for index, route in enumerate(routes):
        if check_fields(problems, f"routes[{index}]", route):
            continue
        checked.append(route)
        label = f"routes[{route.key}]"
        path_ok = _check_path(problems, route, label)
        if _check_method(problems, route, label) and path_ok:
            problems.check(
                route.key not in seen,
                "routes",
                route.key,
                "duplicate route: each method and path pair is served by exactly one function",
            )
            seen.add(route.key)
            _check_sibling_variables(problems, route, variables)
        problems.check(
            known is None or route.function in known,
            f"{label}.function",
            route.function,
            f"the name of one of the API's functions: {sorted(known or ())}",
        )
        _check_authorization(problems, route, label, has_authorizer)
        if route.request_model is not None:
            _check_model(problems, route, label, rest, models)
        _check_headers(problems, route, label, rest)
    return checked


def _check_headers(problems: Problems, route: RouteSpec, label: str, rest: bool) -> None:
    prop = f"{label}.required_headers"
    headers = route.required_headers
    if headers:
        problems.check(
            rest,
            prop,
            list(headers),
            "HTTP APIs have no request validation: check headers in the handler",
        )
    check_header_names(problems, prop, headers)


def _check_method(problems: Problems, route: RouteSpec, label: str) -> bool:
    method = route.method.upper()
    if method == "OPTIONS":
        problems.add(
            f"{label}.method",
            route.method,
            "OPTIONS is the CORS preflight: the API answers it from cors_origins",
        )
        return False
    return problems.check(
        method in METHODS, f"{label}.method", route.method, f"one of {list(METHODS)}"
    )


_PATH_RULE = (
    "a path starting with '/', without a trailing '/' or empty segments; literal segments use "
    "letters, digits and ._~- ; {name} segments are variables, and only the last may be "
    "greedy ({name+})"
)


def _check_path(problems: Problems, route: RouteSpec, label: str) -> bool:
    """Record a malformed path; return whether the path is well formed."""
    path = route.path
    prop = f"{label}.path"
    if path == "/":
        return True
    segments = path_segments(path)
    well_formed = path.startswith("/") and not path.endswith("/") and "//" not in path
    names: list[str] = []
    for index, segment in enumerate(segments):
        variable = _VARIABLE.fullmatch(segment)
        if variable is None:
            well_formed = well_formed and bool(_LITERAL.fullmatch(segment))
            continue
        name, greedy = variable.groups()
        well_formed = well_formed and (not greedy or index == len(segments) - 1)
        names.append(name)
    if not problems.check(well_formed, prop, path, _PATH_RULE):
        return False
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.add(
            prop, path, f"path variable {{{name}}} appears twice; each variable name is used once"
        )
    return len(names) == len(set(names))


def _check_sibling_variables(
    problems: Problems, route: RouteSpec, variables: dict[tuple[str, ...], str]
) -> None:
    """API Gateway allows one variable name per position: /dogs/{id} and /dogs/{dogId} clash."""
    segments = path_segments(route.path)
    for index, segment in enumerate(segments):
        if not segment.startswith("{"):
            continue
        parent = tuple(segments[:index])
        earlier = variables.setdefault(parent, segment)
        problems.check(
            earlier == segment,
            f"routes[{route.key}].path",
            route.path,
            f"another route uses {earlier} at /{'/'.join(parent)}; API Gateway allows one "
            "variable name per position, so use the same name in every route",
        )


def _check_authorization(
    problems: Problems, route: RouteSpec, label: str, has_authorizer: bool
) -> None:
    if route.authorization == "cognito":
        problems.check(
            has_authorizer,
            f"{label}.authorization",
            route.authorization,
            "cognito authorization needs a user pool: pass user_pool= (REST and HTTP) or "
            "jwt_issuer= (HTTP), or make the route public with authorization='none'",
        )
    if route.required_group is not None:
        problems.check(
            route.authorization == "cognito",
            f"{label}.required_group",
            route.required_group,
            "a group can only be checked on an authenticated route (authorization='cognito')",
        )
        problems.check(
            bool(_GROUP_NAME.fullmatch(route.required_group)),
            f"{label}.required_group",
            route.required_group,
            "a Cognito group name: 1-128 letters, digits and _.+=,@-",
        )


def _check_model(
    problems: Problems, route: RouteSpec, label: str, rest: bool, models: dict[str, str]
) -> None:
    prop = f"{label}.request_model"
    name = model_name(route)
    problems.check(
        rest,
        prop,
        name,
        "HTTP APIs have no request validation: validate the body in the handler, or use "
        "ApiKind.REST",
    )
    problems.check(
        route.method.upper() not in BODYLESS_METHODS,
        prop,
        name,
        f"{route.method.upper()} requests have no body to validate; request models go on "
        "POST, PUT or PATCH routes",
    )
    problems.check(
        bool(_MODEL_NAME.fullmatch(name)),
        f"{prop}.title",
        name,
        "API Gateway model names are 1-128 letters and digits",
    )
    declared = (route.request_model or {}).get("$schema", JSON_SCHEMA_DRAFT4)
    problems.check(
        declared == JSON_SCHEMA_DRAFT4,
        f"{prop}.$schema",
        declared,
        f"API Gateway models support JSON Schema draft 4 only ({JSON_SCHEMA_DRAFT4})",
    )
    try:
        canonical = json.dumps(request_schema(route), sort_keys=True)
    except (TypeError, ValueError):
        problems.add(
            prop, name, "a JSON-serializable schema (dicts, lists, str, numbers, booleans, None)"
        )
        return
    earlier = models.setdefault(name, canonical)
    problems.check(
        earlier == canonical,
        f"{prop}.title",
        name,
        "another route declares a different schema with this title; give each schema its own "
        "title, or share the same schema",
    )
