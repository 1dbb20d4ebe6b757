"""Raw (pre-acknowledgement) cdk-nag finding counts per pack, for the examples' prod stages.

``python scripts/nag_counts.py`` synthesizes HomeForPup and DogCare in prod with the
AwsSolutions, HIPAA and NIST 800-53 r5 packs, once with every acknowledgement switched off (the
raw count: one finding per rule and resource, as the validation report lists them) and once as
shipped (what is left unacknowledged).
"""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from contextlib import nullcontext
from pathlib import Path
from unittest import mock

from aws_cdk import Validations

from petplatform_constructs.platform.compliance import NagPack, enable_compliance
from petplatform_constructs.testing import make_app, synth

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ("homeforpup", "dogcare")
EXTRA_PACKS = (NagPack.HIPAA, NagPack.NIST_800_53_R5)


def counts(example: str, stage: str = "prod", *, raw: bool) -> Counter[str]:
    """Findings per pack of ``example`` in ``stage``; ``raw`` ignores every acknowledgement."""
    sys.path.insert(0, str(ROOT / "examples" / example))
    module = importlib.import_module(example)
    app = make_app()
    with mock.patch.object(Validations, "acknowledge", lambda *_: None) if raw else nullcontext():
        module.build(app, stage)
        enable_compliance(app, packs=EXTRA_PACKS, data_protection=False)
        result = synth(app)
    return Counter(f.plugin for f in result.findings if f.plugin != "DataProtectionCheck")


def main() -> int:
    for example in EXAMPLES:
        raw, left = counts(example, raw=True), counts(example, raw=False)
        for plugin in sorted(raw.keys() | left.keys()):
            print(f"{example:<11} prod  {plugin:<28} raw {raw[plugin]:>3}  left {left[plugin]:>3}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
