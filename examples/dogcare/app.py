"""Dog Care CDK app: `cdk synth -c stage=dev|staging|prod`.

Optional context: dev_account / prod_account, region, payment_provider_url, alarm_email.
"""

from aws_cdk import App

from dogcare import DogCareConfig, build

app = App()
stage = app.node.try_get_context("stage") or "dev"
build(app, stage, DogCareConfig.from_context(app, stage))
app.synth()
