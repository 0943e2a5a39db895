"""The internet's ways in: through the application gateway's listeners, a public load balancer's
frontends (a LoadBalancer Service, or nginx's), a Gateway API controller's proxies (Envoy Gateway's
behind a public load balancer, AGC's in Azure), or the firewall's DNAT rules. Pure, no Pulumi."""

from __future__ import annotations

from aksnet.analysis.paths.inside import VnetWalk
from aksnet.analysis.paths.network import Place, Subnet
from aksnet.analysis.paths.packet import FIREWALL_PUBLIC_ADDRESS, PUBLIC_FRONTEND, IPv4, Packet
from aksnet.analysis.paths.routes import route_lookup
from aksnet.analysis.paths.verdict import Hop, Path, stops
from aksnet.config.ingress_controllers import ENVOY_GATEWAY


class InboundWalk(VnetWalk):
    """A packet from the internet to an app, by whichever frontend lets it through."""

    def _inbound(self, source: Place, destination: Place, protocol: str, port: int, via: str | None) -> Path:
        candidates: list[list[Hop]] = []
        if destination.app is not None and via in (None, "ingress"):
            key = destination.app.key
            if self.net.ingress_controller == "appgw" and self.net.app_gateway is not None:
                candidates += [self._through_gateway(source, destination, route, protocol, port)
                               for route in self.net.ingress_routes if route[2] == key and route[4] == port]
                redirected = [r for r in self.net.ingress_routes if r[2] == key and r[4] == 443]
                if port == 80 and redirected and protocol == "TCP":
                    name, host = redirected[0][0], redirected[0][1]
                    candidates.append([Hop("appGateway", "application gateway",
                                           f"ingress {name}: {host}:80 redirects to https://{host}", "deny")])
            nginx = self.net.nginx
            if self.net.ingress_controller == "nginx" and nginx is not None and nginx.visibility == "public":
                candidates += [self._through_public_lb(source, destination, protocol, port, "nginx", route[3])
                               for route in self.net.ingress_routes if route[2] == key and route[4] == port]
            if self.net.ingress_controller in ("envoyGateway", "agc"):
                candidates += [self._through_gateway_api(source, destination, route, protocol)
                               for route in self.net.ingress_routes if route[2] == key and route[4] == port]
                redirected = [r for r in self.net.ingress_routes if r[2] == key and r[4] == 443]
                if port == 80 and redirected and protocol == "TCP":
                    name, host = redirected[0][0], redirected[0][1]
                    candidates.append([Hop("ingressController", f"gateway {destination.app.key.split('/')[0]}/{name}",
                                           f"{host}:80 redirects to https://{host}", "deny")])
        if destination.app is not None and via in (None, "service") and destination.app.service_type == \
                "LoadBalancer" and any(p == protocol and s == port for p, s, _ in destination.app.service_ports):
            candidates.append(self._through_public_lb(source, destination, protocol, port, destination.app.key, port))
        if destination.kind == "internet":
            return Path((Hop("route", "internet", f"{destination.label} is on the internet", "forward"),))
        if self.net.firewall_context is not None and via in (None, "dnat"):
            candidates.append(self._through_dnat(source, destination, protocol, port))
        if not candidates:
            return Path((Hop("loadBalancer", "public frontends", f"none serves {protocol}/{port} for "
                             f"{destination.label}", "deny"),))
        allowed = [c for c in candidates if Path(tuple(c)).verdict == "allowed"]
        deepest = max(range(len(candidates)), key=lambda index: len(candidates[index]))
        return Path(tuple(allowed[0] if allowed else candidates[deepest]))

    def _through_gateway(self, source: Place, destination: Place, route: tuple[str, str, str, int, int],
                         protocol: str, port: int) -> list[Hop]:
        gateway = self.net.app_gateway
        subnet = self.net.subnets["appgw"]
        assert destination.app is not None and source.address is not None
        gateway_address = subnet.prefix.network_address + 4
        hops: list[Hop] = []
        if stops(hops, self._nsg_hop(subnet, "Inbound", Packet(source.address, gateway_address, protocol, port,
                                                                source_tags=source.tags))):
            return hops
        name, host, key, service_port, listener = route
        if not gateway.public_frontend:
            return [*hops, Hop("appGateway", "application gateway", "no public frontend", "deny")]
        if protocol != "TCP":
            return [*hops, Hop("appGateway", "application gateway", f"listens on TCP only, not {protocol}", "deny")]
        waf = f", WAF {gateway.waf_mode}" if gateway.sku.startswith("WAF") else ""
        hops.append(Hop("appGateway", f"application gateway ({gateway.sku}{waf})",
                        f"ingress {name}: {host}:{listener} -> {key}:{service_port}", "forward"))
        container = self._container_port(destination, "TCP", service_port)
        return self._proxy_to_pod(hops, "the gateway", subnet, gateway_address, source, destination, container)

    def _proxy_to_pod(self, hops: list[Hop], who: str, subnet: Subnet, proxy: IPv4, source: Place,
                      destination: Place, container: int) -> list[Hop]:
        """The leg from a proxy in its own subnet (the application gateway, AGC's proxies) to the pod:
        the subnet's route to the pod, the nodes' NSG, the pod's NetworkPolicy, and the reply."""
        assert destination.app is not None and destination.address is not None and source.address is not None
        route_hop, next_route = self._route_hop(subnet, destination.address)
        hops.append(route_hop)
        # The proxy's subnet is in the spoke with the pods, whose addresses no peered range may overlap
        # (plan/addressing.py): the route to a pod is the VNet's own, AKS's, or a UDR that takes it away.
        if next_route.next_hop not in ("Cluster", "VnetLocal"):
            hops[-1] = Hop("route", route_hop.resource, f"{route_hop.rule}: {who} cannot reach the pods", "deny")
            return hops
        nodes = self.net.subnets[self.net.node_subnet]
        if stops(hops, self._nsg_hop(nodes, "Inbound", Packet(proxy, nodes.prefix.network_address + 5, "TCP",
                                                               container))):
            return hops
        if stops(hops, self._policy_hop(self._member(Place("address", "", proxy)), destination.app.key, "TCP",
                                        container)):
            return hops
        return self._reply(subnet, source.address, "direct", hops)

    def _through_gateway_api(self, source: Place, destination: Place, route: tuple[str, str, str, int, int],
                             protocol: str) -> list[Hop]:
        """Through a Gateway API controller's proxies: Envoy Gateway's in the cluster, behind the
        public load balancer of their LoadBalancer Service; or AGC's, in Azure, in its subnet."""
        assert destination.app is not None and source.address is not None
        name, host, key, service_port, listener = route
        namespace = key.split("/")[0]
        forward = f"{host}:{listener} -> {key}:{service_port}"
        if protocol != "TCP":
            return [Hop("ingressController", f"gateway {namespace}/{name}", f"listens on TCP only, not {protocol}",
                        "deny")]
        container = self._container_port(destination, "TCP", service_port)
        if self.net.ingress_controller == "envoyGateway":
            controller = self.net.controller
            assert controller is not None and controller.namespace is not None
            nodes = self.net.subnets["nodes"]
            hops = [Hop("loadBalancer", "public load balancer (Envoy Gateway)", f"TCP/{listener}", "forward")]
            if stops(hops, self._nsg_hop(nodes, "Inbound", Packet(source.address, PUBLIC_FRONTEND, "TCP", listener,
                                                                   source_tags=source.tags))):
                return hops
            # The proxies listen unprivileged: a port below 1024 on port + 10000 (ingress_controllers.py).
            proxy_port = ENVOY_GATEWAY.container_port(listener)
            hops.append(Hop("ingressController", f"Envoy proxies of gateway {namespace}/{name} (container port "
                            f"{proxy_port})", forward, "forward"))
            if stops(hops, self._policy_hop(f"{controller.namespace}/ingress-controller", key, "TCP", container)):
                return hops
            return self._reply(nodes, source.address, "direct", hops)
        # AGC's frontend is Azure's public entry; its proxies live in the association's subnet and
        # reach the pods directly (with Overlay, AGC's subnet joins the pods' routing domain).
        # https://learn.microsoft.com/azure/application-gateway/for-containers/container-networking
        subnet = self.net.subnets["agc"]
        proxy = subnet.prefix.network_address + 4
        hops = [Hop("appGateway", f"Application Gateway for Containers frontend fe-{name}", forward, "forward")]
        return self._proxy_to_pod(hops, "AGC", subnet, proxy, source, destination, container)

    def _through_public_lb(self, source: Place, destination: Place, protocol: str, port: int, frontend: str,
                           service_port: int) -> list[Hop]:
        assert destination.app is not None and source.address is not None
        nodes = self.net.subnets["nodes"]
        hops = [Hop("loadBalancer", f"public load balancer ({frontend})", f"{protocol}/{port}", "forward")]
        if stops(hops, self._nsg_hop(nodes, "Inbound", Packet(source.address, PUBLIC_FRONTEND, protocol, port,
                                                               source_tags=source.tags))):
            return hops
        container = self._container_port(destination, protocol, service_port)
        # Through nginx, the app's traffic comes from the controller's pods; else from the client.
        if frontend == "nginx" and self.net.controller is not None and self.net.controller.namespace is not None:
            hop = self._policy_hop(f"{self.net.controller.namespace}/ingress-controller", destination.app.key,
                                   protocol, container)
        else:
            hop = self._policy_hop(self._member(source), destination.app.key, protocol, container,
                                   (source.label, destination.app.key))
        if stops(hops, hop):
            return hops
        return self._reply(nodes, source.address, "direct", hops)

    def _through_dnat(self, source: Place, destination: Place, protocol: str, port: int) -> list[Hop]:
        assert source.address is not None
        packet = Packet(source.address, FIREWALL_PUBLIC_ADDRESS, protocol, port, source_tags=source.tags)
        hop, rule = self._firewall_hop(packet)
        if rule is None or rule.action != "DNAT":
            return [Hop("firewall", "firewall policy", f"no DNAT rule publishes {protocol}/{port}", "deny")]
        hops = [hop]
        translated = IPv4(rule.rule["translatedAddress"])
        translated_port = int(rule.rule["translatedPort"])
        app = next((a for a in self.net.apps.values() if a.static_ip == translated
                    and any(p == protocol and s == translated_port for p, s, _ in a.service_ports)), None)
        if app is None or (destination.app is not None and destination.app.key != app.key):
            return [*hops, Hop("loadBalancer", f"{translated}:{translated_port}",
                               f"no internal Service of {destination.label} listens here", "deny")]
        assert self.net.firewall_address is not None
        firewall_subnet = self.net.subnets["AzureFirewallSubnet"]
        route_hop, _ = self._route_hop(firewall_subnet, translated)
        hops.append(route_hop)
        target_vnet = self.net.vnet_of(translated)
        # Azure Firewall translates the source of DNAT traffic to its own private address, so the
        # reply comes back to it (https://learn.microsoft.com/azure/firewall/firewall-faq).
        if target_vnet is not None and target_vnet != firewall_subnet.vnet:
            hops.append(self._peering_hop(firewall_subnet.vnet, target_vnet, forwarded=False))
        hops.append(Hop("loadBalancer", f"internal load balancer {translated}",
                        f"{app.key} {protocol}/{translated_port}", "forward"))
        nodes = self.net.subnets[self.net.node_subnet]
        container = self._container_port(self.app_place(app.key), protocol, translated_port)
        packet = Packet(self.net.firewall_address, translated, protocol, translated_port)
        if stops(hops, self._nsg_hop(nodes, "Inbound", packet)):
            return hops
        policy = self._policy_hop(self._member(Place("address", "", self.net.firewall_address)), app.key, protocol,
                                  container)
        if policy is not None:
            hops.append(policy)
        if hops[-1].action == "deny":
            return hops
        # The reply is addressed to the firewall itself: a route through the firewall's own address lands
        # it where the request was translated, as a direct one does; another appliance never saw it.
        back = route_lookup(nodes.routes, self.net.firewall_address)
        through_itself = back.next_hop == "VirtualAppliance" and back.address == self.net.firewall_address
        return self._reply(nodes, self.net.firewall_address, "firewall" if through_itself else "direct", hops)
