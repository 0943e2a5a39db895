"""Azure regions the stack may name, and whether each has availability zones. Data, with its source.

Source: https://learn.microsoft.com/azure/reliability/regions-list ("Azure regions list", the
"Availability zones" column; Azure Government from https://learn.microsoft.com/azure/azure-government/documentation-government-overview-reliability,
Azure in China from https://docs.azure.cn/reliability/regions-list), checked 2026-11-28.
A region Azure opens later needs a row here: the loader refuses names it does not know, so that
a typo (`westeuropa`) is caught before `pulumi up`.
"""

from __future__ import annotations

CHECKED = "2026-11-28"

# Programmatic name -> has availability zones.
REGIONS: dict[str, bool] = {
    "australiacentral": False, "australiacentral2": False, "australiaeast": True, "australiasoutheast": False,
    "austriaeast": True, "belgiumcentral": True, "brazilsouth": True, "brazilsoutheast": False,
    "canadacentral": True, "canadaeast": False, "centralindia": True, "centralus": True, "chilecentral": True,
    "eastasia": True, "eastus": True, "eastus2": True, "francecentral": True, "francesouth": False,
    "germanynorth": False, "germanywestcentral": True, "indonesiacentral": True, "israelcentral": True,
    "italynorth": True, "japaneast": True, "japanwest": True, "jioindiacentral": False, "jioindiawest": False,
    "koreacentral": True, "koreasouth": False, "malaysiawest": True, "mexicocentral": True,
    "newzealandnorth": True, "northcentralus": False, "northeurope": True, "norwayeast": True,
    "norwaywest": False, "polandcentral": True, "qatarcentral": True, "southafricanorth": True,
    "southafricawest": False, "southcentralus": True, "southeastasia": True, "southindia": False,
    "spaincentral": True, "swedencentral": True, "switzerlandnorth": True, "switzerlandwest": False,
    "uaecentral": False, "uaenorth": True, "uksouth": True, "ukwest": False, "westcentralus": False,
    "westeurope": True, "westindia": False, "westus": False, "westus2": True, "westus3": True,
    # Azure Government
    "usgovvirginia": True, "usgovarizona": False, "usgovtexas": False, "usdodcentral": False, "usdodeast": False,
    # Azure operated by 21Vianet
    "chinaeast": False, "chinaeast2": False, "chinaeast3": False, "chinanorth": False, "chinanorth2": False,
    "chinanorth3": True,
}
