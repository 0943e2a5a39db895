"""Behaviour the mutation benchmark found untested (docs/mutation-testing.md): one test per survivor."""

from aksnet.config.schema import show


def test_a_long_value_is_quoted_in_sixty_characters_at_most():
    quoted = show("x" * 100)
    assert len(quoted) == 60 and quoted.startswith("'xxx") and quoted.endswith("...")
    assert show("x" * 58) == "'" + "x" * 58 + "'"  # 60 characters: shown whole


def test_each_public_address_of_the_firewall_is_used_by_one_ip_configuration(prod):
    """Azure Firewall takes several public addresses, one per IP configuration
    (https://learn.microsoft.com/azure/firewall/deploy-multi-public-ip-powershell); prod asks for three."""
    firewall = prod.one("azure-native:network:AzureFirewall").inputs
    used = [c["publicIPAddress"]["id"] for c in firewall["ipConfigurations"]]
    assert len(used) == len(set(used)) == 3
    assert "subnet" in firewall["ipConfigurations"][0]  # the first one holds the firewall's subnet
