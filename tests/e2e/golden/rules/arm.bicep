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

// tests/data/rules/arm.json:rule 1
resource rule_1 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-huggingface'
  properties: {
    type: 'FQDN'
    category: 'UserDefined'
    destination: 'huggingface.co'
  }
}

// tests/data/rules/arm.json:rule 2
resource rule_2 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-hf-co'
  properties: {
    type: 'FQDN'
    category: 'UserDefined'
    destination: '*.hf.co'
  }
}

// tests/data/rules/arm.json:rule 3
resource rule_3 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-pypi'
  properties: {
    type: 'FQDN'
    category: 'UserDefined'
    destination: 'pypi.org'
  }
}

// inactive in its source (status Inactive): it permits nothing
// tests/data/rules/arm.json:rule 4
// resource rule_4 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
//   parent: workspace
//   name: 'allow-pythonhosted'
//   properties: {
//     type: 'FQDN'
//     category: 'UserDefined'
//     destination: '*.pythonhosted.org'
//   }
// }

// tests/data/rules/arm.json:rule 5
resource rule_5 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-aml'
  properties: {
    type: 'ServiceTag'
    category: 'UserDefined'
    destination: {
      serviceTag: 'AzureMachineLearning'
      protocol: 'TCP'
      portRanges: '443'
    }
  }
}

// tests/data/rules/arm.json:rule 6
resource rule_6 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024-10-01' = {
  parent: workspace
  name: 'allow-storage'
  properties: {
    type: 'PrivateEndpoint'
    category: 'UserDefined'
    destination: {
      serviceResourceId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-contoso-ml/providers/Microsoft.Storage/storageAccounts/contosomldata'
      subresourceTarget: 'blob'
      sparkEnabled: false
    }
  }
}
