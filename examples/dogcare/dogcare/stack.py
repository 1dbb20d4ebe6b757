"""DogCareStack: the whole Dog Care MVP (seed 001) in one stack per stage."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from petplatform_constructs import (
    AppClient,
    AuthPool,
    BudgetSpec,
    FunctionSpec,
    IndexSpec,
    Naming,
    ObservabilityPack,
    ResourceKind,
    RouteSpec,
    ServerlessApi,
    StageProfile,
    TableAccess,
    TableSpec,
    WafRules,
    acknowledge,
    tables_from_specs,
)
from petplatform_constructs.platform.tagging import apply_standard_tags

from . import models
from .config import DogCareConfig

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
_OWNER_INDEX = (IndexSpec("owner_id-index", partition_key="owner_id"),)
TABLES = (
    TableSpec("dogs-table", partition_key="id", global_indexes=_OWNER_INDEX),
    TableSpec("owners-table", partition_key="id"),
    TableSpec("bookings-table", partition_key="id", global_indexes=_OWNER_INDEX),
    TableSpec("payments-table", partition_key="id"),
)


def _route(method: str, path: str, function: str, **options: object) -> RouteSpec:
    return RouteSpec(method, path, function, **options)  # type: ignore[arg-type]


ROUTES = (
    _route("GET", "/dogs", "dog-management"),
    _route("POST", "/dogs", "dog-management", request_model=models.DOG),
    _route("GET", "/dogs/{id}", "dog-management"),
    _route("PUT", "/dogs/{id}", "dog-management", request_model=models.DOG_UPDATE),
    _route("DELETE", "/dogs/{id}", "dog-management"),
    _route("GET", "/owners/profile", "owner-management"),
    _route("PUT", "/owners/profile", "owner-management", request_model=models.OWNER_UPDATE),
    _route("POST", "/owners/register", "owner-management", request_model=models.OWNER),
    _route("GET", "/bookings", "booking-management"),
    _route("POST", "/bookings", "booking-management", request_model=models.BOOKING),
    _route("GET", "/bookings/{id}", "booking-management"),
    _route("PUT", "/bookings/{id}", "booking-management", request_model=models.BOOKING_UPDATE),
    _route("DELETE", "/bookings/{id}", "booking-management"),
    _route(
        "POST",
        "/payments",
        "payment-processing",
        request_model=models.PAYMENT,
        required_headers=("Idempotency-Key",),
    ),
    _route("GET", "/payments/{id}", "payment-processing"),
    # Admin endpoints for service management (001#41): the `admin` Cognito group only.
    _route("GET", "/admin/owners", "owner-management", required_group="admin"),
    _route("GET", "/admin/bookings", "booking-management", required_group="admin"),
)


class DogCareStack(Stack):
    """Cognito, four tables, a secret, the REST API with four functions, and monitoring."""

    def __init__(self, scope: Construct, id: str, *, config: DogCareConfig) -> None:
        super().__init__(
            scope,
            id,
            env=Environment(account=config.account, region=config.region),
            description="Dog Care MVP: REST API, Lambda, DynamoDB, Cognito, monitoring",
        )
        apply_standard_tags(self, service="dogcare")
        naming = Naming.of(self)

        self.auth = AuthPool(
            self,
            "Auth",
            name="users",
            self_sign_up=True,
            groups=["admin"],
            # Dog owners sign themselves up and TOTP is optional for them; admins (the admin
            # endpoints, 001#41) get their group in a token only with MFA enabled.
            privileged_groups=["admin"],
            clients=[
                AppClient(
                    "web",
                    callback_urls=[f"{config.web_origin}/auth/callback"],
                    logout_urls=[f"{config.web_origin}/"],
                )
            ],
            domain_prefix=naming.name("auth", ResourceKind.COGNITO_DOMAIN_PREFIX),
        )

        self.tables = tables_from_specs(self, TABLES)
        dogs, owners, bookings, payments = (self.tables[s.name] for s in TABLES)

        self.payment_secret = secretsmanager.Secret(
            self,
            "PaymentApiKey",
            secret_name=naming.name("payment-api-key", ResourceKind.SECRET),
            description='Payment provider API key, as JSON {"api_key": "..."}',
            # A placeholder of the right shape; operators put the provider's key in (README).
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"api_key": ""}', generate_string_key="api_key"
            ),
            removal_policy=StageProfile.of(self).removal_policy,
        )
        acknowledge(
            self.payment_secret,
            "AwsSolutions-SMG4",
            "The payment provider issues this API key; rotating it is a provider-side operation "
            "followed by put-secret-value (README 'Rotating the payment key'), which the "
            "handler picks up after its cache TTL or on the provider's first 401.",
        )

        function = {
            "code_path": HANDLERS,
            "runtime": lambda_.Runtime.PYTHON_3_11,  # the seed's runtime (001#25)
            "memory_mb": 512,  # 001#26
            "timeout": Duration.seconds(30),  # 001#26; the REST API answers 504 at 29 s
            "reserved_concurrency": config.function_concurrency,
        }
        self.api = ServerlessApi(
            self,
            "Api",
            name="api",
            user_pool=self.auth.user_pool,
            cors_origins=[config.web_origin],
            waf=WafRules(ip_rate_limit=1000, user_rate_limit=500) if config.waf else None,
            functions=[
                FunctionSpec(
                    "dog-management",
                    handler="dog_management.app.handler",
                    tables={"DOGS_TABLE": dogs},
                    **function,  # type: ignore[arg-type]
                ),
                FunctionSpec(
                    "owner-management",
                    handler="owner_management.app.handler",
                    tables={"OWNERS_TABLE": owners, "DOGS_TABLE": TableAccess.read(dogs)},
                    **function,  # type: ignore[arg-type]
                ),
                FunctionSpec(
                    "booking-management",
                    handler="booking_management.app.handler",
                    tables={"BOOKINGS_TABLE": bookings, "DOGS_TABLE": TableAccess.read(dogs)},
                    **function,  # type: ignore[arg-type]
                ),
                FunctionSpec(
                    "payment-processing",
                    handler="payment_processing.app.handler",
                    tables={"PAYMENTS_TABLE": payments, "BOOKINGS_TABLE": bookings},
                    secrets={"PAYMENT_SECRET_ARN": self.payment_secret},
                    environment={"PAYMENT_PROVIDER_URL": config.payment_provider_url},
                    **function,  # type: ignore[arg-type]
                ),
            ],
            routes=ROUTES,
        )

        # Dashboard, >5% error rate and >2 s latency alarms, $50/$100 cost alerts (001#47-51).
        self.monitoring = ObservabilityPack(
            self,
            "Monitoring",
            name="monitoring",
            alarm_email_addresses=config.alarm_emails,
            watch=[self.api, *self.tables.values()],
            budgets=[
                BudgetSpec.monthly_cost_alerts(
                    50, 100, name="monthly-cost", email_addresses=config.alarm_emails
                )
            ],
        )
