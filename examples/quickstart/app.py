"""Quick start: a stage-aware profile table and image buckets in one stack.

cdk synth -c stage=prod
"""

from aws_cdk import App

from quickstart import build

app = App()
build(app, app.node.try_get_context("stage") or "dev")
app.synth()
