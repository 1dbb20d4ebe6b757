"""Phase 3-6 API services: the gateway (HTTP API, custom domain, JWT authorizer, CloudFront)
and the auth, users and accounts services that add their routes to it (002#54-60)."""

from __future__ import annotations

from typing import cast

from aws_cdk import Duration, Fn
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from petplatform_constructs import Cdn, FunctionSpec, RouteSpec, ServerlessApi, TableAccess

from .base import ServiceStack
from .config import DOMAIN, ListBackupConfig
from .core import HANDLERS, CoreStack
from .infrastructure import CertificatesStack, CognitoStack

CRITICAL = ("auth", "getUsers")  # sign-in and the first call after it (002#12)


def node_function(
    name: str, module: str, config: ListBackupConfig, **props: object
) -> FunctionSpec:
    """A Node.js 22 integration handler on arm64, 1 GB, 29 s at most (002#7-11, conflict 11)."""
    return FunctionSpec(
        name,
        HANDLERS / "node",
        handler=f"{module}/index.handler",
        runtime=lambda_.Runtime.NODEJS_22_X,
        architecture=lambda_.Architecture.ARM_64,
        memory_mb=1024,
        timeout=Duration.seconds(29),
        provisioned_concurrency=config.provisioned_concurrency if name in CRITICAL else None,
        reserved_concurrency=config.function_concurrency,
        exclude=["README.md"],
        **props,  # type: ignore[arg-type]
    )


def imported_table(scope: Construct, config: ListBackupConfig, name: str) -> dynamodb.ITableV2:
    """A table of the dynamodb service by its exports: the API services do not depend on it
    directly (002#83), they reach it through the gateway and core, like the seed's services."""
    key = kms.Key.from_key_arn(scope, f"{name}Key", Fn.import_value(config.export("DataKeyArn")))
    return dynamodb.TableV2.from_table_attributes(
        scope,
        f"{name}Table",
        table_arn=Fn.import_value(config.export(f"{name}TableArn")),
        encryption_key=key,
        grant_index_permissions=True,
    )


class GatewayStack(ServiceStack):
    """Depends on certificates and core (002#83)."""

    def __init__(
        self,
        scope: Construct,
        config: ListBackupConfig,
        *,
        certificates: CertificatesStack,
        core: CoreStack,
    ) -> None:
        super().__init__(scope, "api-gateway", config, description="API gateway and CDN",
                         cross_region_references=True)  # fmt: skip
        self.add_stack_dependency(core)  # the seed's edge: the API comes up after the core service
        prod = config.stage == "prod"
        zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=config.hosted_zone_id, zone_name=DOMAIN
        )
        # The regional certificate of the API's own domain (002#3, #54), in us-west-2.
        origin_certificate = acm.Certificate(
            self,
            "OriginCertificate",
            domain_name=config.origin_domain,
            validation=acm.CertificateValidation.from_dns(zone),
        )
        # The pool of the cognito service, by its exports: no edge in the seed's graph.
        pool = cognito.UserPool.from_user_pool_id(
            self, "Pool", Fn.import_value(config.export("UserPoolId"))
        )
        self.api = ServerlessApi(
            self,
            "Api",
            kind="HTTP",
            name="api",
            user_pool=pool,
            jwt_audience=[Fn.import_value(config.export("UserPoolClientId"))],
            functions=[node_function("health", "gateway", config)],
            routes=[
                RouteSpec("GET", "/health", "health", authorization="none"),
                RouteSpec("GET", "/public/status", "health", authorization="none"),
            ],
            cors_origins=[config.web_origin],
            cors_allow_methods=["POST", "PUT", "DELETE"],
            throttling_rate_limit=1000 if prod else 100,  # 002#56
            throttling_burst_limit=2000 if prod else 200,
            domain_name=config.origin_domain,
            certificate=origin_certificate,
            alias_name="live",
        )
        assert self.api.http_api is not None
        # api.listbackup.ai is CloudFront's alias; the HTTP API is its origin (conflict 13).
        self.cdn = Cdn(
            self,
            "Cdn",
            api_domain=Cdn.api_domain_of(self.api.http_api),
            custom_domain=config.api_domain,
            certificate=certificates.edge.certificate,
            web_acl_arn=certificates.edge.web_acl_arn,
            hosted_zone=zone,
            api_cached_paths=["/public/*"],  # HTTP APIs have no cache (002#58, conflict 12)
        )
        self.export("HttpApiId", self.api.api_id)
        self.export("HttpApiUrl", self.api.url)
        self.export("ApiDomainName", config.api_domain)


class RoutesStack(ServiceStack):
    """An API service: its functions and routes on the gateway's HTTP API."""

    def __init__(
        self, scope: Construct, service: str, config: ListBackupConfig, gateway: GatewayStack
    ) -> None:
        super().__init__(scope, f"api-{service}", config, description=f"{service} API")
        self.gateway = gateway

    def serve(self, functions: list[FunctionSpec], routes: list[RouteSpec]) -> ServerlessApi:
        self.api = ServerlessApi(
            self,
            "Api",
            existing_http_api=cast(apigatewayv2.IHttpApi, self.gateway.api.http_api),
            existing_authorizer=cast(
                apigatewayv2.IHttpRouteAuthorizer, self.gateway.api.http_authorizer
            ),
            functions=functions,
            routes=routes,
            alias_name="live",
        )
        for name, alias in self.api.aliases.items():
            self.export(f"{name[0].upper()}{name[1:]}FunctionArn", alias.function_arn)
        return self.api


class AuthStack(RoutesStack):
    """Sign-up and sign-in through Cognito (002#45, #91); depends on cognito and gateway."""

    def __init__(self, scope: Construct, config: ListBackupConfig, *, gateway: GatewayStack,
                 cognito_stack: CognitoStack) -> None:  # fmt: skip
        super().__init__(scope, "auth", config, gateway)
        pool = cognito_stack.auth
        users = imported_table(self, config, "Users")
        api = self.serve(
            [
                node_function(
                    "auth",
                    "auth",
                    config,
                    tables={"USERS_TABLE": users},
                    environment={
                        "USER_POOL_ID": pool.user_pool.user_pool_id,
                        "CLIENT_ID": pool.clients["api"].user_pool_client_id,
                        # Sign-ups in dev are confirmed at once, for tests and demos.
                        "AUTO_CONFIRM": "true" if config.stage == "dev" else "false",
                    },
                )
            ],
            [
                RouteSpec("POST", "/auth/register", "auth", authorization="none"),
                RouteSpec("POST", "/auth/login", "auth", authorization="none"),
                RouteSpec("POST", "/auth/refresh", "auth", authorization="none"),
            ],
        )
        actions = ["cognito-idp:AdminInitiateAuth", "cognito-idp:AdminGetUser"]
        if config.stage == "dev":
            actions.append("cognito-idp:AdminConfirmSignUp")
        pool.user_pool.grant(api.roles["auth"], *actions)


class UsersStack(RoutesStack):
    """The users service (the seed's own example function, getUsers); depends on gateway."""

    def __init__(
        self, scope: Construct, config: ListBackupConfig, *, gateway: GatewayStack
    ) -> None:
        super().__init__(scope, "users", config, gateway)
        users = imported_table(self, config, "Users")
        self.serve(
            [node_function("getUsers", "users", config, tables={"USERS_TABLE": users})],
            [
                RouteSpec("GET", "/users", "getUsers", required_group="admin"),
                RouteSpec("GET", "/users/me", "getUsers"),
                RouteSpec("PUT", "/users/me", "getUsers"),
            ],
        )


class AccountsStack(RoutesStack):
    """Accounts, their sources, and starting a sync (002#88, #90); depends on gateway."""

    def __init__(
        self, scope: Construct, config: ListBackupConfig, *, gateway: GatewayStack
    ) -> None:
        super().__init__(scope, "accounts", config, gateway)
        queue_key = kms.Key.from_key_arn(
            self, "QueueKey", Fn.import_value(config.export("QueueKeyArn"))
        )
        sync_queue = sqs.Queue.from_queue_attributes(
            self,
            "SyncQueue",
            queue_arn=Fn.import_value(config.export("SyncQueueArn")),
            queue_url=Fn.import_value(config.export("SyncQueueUrl")),
            fifo=True,
            key_arn=queue_key.key_arn,
        )
        tables = {
            f"{name.upper()}_TABLE": TableAccess.read_write(imported_table(self, config, name))
            for name in ("Accounts", "Sources", "Jobs")
        }
        tables["JOBS_TABLE"] = TableAccess.read(tables["JOBS_TABLE"].table)
        api = self.serve(
            [
                node_function(
                    "accounts",
                    "accounts",
                    config,
                    tables=tables,
                    environment={"SYNC_QUEUE_URL": sync_queue.queue_url},
                )
            ],
            [
                RouteSpec("GET", "/accounts", "accounts"),
                RouteSpec("POST", "/accounts", "accounts"),
                RouteSpec("GET", "/accounts/{accountId}", "accounts"),
                RouteSpec("GET", "/accounts/{accountId}/sources", "accounts"),
                RouteSpec("POST", "/accounts/{accountId}/sources", "accounts"),
                RouteSpec("POST", "/accounts/{accountId}/sources/{sourceId}/sync", "accounts"),
                RouteSpec("GET", "/accounts/{accountId}/jobs/{jobId}", "accounts"),
            ],
        )
        sync_queue.grant_send_messages(api.roles["accounts"])  # 002#90
