"""GitHub's ``sub`` claim: helpers that write it, and the rules a trusted subject must meet.

A GitHub Actions OIDC token names the workflow run in its ``sub`` claim, in one of GitHub's
default forms (customized subject templates are not supported here):

* ``repo:OWNER/NAME:ref:refs/heads/BRANCH`` (a push or a manual run on a branch),
* ``repo:OWNER/NAME:ref:refs/tags/TAG``,
* ``repo:OWNER/NAME:environment:ENVIRONMENT`` (a job that names a deployment environment),
* ``repo:OWNER/NAME:pull_request``.

The trust policy matches these with ``StringLike`` when a subject holds ``*`` or ``?``, so a
wildcard in the wrong place trusts far more than meant: ``*`` alone trusts every repository
on GitHub. :func:`check_subject` therefore refuses a wildcard owner always, and a wildcard
repository name unless organization-wide trust was asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["GithubSubject", "SubjectCheck", "check_subject", "is_pattern"]

_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,100}")
_NAME_PATTERN = re.compile(r"[A-Za-z0-9._*?-]{1,100}")
# Git ref names: no whitespace, control characters, ~ ^ : \ [ or '..' (git check-ref-format);
# * and ? are StringLike wildcards here.
_REF = re.compile(r"(?!.*\.\.)[^\s~^:\\\[\x00-\x1f\x7f]{1,255}")
_ENVIRONMENT = re.compile(r"[^\s:\x00-\x1f\x7f][^:\x00-\x1f\x7f]{0,254}")

FORMS = (
    "repo:OWNER/NAME:ref:refs/heads/BRANCH, repo:OWNER/NAME:ref:refs/tags/TAG, "
    "repo:OWNER/NAME:environment:ENVIRONMENT, repo:OWNER/NAME:pull_request or "
    "repo:OWNER/NAME:* (GithubSubject.branch/tag/environment/pull_request/any_context)"
)


def is_pattern(value: str) -> bool:
    """Whether ``value`` holds a ``StringLike`` wildcard (``*`` or ``?``)."""
    return "*" in value or "?" in value


class GithubSubject:
    """Builders of GitHub ``sub`` claims, so a deploy role names exactly the runs it trusts.

    ``repository`` is ``"owner/name"``. Each method returns the subject string; the construct
    that receives it checks it (:func:`check_subject`).
    """

    @staticmethod
    def branch(repository: str, branch: str = "main") -> str:
        """Runs on ``branch`` (pushes, manual and scheduled runs): ``...:ref:refs/heads/main``."""
        return f"repo:{repository}:ref:refs/heads/{branch}"

    @staticmethod
    def tag(repository: str, tag: str) -> str:
        """Runs on tag ``tag`` (``v*`` for every version tag): ``...:ref:refs/tags/v1.2.0``."""
        return f"repo:{repository}:ref:refs/tags/{tag}"

    @staticmethod
    def environment(repository: str, environment: str) -> str:
        """Jobs that name the deployment environment ``environment``, whose protection rules
        (reviewers, branch policies) GitHub enforces before the job gets a token."""
        return f"repo:{repository}:environment:{environment}"

    @staticmethod
    def pull_request(repository: str) -> str:
        """Runs for pull requests, including from forks when their workflows may run."""
        return f"repo:{repository}:pull_request"

    @staticmethod
    def any_context(repository: str) -> str:
        """Every run of one repository, on any branch, tag, environment or pull request."""
        return f"repo:{repository}:*"

    @staticmethod
    def organization(owner: str, context: str = "*") -> str:
        """Every repository of ``owner`` (``repo:owner/*``); needs ``allow_wildcard_repositories``.

        ``context`` narrows it, e.g. ``"ref:refs/heads/main"``.
        """
        return f"repo:{owner}/*" if context == "*" else f"repo:{owner}/*:{context}"


@dataclass(frozen=True)
class SubjectCheck:
    """What is wrong with a subject (``None`` when it is fine) and whether it is a pattern."""

    problem: str | None
    pattern: bool


def check_subject(subject: str, *, allow_wildcard_repositories: bool) -> SubjectCheck:
    """Check one ``sub`` value against GitHub's default forms and the wildcard rules."""
    pattern = is_pattern(subject)
    if subject.strip(" *?") == "":
        return SubjectCheck(
            "a subject of only wildcards trusts every repository on GitHub; " + FORMS, pattern
        )
    if not subject.startswith("repo:"):
        return SubjectCheck(f"GitHub subjects start with 'repo:'; {FORMS}", pattern)
    repository, _, context = subject.removeprefix("repo:").partition(":")
    owner, slash, name = repository.partition("/")
    if is_pattern(owner) or not slash:
        return SubjectCheck(
            "the owner must be a literal GitHub user or organization ('repo:*' trusts every "
            f"account on GitHub); {FORMS}",
            pattern,
        )
    if not _OWNER.fullmatch(owner):
        return SubjectCheck(
            f"owner {owner!r} is not a GitHub user or organization name (1-39 letters, digits "
            "and single hyphens, not at either end)",
            pattern,
        )
    if is_pattern(name):
        if not allow_wildcard_repositories:
            return SubjectCheck(
                f"repository {repository!r} is a wildcard: it trusts every matching repository "
                f"of {owner}, including ones created later; set allow_wildcard_repositories="
                "True on this role if organization-wide trust is meant",
                pattern,
            )
        if not _NAME_PATTERN.fullmatch(name):
            return SubjectCheck(f"repository name {name!r}: letters, digits, . _ - * ?", pattern)
        # 'repo:org/*' alone already covers every context.
        return SubjectCheck(_context_problem(context) if context else None, pattern)
    if not _NAME.fullmatch(name) or name in (".", ".."):
        return SubjectCheck(
            f"repository name {name!r} is not a GitHub repository name (1-100 letters, digits, "
            ". _ and -)",
            pattern,
        )
    if not context:
        return SubjectCheck(
            f"the subject names no context: add :ref:refs/heads/BRANCH, :environment:NAME, "
            f":pull_request or :* to {subject!r}",
            pattern,
        )
    return SubjectCheck(_context_problem(context), pattern)


def _context_problem(context: str) -> str | None:
    if context in ("*", "pull_request"):
        return None
    kind, _, value = context.partition(":")
    if kind == "ref":
        for prefix in ("refs/heads/", "refs/tags/"):
            if value.startswith(prefix):
                ref = value.removeprefix(prefix)
                return None if _REF.fullmatch(ref) else f"{ref!r} is not a git branch or tag name"
        return f"a ref is refs/heads/BRANCH or refs/tags/TAG, not {value!r}"
    if kind == "environment":
        if _ENVIRONMENT.fullmatch(value):
            return None
        return f"{value!r} is not a GitHub environment name"
    return f"unknown context {context!r}; {FORMS}"
