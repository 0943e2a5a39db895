"""The change review: what a change to a stack does to Azure, decided offline. Pure, no Pulumi.

`provider_rules` holds what pulumi-azure-native replaces (from its sources, per the lock's version),
`resource_diff` applies the provider's diff rules to two runs' inputs, `azure` what Azure itself does
with each changed input, `network` the path model's diff, and `report` joins them into findings.
"""
