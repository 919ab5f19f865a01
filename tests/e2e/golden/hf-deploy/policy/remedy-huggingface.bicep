// Outbound rules of an Azure ML workspace managed network in "allow only approved outbound" mode
// (the workspace's managedNetwork.isolationMode is AllowOnlyApprovedOutbound).
// Deploy with az deployment group create --resource-group RG --template-file FILE
// FQDN rules make the workspace provision a managed Azure Firewall, which is billed:
// standard SKU by default; firewall_sku: basic under managed_network in the workspace YAML selects basic.
// The managed network is created with the first compute; to provision it ahead of that:
//   az ml workspace provision-network --resource-group RG --name WS
// RG and WS are placeholders: replace them with your resource group and workspace names.

param workspaceName string = 'WS'

resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-10-01' existing = {
  name: workspaceName
}

resource rule_1 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-cas-bridge-xethub-hf-co'
  properties: {
    type: 'FQDN'
    category: 'UserDefined'
    destination: 'cas-bridge.xethub.hf.co'
  }
}

resource rule_2 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-files-pythonhosted-org'
  properties: {
    type: 'FQDN'
    category: 'UserDefined'
    destination: 'files.pythonhosted.org'
  }
}

resource rule_3 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-pypi-org'
  properties: {
    type: 'FQDN'
    category: 'UserDefined'
    destination: 'pypi.org'
  }
}

resource rule_4 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-registry-1-docker-io'
  properties: {
    type: 'FQDN'
    category: 'UserDefined'
    destination: 'registry-1.docker.io'
  }
}

resource rule_5 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-telemetry-unlisted-vendor'
  properties: {
    type: 'FQDN'
    category: 'UserDefined'
    destination: 'telemetry.unlisted-vendor.example'
  }
}
