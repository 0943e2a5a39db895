"""Azure Firewall for the cluster's egress: public IPs, a Firewall Policy and its rule groups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi_azure_native import network

from aksnet.config.stack import FirewallSpec
from aksnet.plan.egress_rules import AKS_SOURCES, PUBLIC_ADDRESS, FirewallPolicyPlan
from aksnet.plan.naming import azure_name, tags
from components.args import SpecArgs
from components.network import standard_public_ip


@dataclass(frozen=True)
class EgressFirewallArgs(SpecArgs[FirewallSpec]):
    firewall_subnet_id: pulumi.Input[str]
    management_subnet_id: pulumi.Input[str] | None
    policy: FirewallPolicyPlan
    """The policy's IP groups and rule collection groups (`aksnet.plan.egress_rules`)."""


class EgressFirewall(pulumi.ComponentResource):
    """Azure Firewall with a Firewall Policy: threat intelligence, DNS proxy, AKS egress rules.

    https://learn.microsoft.com/azure/aks/limit-egress-traffic
    """

    private_ip: pulumi.Output[str]
    """The firewall's private address: the next hop of the cluster's default route."""
    public_ips: list[pulumi.Output[str | None]]
    """The firewall's public addresses (egress SNAT and DNAT frontends)."""
    firewall_id: pulumi.Output[str]
    """The firewall's resource id."""
    policy_id: pulumi.Output[str]
    """The Firewall Policy's resource id."""

    def __init__(self, name: str, args: EgressFirewallArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aks-networking:egress:EgressFirewall", name, None, opts)
        env, spec = args.environment, args.spec
        child = pulumi.ResourceOptions(parent=self)
        group = args.resource_group_name

        def public_ip(suffix: str) -> network.PublicIPAddress:
            return standard_public_ip(f"{name}-pip-{suffix}", env, f"fw-{suffix}", group, spec.zones, self)

        ips = [public_ip(str(index)) for index in range(1, spec.public_ip_count + 1)]
        ip_groups = {key: network.IpGroup(
            f"{name}-cluster-sources" if key == AKS_SOURCES else f"{name}-sources-{key}",
            ip_groups_name=azure_name(env, "ipg", key), resource_group_name=group,
            location=env.location, ip_addresses=list(ranges), tags=tags(env), opts=child)
            for key, ranges in args.policy.ip_groups.items()}

        policy_args: dict = {
            "sku": {"tier": spec.sku},
            "threat_intel_mode": spec.threat_intel_mode,
            # FQDNs in network rules resolve through the firewall only with its DNS proxy.
            "dns_settings": {"enableProxy": spec.dns_proxy} if spec.sku != "Basic" else None,
        }
        if spec.sku == "Premium":
            policy_args["intrusion_detection"] = {"mode": "Deny"}
        policy = network.FirewallPolicy(
            f"{name}-policy", firewall_policy_name=azure_name(env, "afwp", "egress"), resource_group_name=group,
            location=env.location, tags=tags(env), opts=pulumi.ResourceOptions(parent=self, protect=env.protect),
            **policy_args)

        def resolved(collection: Mapping[str, Any]) -> dict[str, Any]:
            rules = [{**rule, **({"sourceIpGroups": [ip_groups[g].id for g in rule["sourceIpGroups"]]}
                                 if "sourceIpGroups" in rule else {}),
                      **({"destinationAddresses": [ips[0].ip_address if a == PUBLIC_ADDRESS else a
                                                   for a in rule["destinationAddresses"]]}
                         if rule.get("ruleType") == "NatRule" else {})}
                     for rule in collection["rules"]]
            return {**collection, "rules": rules}

        # Azure updates one rule collection group of a policy at a time: each waits for the one before.
        groups: list[network.FirewallPolicyRuleCollectionGroup] = []
        for plan_group in args.policy.groups:
            groups.append(network.FirewallPolicyRuleCollectionGroup(
                f"{name}-rules-{plan_group.key}", rule_collection_group_name=plan_group.name,
                firewall_policy_name=policy.name, resource_group_name=group, priority=plan_group.priority,
                rule_collections=[resolved(c) for c in plan_group.collections],  # type: ignore[misc]
                opts=pulumi.ResourceOptions(parent=self, depends_on=groups[-1:])))

        configurations = [{"name": "ipconfig-1", "subnet": {"id": args.firewall_subnet_id},
                           "publicIPAddress": {"id": ips[0].id}}]
        configurations += [{"name": f"ipconfig-{index}", "publicIPAddress": {"id": ip.id}}
                           for index, ip in enumerate(ips[1:], start=2)]
        management = None
        if spec.sku == "Basic":
            management_ip = public_ip("mgmt")
            management = {"name": "management", "subnet": {"id": args.management_subnet_id},
                          "publicIPAddress": {"id": management_ip.id}}
        firewall = network.AzureFirewall(  # type: ignore[call-overload]  # engine-shaped mappings
            f"{name}-firewall", azure_firewall_name=azure_name(env, "afw", "egress"), resource_group_name=group,
            location=env.location, sku={"name": "AZFW_VNet", "tier": spec.sku},
            firewall_policy={"id": policy.id}, ip_configurations=configurations,
            management_ip_configuration=management, zones=list(spec.zones) or None, tags=tags(env),
            # The firewall waits for its rule groups: updating both at once conflicts.
            opts=pulumi.ResourceOptions(parent=self, depends_on=groups, protect=env.protect,
                                        custom_timeouts=pulumi.CustomTimeouts(create="60m", update="60m")))
        self.private_ip = firewall.ip_configurations.apply(lambda c: c[0].private_ip_address)
        self.public_ips = [ip.ip_address for ip in ips]
        self.firewall_id = firewall.id
        self.policy_id = policy.id
        self.register_outputs({"privateIp": self.private_ip, "publicIps": self.public_ips,
                               "firewallId": self.firewall_id, "policyId": self.policy_id})
