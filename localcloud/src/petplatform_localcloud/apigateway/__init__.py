"""A deployed API Gateway REST API stage, served over HTTP on 127.0.0.1 with local Lambdas.

moto records REST APIs but does not serve them, and runs Lambda code only in Docker.
:class:`LocalRestApi` reads the deployed API from the emulator's API Gateway backend (resources,
methods, authorizers, models, validators, gateway responses, stage: what ``GetResources``,
``GetAuthorizers``... answer, complete thanks to :mod:`petplatform_localcloud.moto_extensions`)
and serves one stage on a free loopback port, the way API Gateway handles a request:

1. Routing: ``/{stage}/{path}`` to the most specific resource (literal parts before ``{param}``
   before ``{proxy+}``) and its method (or ``ANY``); no match is 403 ``Missing Authentication
   Token``.
2. ``COGNITO_USER_POOLS`` authorizer: the token in the identity-source header (raw, or after
   ``Bearer``) is a JWT issued by the emulator's Cognito for a pool of the authorizer. Checked:
   the RS256 **signature** against the pool's JWKS (served by the emulator), ``iss`` (the pool),
   ``exp``, ``token_use`` (``id``; ``access`` with a matching ``scope`` when the method has
   authorization scopes) and the audience (``aud``/``client_id`` is an app client of the pool).
   Failures are 401 ``Unauthorized`` (``The incoming token has expired`` when expired). The
   verified claims reach the Lambda as ``requestContext.authorizer.claims``, all strings, with
   ``cognito:groups`` comma-separated, as the REST Cognito authorizer passes them.
3. Request validation (the method's request validator): required request parameters (headers,
   query strings, path) and the body against the method's model for the request's content type
   (draft-04 JSON schema, :mod:`petplatform_localcloud.json_schema`); failures are 400
   ``Missing required request parameters: [...]`` or ``Invalid request body``, before any
   integration runs.
4. Integration: ``AWS_PROXY`` to Lambda runs the function
   (:mod:`petplatform_localcloud.lambda_runtime`: Python in-process, Go and Node.js as
   processes) with a REST v1 proxy event and returns its
   proxy result (a handler error or a malformed result is 502 ``Internal server error``; a run
   longer than the integration timeout is 504 ``Endpoint request timed out`` once it ends);
   ``MOCK`` answers with the default integration response's status, static header mappings and
   JSON template, which serves CORS preflights.
5. Gateway responses (``DEFAULT_4XX``, ``UNAUTHORIZED``...) add their headers and templates to the
   gateway's own errors.

Not emulated: stage throttling and usage plans, WAF rules, API keys, IAM and Lambda (custom)
authorizers, caching, mapping templates of non-proxy integrations, HTTP integrations, binary
media types beyond passing non-UTF-8 bodies base64-encoded, and payload or timeout limits that
would interrupt a running handler.

HTTP APIs (API Gateway v2, payload 2.0, JWT authorizers) are served by :class:`LocalHttpApi`
(:mod:`.http_api`, :mod:`.http_messages`).

The pieces: :mod:`.definition` (the API as the backend describes it, and routing),
:mod:`.authorizer` (Cognito user-pool tokens), :mod:`.functions` (the Lambdas behind the
integrations), :mod:`.messages` (requests, responses, proxy events, the HTTP handler) and
:mod:`.local_api` (:class:`LocalRestApi`, the pipeline).
"""

from __future__ import annotations

from petplatform_localcloud.apigateway.authorizer import cognito_claims
from petplatform_localcloud.apigateway.definition import (
    DeployedApi,
    DeployedResource,
    GatewayError,
    Invocation,
)
from petplatform_localcloud.apigateway.http_api import LocalHttpApi
from petplatform_localcloud.apigateway.local_api import LocalRestApi

__all__ = [
    "DeployedApi",
    "DeployedResource",
    "GatewayError",
    "Invocation",
    "LocalHttpApi",
    "LocalRestApi",
    "cognito_claims",
]
