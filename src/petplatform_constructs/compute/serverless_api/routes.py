"""Routes as data: what :class:`~petplatform_constructs.ServerlessApi` serves.

Everything here is checked before a single construct is created, so a typo in a path or a
duplicated route fails ``cdk synth`` with a message that names the route, not a CloudFormation
error twenty minutes into a deployment.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from petplatform_constructs.core.errors import PropError, require

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
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")


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
            in ``ROUTE_GROUPS``, which
            :func:`petplatform_constructs.runtime.auth.require_route_group` reads.
            Default: none.
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
    owner: str,
    routes: Sequence[RouteSpec],
    function_names: Iterable[str],
    *,
    rest: bool,
    has_authorizer: bool,
) -> None:
    """Fail with a :class:`PropError` on the first route the API could not serve as declared."""
    require(not isinstance(routes, str), owner, "routes", routes, "a list of RouteSpec")
    require(bool(routes), owner, "routes", list(routes), "at least one RouteSpec")
    known = set(function_names)
    seen: set[tuple[str, str]] = set()
    variables: dict[tuple[str, ...], str] = {}
    models: dict[str, str] = {}
    for route in routes:
        label = f"routes[{route.key}]"
        _check_method(owner, route, label)
        _check_path(owner, route, label)
        require(
            (route.method.upper(), route.path) not in seen,
            owner,
            "routes",
            route.key,
            "duplicate route: each method and path pair is served by exactly one function",
        )
        seen.add((route.method.upper(), route.path))
        _check_sibling_variables(owner, route, variables)
        require(
            route.function in known,
            owner,
            f"{label}.function",
            route.function,
            f"the name of one of the API's functions: {sorted(known)}",
        )
        _check_authorization(owner, route, label, has_authorizer)
        if route.request_model is not None:
            _check_model(owner, route, label, rest, models)
        _check_headers(owner, route, label, rest)


def _check_headers(owner: str, route: RouteSpec, label: str, rest: bool) -> None:
    prop = f"{label}.required_headers"
    headers = route.required_headers
    require(not isinstance(headers, str), owner, prop, headers, "a list of header names")
    if headers:
        require(
            rest,
            owner,
            prop,
            list(headers),
            "HTTP APIs have no request validation: check headers in the handler",
        )
    for header in headers:
        require(
            bool(_HEADER_NAME.fullmatch(header)),
            owner,
            prop,
            header,
            "HTTP header names (letters, digits and !#$%&'*+.^_`|~-)",
        )


def _check_method(owner: str, route: RouteSpec, label: str) -> None:
    method = route.method.upper()
    if method == "OPTIONS":
        raise PropError(
            owner,
            f"{label}.method",
            route.method,
            "OPTIONS is the CORS preflight: the API answers it from cors_origins",
        )
    require(method in METHODS, owner, f"{label}.method", route.method, f"one of {list(METHODS)}")


def _check_path(owner: str, route: RouteSpec, label: str) -> None:
    path = route.path
    allowed = (
        "a path starting with '/', without a trailing '/' or empty segments; literal segments "
        "use letters, digits and ._~- ; {name} segments are variables, and only the last may "
        "be greedy ({name+})"
    )
    require(path.startswith("/"), owner, f"{label}.path", path, allowed)
    if path == "/":
        return
    require(not path.endswith("/") and "//" not in path, owner, f"{label}.path", path, allowed)
    segments = path_segments(path)
    names: set[str] = set()
    for index, segment in enumerate(segments):
        variable = _VARIABLE.fullmatch(segment)
        if variable is None:
            require(bool(_LITERAL.fullmatch(segment)), owner, f"{label}.path", path, allowed)
            continue
        name, greedy = variable.groups()
        require(not greedy or index == len(segments) - 1, owner, f"{label}.path", path, allowed)
        require(
            name not in names,
            owner,
            f"{label}.path",
            path,
            f"path variable {{{name}}} appears twice; each variable name is used once",
        )
        names.add(name)


def _check_sibling_variables(
    owner: str, route: RouteSpec, variables: dict[tuple[str, ...], str]
) -> None:
    """API Gateway allows one variable name per position: /dogs/{id} and /dogs/{dogId} clash."""
    segments = path_segments(route.path)
    for index, segment in enumerate(segments):
        if not segment.startswith("{"):
            continue
        parent = tuple(segments[:index])
        earlier = variables.setdefault(parent, segment)
        require(
            earlier == segment,
            owner,
            f"routes[{route.key}].path",
            route.path,
            f"another route uses {earlier} at /{'/'.join(parent)}; API Gateway allows one "
            "variable name per position, so use the same name in every route",
        )


def _check_authorization(owner: str, route: RouteSpec, label: str, has_authorizer: bool) -> None:
    require(
        route.authorization in ("cognito", "none"),
        owner,
        f"{label}.authorization",
        route.authorization,
        "'cognito' (token required) or 'none' (public)",
    )
    if route.authorization == "cognito":
        require(
            has_authorizer,
            owner,
            f"{label}.authorization",
            route.authorization,
            "cognito authorization needs a user pool: pass user_pool= (REST and HTTP) or "
            "jwt_issuer= (HTTP), or make the route public with authorization='none'",
        )
    if route.required_group is not None:
        require(
            route.authorization == "cognito",
            owner,
            f"{label}.required_group",
            route.required_group,
            "a group can only be checked on an authenticated route (authorization='cognito')",
        )
        require(
            bool(_GROUP_NAME.fullmatch(route.required_group)),
            owner,
            f"{label}.required_group",
            route.required_group,
            "a Cognito group name: 1-128 letters, digits and _.+=,@-",
        )


def _check_model(
    owner: str, route: RouteSpec, label: str, rest: bool, models: dict[str, str]
) -> None:
    prop = f"{label}.request_model"
    require(
        rest,
        owner,
        prop,
        model_name(route),
        "HTTP APIs have no request validation: validate the body in the "
        "handler, or use ApiKind.REST",
    )
    require(
        route.method.upper() not in BODYLESS_METHODS,
        owner,
        prop,
        model_name(route),
        f"{route.method.upper()} requests have no body to validate; request models go on "
        "POST, PUT or PATCH routes",
    )
    name = model_name(route)
    require(
        bool(_MODEL_NAME.fullmatch(name)),
        owner,
        f"{prop}.title",
        name,
        "API Gateway model names are 1-128 letters and digits",
    )
    schema = route.request_model or {}
    declared = schema.get("$schema", JSON_SCHEMA_DRAFT4)
    require(
        declared == JSON_SCHEMA_DRAFT4,
        owner,
        f"{prop}.$schema",
        declared,
        f"API Gateway models support JSON Schema draft 4 only ({JSON_SCHEMA_DRAFT4})",
    )
    try:
        canonical = json.dumps(request_schema(route), sort_keys=True)
    except (TypeError, ValueError):
        raise PropError(owner, prop, name, "a JSON-serializable schema (dicts, lists, str, "
                        "numbers, booleans, None)") from None  # fmt: skip
    earlier = models.setdefault(name, canonical)
    require(
        earlier == canonical,
        owner,
        f"{prop}.title",
        name,
        "another route declares a different schema with this title; give each schema its own "
        "title, or share the same schema",
    )
