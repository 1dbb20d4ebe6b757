"""Identity constructs: Cognito (``AuthPool``) and IAM (``AppRole``, ``GithubOidc``)."""
