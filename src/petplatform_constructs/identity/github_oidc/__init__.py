"""GithubOidc: the GitHub Actions OIDC provider and deploy roles, their props and subjects."""

from petplatform_constructs.identity.github_oidc.construct import (
    BOOTSTRAP_ASSUME_ACTIONS,
    ECR_PUSH_ACTIONS,
    PROVIDER_CONSTRUCT_ID,
    GithubOidc,
)
from petplatform_constructs.identity.github_oidc.props import (
    AUDIENCE,
    BOOTSTRAP_ROLES,
    DEFAULT_QUALIFIER,
    GITHUB_ISSUER,
    BootstrapRole,
    DeployRole,
    GithubOidcProps,
)
from petplatform_constructs.identity.github_oidc.subjects import GithubSubject

__all__ = [
    "AUDIENCE",
    "BOOTSTRAP_ASSUME_ACTIONS",
    "BOOTSTRAP_ROLES",
    "DEFAULT_QUALIFIER",
    "ECR_PUSH_ACTIONS",
    "GITHUB_ISSUER",
    "PROVIDER_CONSTRUCT_ID",
    "BootstrapRole",
    "DeployRole",
    "GithubOidc",
    "GithubOidcProps",
    "GithubSubject",
]
