"""ListBackup.ai CDK app: `cdk synth -c stage=dev|staging|prod`.

Optional context: account, hosted_zone_id, alarm_email, github_repository.
"""

from aws_cdk import App

from listbackup import ListBackupConfig, build

app = App()
stage = app.node.try_get_context("stage") or "dev"
build(app, stage, ListBackupConfig.from_context(app, stage))
app.synth()
