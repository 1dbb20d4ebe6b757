"""HomeForPup CDK app: `cdk synth -c stage=dev|staging|prod`.

Optional context: image_access=cdn|public, user_pool_id=<existing pool>,
auth_domain=<fqdn> with auth_certificate_arn=<us-east-1 ACM ARN>.
"""

from aws_cdk import App

from homeforpup import HomeForPupConfig, build

app = App()
stage = app.node.try_get_context("stage") or "dev"
build(app, stage, HomeForPupConfig.from_context(app, stage))
app.synth()
