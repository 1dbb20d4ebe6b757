"""Building blocks of :class:`~petplatform_constructs.serverless_api.ServerlessApi`.

* :mod:`.functions`: :class:`FunctionSpec` and :class:`ApiFunction`, a Lambda function with its
  own log group, role and least-privilege grants;
* :mod:`.routes`: :class:`RouteSpec` and the checks that run before anything is built;
* :mod:`.waf`: :class:`WafRules` and the regional web ACL that rate-limits per IP and per user.
"""

from .functions import ApiFunction, FunctionSpec, TableAccess
from .routes import RouteSpec
from .waf import RateLimitWebAcl, WafRules

__all__ = ["ApiFunction", "FunctionSpec", "RateLimitWebAcl", "RouteSpec", "TableAccess", "WafRules"]
