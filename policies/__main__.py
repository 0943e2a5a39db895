"""The CrossGuard policy pack.

    pulumi preview --policy-pack policies --policy-pack-config policies/config/<stack>.json
    cd hub && pulumi preview -s hub --policy-pack ../policies --policy-pack-config ../policies/config/hub.json

A thin adapter over the project's rule registry (`aksnet.rules.registry`): every rule is a
policy of the same name and default level (`policies/pack.py` says how each kind runs).
Constructing the pack starts the policy server, which never returns; the tests build the
policies with `policies.pack.policies` and run them.
"""

import os
import sys

# The pack runs from policies/; the registry lives in the project beside it.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pulumi_policy import EnforcementLevel, PolicyPack

from policies.pack import policies

PolicyPack(name="aks-networking", enforcement_level=EnforcementLevel.ADVISORY, policies=policies())
