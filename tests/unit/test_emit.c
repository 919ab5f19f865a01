/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The emitters (report/emit.c): text rule files, az CLI lines, workspace
 * YAML and Bicep, for loaded rules and for remedies. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yaml.h>

#include "emit.h"
#include "model.h"
#include "policy.h"

/* ---- a rule set ---- */

static void fx_str(struct ea_str *s, const char *p, size_t len)
{
    assert_true(ea_str_set(s, p, len));
}
#define FX_S(s, lit) fx_str((s), (lit), sizeof(lit) - 1)

static struct ea_rule *fx_rule(struct ea_report *r, enum ea_rule_kind kind, const char *origin)
{
    struct ea_rule *rule = ea_report_add_rule(r);
    assert_non_null(rule);
    rule->kind = kind;
    fx_str(&rule->origin, origin, strlen(origin));
    return rule;
}

static void fx_fqdn(struct ea_rule *rule, const char *dest, enum ea_fqdn_form form,
                    const char *fqdn)
{
    fx_str(&rule->destination, dest, strlen(dest));
    fx_str(&rule->fqdn, fqdn, strlen(fqdn));
    rule->form = form;
}

static void fx_net(struct ea_rule *rule, const char *addr, uint8_t len)
{
    struct ea_net *n = realloc(rule->nets, (rule->n_nets + 1) * sizeof *n);
    assert_non_null(n);
    rule->nets = n;
    memset(&n[rule->n_nets], 0, sizeof *n);
    if (inet_pton(AF_INET, addr, n[rule->n_nets].addr.b) == 1)
        n[rule->n_nets].addr.family = 4;
    else if (inet_pton(AF_INET6, addr, n[rule->n_nets].addr.b) == 1)
        n[rule->n_nets].addr.family = 6;
    else
        fail_msg("bad address %s", addr);
    n[rule->n_nets].len = len;
    rule->n_nets++;
}

static void fx_port(struct ea_rule *rule, uint16_t lo, uint16_t hi)
{
    struct ea_port_range *p = realloc(rule->ports, (rule->n_ports + 1) * sizeof *p);
    assert_non_null(p);
    rule->ports = p;
    p[rule->n_ports].lo = lo;
    p[rule->n_ports].hi = hi;
    rule->n_ports++;
}

/* The small rule set every format is checked against. */
static void fx_rules(struct ea_report *r)
{
    struct ea_rule *x;
    x = fx_rule(r, EA_RULE_FQDN, "profile curated");
    fx_fqdn(x, "pypi.org", EA_FQDN_EXACT, "pypi.org");
    x = fx_rule(r, EA_RULE_FQDN, "rules.txt:2");
    fx_fqdn(x, "*.HF.co.", EA_FQDN_SUBDOMAINS, "hf.co");
    FX_S(&x->name, "hf-wild");
    x = fx_rule(r, EA_RULE_CIDR, "rules.txt:3");
    FX_S(&x->destination, "10.0.0.0/8");
    fx_net(x, "10.0.0.0", 8);
    fx_port(x, 443, 443);
    x->protocol = EA_TCP;
    x = fx_rule(r, EA_RULE_CIDR, "rules.txt:4");
    FX_S(&x->destination, "2001:db8::/32");
    fx_net(x, "2001:db8::", 32);
    fx_port(x, 443, 443);
    fx_port(x, 8000, 8100);
    x->protocol = EA_TCP;
    x = fx_rule(r, EA_RULE_CIDR, "rules.txt:5");
    FX_S(&x->destination, "2001:db8:1::/48");
    fx_net(x, "2001:db8:1::", 48);
    x = fx_rule(r, EA_RULE_SERVICE_TAG, "ws.yaml:10");
    FX_S(&x->name, "aml-tag");
    FX_S(&x->destination, "AzureMachineLearning");
    FX_S(&x->service_tag, "AzureMachineLearning");
    fx_port(x, 443, 443);
    x->protocol = EA_TCP;
    x = fx_rule(r, EA_RULE_PRIVATE_ENDPOINT, "ws.yaml:20");
    FX_S(&x->name, "storage-pe");
    FX_S(&x->destination, "/subscriptions/0000/resourceGroups/rg/providers/"
                          "Microsoft.Storage/storageAccounts/mystore");
    x = fx_rule(r, EA_RULE_FQDN, "ws.yaml:30");
    fx_fqdn(x, "huggingface.co", EA_FQDN_EXACT, "huggingface.co");
    FX_S(&x->name, "hf-inactive");
    FX_S(&x->status, "Inactive");
    x->inactive = true;
    x = fx_rule(r, EA_RULE_FQDN, "ws.yaml:40");
    fx_fqdn(x, "mcr.microsoft.com", EA_FQDN_EXACT, "mcr.microsoft.com");
    FX_S(&x->name, "mcr");
    FX_S(&x->category, "required");
    x = fx_rule(r, EA_RULE_FQDN, "evil\x1b[31m.yaml:1");
    fx_fqdn(x, "example.com", EA_FQDN_EXACT, "example.com");
    FX_S(&x->name, "it's\x01"
                   "bad");
}
/* Remedies for three denied names, with a loaded rule taking one name. */
static void fx_remedies(struct ea_report *r)
{
    static const char *const names[] = {"transfer.xethub.hf.co", "cas-bridge.xethub.hf.co",
                                        "pypi.org"};
    r->hosts = calloc(3, sizeof *r->hosts);
    assert_non_null(r->hosts);
    r->n_hosts = 3;
    for (size_t i = 0; i < 3; i++) {
        fx_str(&r->hosts[i].key, names[i], strlen(names[i]));
        r->hosts[i].named = true;
        r->hosts[i].verdict = EA_V_DENIED;
    }
    struct ea_rule *x = fx_rule(r, EA_RULE_FQDN, "x");
    FX_S(&x->name, "allow-pypi-org");
    fx_fqdn(x, "pypi.com", EA_FQDN_EXACT, "pypi.com");
    assert_true(policy_build_remedies(r));
}

/* ---- output ---- */

struct output {
    char *buf;
    size_t len;
};

/* Emit as the commands do: rules are printed after policy_prepare_rules()
 * put their patterns and names into the model. */
static struct output run(struct ea_report *r, bool remedies, enum emit_format f,
                         const struct emit_opts *o)
{
    struct output out = {0};
    if (!remedies)
        assert_true(policy_prepare_rules(r));
    FILE *fp = open_memstream(&out.buf, &out.len);
    assert_non_null(fp);
    int rc = remedies ? emit_remedies(r, f, o, fp) : emit_rules(r, f, o, fp);
    assert_int_equal(rc, 0);
    assert_int_equal(fclose(fp), 0);
    /* printable ASCII and newlines only: nothing raw from the input */
    for (size_t i = 0; i < out.len; i++) {
        unsigned char c = (unsigned char)out.buf[i];
        if (c != '\n' && (c < 0x20 || c > 0x7e))
            fail_msg("byte 0x%02x at %zu in:\n%s", c, i, out.buf);
    }
    return out;
}

/* Expected outputs are kept in parts (a C string literal has a length limit). */
static char *join(const char *const *parts)
{
    size_t n = 0;
    for (size_t i = 0; parts[i]; i++)
        n += strlen(parts[i]);
    char *s = malloc(n + 1);
    assert_non_null(s);
    n = 0;
    for (size_t i = 0; parts[i]; i++) {
        size_t l = strlen(parts[i]);
        memcpy(s + n, parts[i], l);
        n += l;
    }
    s[n] = '\0';
    return s;
}

static void expect_output(const struct output *o, const char *want, const char *what)
{
    if (strcmp(o->buf, want) == 0)
        return;
    size_t i = 0;
    while (o->buf[i] && o->buf[i] == want[i])
        i++;
    fail_msg("%s: differs at byte %zu:\n--- got\n%s\n--- want\n%s", what, i, o->buf, want);
}

static void expect_has(const struct output *o, const char *frag)
{
    if (!strstr(o->buf, frag))
        fail_msg("'%s' not in:\n%s", frag, o->buf);
}

static void expect_not(const struct output *o, const char *frag)
{
    if (strstr(o->buf, frag))
        fail_msg("'%s' in:\n%s", frag, o->buf);
}

/* ---- emit_format_parse ---- */

static void test_format_parse(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool ok;
        enum emit_format f;
    } cases[] = {
        {"text", true, EMIT_TEXT},   {"az", true, EMIT_AZ},       {"yaml", true, EMIT_YAML},
        {"bicep", true, EMIT_BICEP}, {"AZ", false, EMIT_TEXT},    {"", false, EMIT_TEXT},
        {"json", false, EMIT_TEXT},  {"yaml ", false, EMIT_TEXT}, {NULL, false, EMIT_TEXT},
    };
    for (size_t i = 0; cases[i].s; i++) {
        enum emit_format f = (enum emit_format)99;
        assert_int_equal(emit_format_parse(cases[i].s, &f), cases[i].ok);
        if (cases[i].ok)
            assert_int_equal(f, cases[i].f);
        else
            assert_int_equal(f, 99); /* untouched */
    }
    enum emit_format f;
    assert_false(emit_format_parse(NULL, &f));
}

/* ---- every format for one rule set ---- */

static const char *const want_text[] = {
    "pypi.org  # profile curated\n"
    "*.hf.co  # rules.txt:2\n"
    "10.0.0.0/8:443/tcp  # rules.txt:3\n"
    "[2001:db8::/32]:443,8000-8100/tcp  # rules.txt:4\n"
    "2001:db8:1::/48  # rules.txt:5\n"
    "tag:AzureMachineLearning:443/tcp  # ws.yaml:10\n"
    "# private endpoint storage-pe: /subscriptions/0000/resourceGroups/rg/providers/M"
    "icrosoft.Storage/storageAccounts/mystore (not expressible in a text rule file)\n"
    "# inactive in its source (status Inactive): it permits nothing\n"
    "# huggingface.co  # ws.yaml:30\n"
    "# category required: Azure adds this rule itself\n"
    "# mcr.microsoft.com  # ws.yaml:40\n"
    "example.com  # evil\\x1b[31m.yaml:1\n",
    NULL,
};

static const char *const want_az[] = {
    "# Outbound rules of an Azure ML workspace managed network in \"allow only approve"
    "d outbound\" mode\n"
    "# (az ml workspace create/update --managed-network allow_only_approved_outbound)"
    ".\n"
    "# FQDN rules make the workspace provision a managed Azure Firewall, which is bil"
    "led:\n"
    "# standard SKU by default; firewall_sku: basic under managed_network in the workspace YAML "
    "selects basic.\n"
    "# The managed network is created with the first compute; to provision it ahead o"
    "f that:\n"
    "#   az ml workspace provision-network --resource-group RG --name WS\n"
    "# RG and WS are placeholders: replace them with your resource group and workspac"
    "e names.\n"
    "\n",
    "az ml workspace outbound-rule set --resource-group RG --workspace-name WS --rule"
    " allow-pypi-org --type fqdn --destination pypi.org  # profile curated\n"
    "\n",
    "az ml workspace outbound-rule set --resource-group RG --workspace-name WS --rule"
    " hf-wild --type fqdn --destination '*.hf.co'  # rules.txt:2\n"
    "\n",
    "# az ml workspace outbound-rule set wants --service-tag even with --address-pref"
    "ixes: use the YAML or Bicep output for this rule\n"
    "# az ml workspace outbound-rule set --resource-group RG --workspace-name WS --ru"
    "le allow-10-0-0-0-8 --type service_tag --address-prefixes 10.0.0.0/8 --protocol "
    "TCP --port-ranges 443  # rules.txt:3\n"
    "\n",
    "# az ml workspace outbound-rule set wants --service-tag even with --address-pref"
    "ixes: use the YAML or Bicep output for this rule\n"
    "# az ml workspace outbound-rule set --resource-group RG --workspace-name WS --ru"
    "le allow-2001-db8-32 --type service_tag --address-prefixes 2001:db8::/32 --proto"
    "col TCP --port-ranges 443,8000-8100  # rules.txt:4\n"
    "\n",
    "# az ml workspace outbound-rule set wants --service-tag even with --address-pref"
    "ixes: use the YAML or Bicep output for this rule\n"
    "# az ml workspace outbound-rule set --resource-group RG --workspace-name WS --ru"
    "le allow-2001-db8-1-48 --type service_tag --address-prefixes 2001:db8:1::/48  # "
    "rules.txt:5\n"
    "\n",
    "az ml workspace outbound-rule set --resource-group RG --workspace-name WS --rule"
    " aml-tag --type service_tag --service-tag AzureMachineLearning --protocol TCP --"
    "port-ranges 443  # ws.yaml:10\n"
    "\n",
    "# az also wants --subresource-target (blob, file, vault, ...): the source does n"
    "ot give it\n"
    "az ml workspace outbound-rule set --resource-group RG --workspace-name WS --rule"
    " storage-pe --type private_endpoint --service-resource-id /subscriptions/0000/re"
    "sourceGroups/rg/providers/Microsoft.Storage/storageAccounts/mystore  # ws.yaml:2"
    "0\n"
    "\n",
    "# inactive in its source (status Inactive): it permits nothing\n"
    "# az ml workspace outbound-rule set --resource-group RG --workspace-name WS --ru"
    "le hf-inactive --type fqdn --destination huggingface.co  # ws.yaml:30\n"
    "\n",
    "# category required: Azure adds this rule itself\n"
    "# az ml workspace outbound-rule set --resource-group RG --workspace-name WS --ru"
    "le mcr --type fqdn --destination mcr.microsoft.com  # ws.yaml:40\n"
    "\n",
    "# the rule name is not a valid Azure name (3-33 of letters, digits, '_', '-'; a "
    "letter or digit first)\n"
    "az ml workspace outbound-rule set --resource-group RG --workspace-name WS --rule"
    " 'it'\\''s'$'\\x01''bad' --type fqdn --destination example.com  # evil\\x1b[31m.yam"
    "l:1\n",
    NULL,
};

static const char *const want_yaml[] = {
    "# managed_network of an Azure ML workspace YAML, \"allow only approved outbound\" "
    "mode;\n"
    "# apply with az ml workspace update --file FILE --resource-group 'my rg' --name "
    "'ws'\\''1'\n"
    "# FQDN rules make the workspace provision a managed Azure Firewall, which is bil"
    "led:\n"
    "# standard SKU by default; firewall_sku: basic under managed_network in the workspace YAML "
    "selects basic.\n"
    "# The managed network is created with the first compute; to provision it ahead o"
    "f that:\n"
    "#   az ml workspace provision-network --resource-group 'my rg' --name 'ws'\\''1'\n"
    "managed_network:\n"
    "  isolation_mode: allow_only_approved_outbound\n"
    "  outbound_rules:\n"
    "  - name: allow-pypi-org  # profile curated\n"
    "    type: fqdn\n"
    "    destination: pypi.org\n"
    "    category: user_defined\n"
    "  - name: hf-wild  # rules.txt:2\n"
    "    type: fqdn\n"
    "    destination: \"*.hf.co\"\n"
    "    category: user_defined\n"
    "  - name: allow-10-0-0-0-8  # rules.txt:3\n"
    "    type: service_tag\n"
    "    destination:\n"
    "      address_prefixes:\n"
    "      - \"10.0.0.0/8\"\n"
    "      protocol: TCP\n"
    "      port_ranges: \"443\"\n"
    "    category: user_defined\n"
    "  - name: allow-2001-db8-32  # rules.txt:4\n"
    "    type: service_tag\n"
    "    destination:\n"
    "      address_prefixes:\n"
    "      - \"2001:db8::/32\"\n"
    "      protocol: TCP\n"
    "      port_ranges: \"443,8000-8100\"\n"
    "    category: user_defined\n"
    "  - name: allow-2001-db8-1-48  # rules.txt:5\n"
    "    type: service_tag\n"
    "    destination:\n"
    "      address_prefixes:\n"
    "      - \"2001:db8:1::/48\"\n"
    "      # Azure wants protocol and port_ranges: the source does not give them all\n"
    "    category: user_defined\n"
    "  - name: aml-tag  # ws.yaml:10\n"
    "    type: service_tag\n"
    "    destination:\n"
    "      service_tag: AzureMachineLearning\n"
    "      protocol: TCP\n"
    "      port_ranges: \"443\"\n"
    "    category: user_defined\n"
    "  - name: storage-pe  # ws.yaml:20\n"
    "    type: private_endpoint\n"
    "    destination:\n"
    "      service_resource_id: /subscriptions/0000/resourceGroups/rg/providers/Micro"
    "soft.Storage/storageAccounts/mystore\n"
    "      # add subresource_target (blob, file, vault, ...): the source does not giv"
    "e it\n"
    "    category: user_defined\n"
    "  # inactive in its source (status Inactive): it permits nothing\n"
    "#   - name: hf-inactive  # ws.yaml:30\n"
    "#     type: fqdn\n"
    "#     destination: huggingface.co\n"
    "#     category: user_defined\n"
    "  # category required: Azure adds this rule itself\n"
    "#   - name: mcr  # ws.yaml:40\n"
    "#     type: fqdn\n"
    "#     destination: mcr.microsoft.com\n"
    "#     category: user_defined\n"
    "  # the rule name is not a valid Azure name (3-33 of letters, digits, '_', '-'; "
    "a letter or digit first)\n"
    "  - name: \"it's\\x01bad\"  # evil\\x1b[31m.yaml:1\n"
    "    type: fqdn\n"
    "    destination: example.com\n"
    "    category: user_defined\n",
    NULL,
};

static const char *const want_bicep[] = {
    "// Outbound rules of an Azure ML workspace managed network in \"allow only approv"
    "ed outbound\" mode\n"
    "// (the workspace's managedNetwork.isolationMode is AllowOnlyApprovedOutbound).\n"
    "// Deploy with az deployment group create --resource-group RG --template-file FI"
    "LE\n"
    "// FQDN rules make the workspace provision a managed Azure Firewall, which is bi"
    "lled:\n"
    "// standard SKU by default; firewall_sku: basic under managed_network in the workspace YAML"
    " selects basic.\n"
    "// The managed network is created with the first compute; to provision it ahead "
    "of that:\n"
    "//   az ml workspace provision-network --resource-group RG --name WS\n"
    "// RG and WS are placeholders: replace them with your resource group and workspa"
    "ce names.\n"
    "\n",
    "param workspaceName string = 'WS'\n"
    "\n",
    "resource workspace 'Microsoft.MachineLearningServices/workspaces@2024-10-01' exi"
    "sting = {\n"
    "  name: workspaceName\n"
    "}\n"
    "\n",
    "// profile curated\n"
    "resource rule_1 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024"
    "-10-01' = {\n"
    "  parent: workspace\n"
    "  name: 'allow-pypi-org'\n"
    "  properties: {\n"
    "    type: 'FQDN'\n"
    "    category: 'UserDefined'\n"
    "    destination: 'pypi.org'\n"
    "  }\n"
    "}\n"
    "\n",
    "// rules.txt:2\n"
    "resource rule_2 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024"
    "-10-01' = {\n"
    "  parent: workspace\n"
    "  name: 'hf-wild'\n"
    "  properties: {\n"
    "    type: 'FQDN'\n"
    "    category: 'UserDefined'\n"
    "    destination: '*.hf.co'\n"
    "  }\n"
    "}\n"
    "\n",
    "// rules.txt:3\n"
    "resource rule_3 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024"
    "-10-01' = {\n"
    "  parent: workspace\n"
    "  name: 'allow-10-0-0-0-8'\n"
    "  properties: {\n"
    "    type: 'ServiceTag'\n"
    "    category: 'UserDefined'\n"
    "    destination: {\n"
    "      addressPrefixes: [\n"
    "        '10.0.0.0/8'\n"
    "      ]\n"
    "      protocol: 'TCP'\n"
    "      portRanges: '443'\n"
    "    }\n"
    "  }\n"
    "}\n"
    "\n",
    "// rules.txt:4\n"
    "resource rule_4 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024"
    "-10-01' = {\n"
    "  parent: workspace\n"
    "  name: 'allow-2001-db8-32'\n"
    "  properties: {\n"
    "    type: 'ServiceTag'\n"
    "    category: 'UserDefined'\n"
    "    destination: {\n"
    "      addressPrefixes: [\n"
    "        '2001:db8::/32'\n"
    "      ]\n"
    "      protocol: 'TCP'\n"
    "      portRanges: '443,8000-8100'\n"
    "    }\n"
    "  }\n"
    "}\n"
    "\n",
    "// rules.txt:5\n"
    "resource rule_5 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024"
    "-10-01' = {\n"
    "  parent: workspace\n"
    "  name: 'allow-2001-db8-1-48'\n"
    "  properties: {\n"
    "    type: 'ServiceTag'\n"
    "    category: 'UserDefined'\n"
    "    destination: {\n"
    "      addressPrefixes: [\n"
    "        '2001:db8:1::/48'\n"
    "      ]\n"
    "      // Azure wants protocol and portRanges: the source does not give them all\n"
    "    }\n"
    "  }\n"
    "}\n"
    "\n",
    "// ws.yaml:10\n"
    "resource rule_6 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024"
    "-10-01' = {\n"
    "  parent: workspace\n"
    "  name: 'aml-tag'\n"
    "  properties: {\n"
    "    type: 'ServiceTag'\n"
    "    category: 'UserDefined'\n"
    "    destination: {\n"
    "      serviceTag: 'AzureMachineLearning'\n"
    "      protocol: 'TCP'\n"
    "      portRanges: '443'\n"
    "    }\n"
    "  }\n"
    "}\n"
    "\n",
    "// ws.yaml:20\n"
    "resource rule_7 'Microsoft.MachineLearningServices/workspaces/outboundRules@2024"
    "-10-01' = {\n"
    "  parent: workspace\n"
    "  name: 'storage-pe'\n"
    "  properties: {\n"
    "    type: 'PrivateEndpoint'\n"
    "    category: 'UserDefined'\n"
    "    destination: {\n"
    "      serviceResourceId: '/subscriptions/0000/resourceGroups/rg/providers/Micros"
    "oft.Storage/storageAccounts/mystore'\n"
    "      // add subresourceTarget (blob, file, vault, ...): the source does not giv"
    "e it\n"
    "    }\n"
    "  }\n"
    "}\n"
    "\n",
    "// inactive in its source (status Inactive): it permits nothing\n"
    "// ws.yaml:30\n"
    "// resource rule_8 'Microsoft.MachineLearningServices/workspaces/outboundRules@2"
    "024-10-01' = {\n"
    "//   parent: workspace\n"
    "//   name: 'hf-inactive'\n"
    "//   properties: {\n"
    "//     type: 'FQDN'\n"
    "//     category: 'UserDefined'\n"
    "//     destination: 'huggingface.co'\n"
    "//   }\n"
    "// }\n"
    "\n",
    "// category required: Azure adds this rule itself\n"
    "// ws.yaml:40\n"
    "// resource rule_9 'Microsoft.MachineLearningServices/workspaces/outboundRules@2"
    "024-10-01' = {\n"
    "//   parent: workspace\n"
    "//   name: 'mcr'\n"
    "//   properties: {\n"
    "//     type: 'FQDN'\n"
    "//     category: 'UserDefined'\n"
    "//     destination: 'mcr.microsoft.com'\n"
    "//   }\n"
    "// }\n"
    "\n",
    "// the rule name is not a valid Azure name (3-33 of letters, digits, '_', '-'; a"
    " letter or digit first)\n"
    "// evil\\x1b[31m.yaml:1\n"
    "resource rule_10 'Microsoft.MachineLearningServices/workspaces/outboundRules@202"
    "4-10-01' = {\n"
    "  parent: workspace\n"
    "  name: 'it\\'s\\u{01}bad'\n"
    "  properties: {\n"
    "    type: 'FQDN'\n"
    "    category: 'UserDefined'\n"
    "    destination: 'example.com'\n"
    "  }\n"
    "}\n",
    NULL,
};

struct format_case {
    const char *title;
    enum emit_format f;
    struct emit_opts opts;
    const char *const *want;
};

static const struct format_case format_cases[] = {
    {"text", EMIT_TEXT, {NULL, NULL}, want_text},
    {"az", EMIT_AZ, {NULL, NULL}, want_az},
    {"yaml", EMIT_YAML, {"my rg", "ws'1"}, want_yaml},
    {"bicep", EMIT_BICEP, {NULL, NULL}, want_bicep},
    {NULL, EMIT_TEXT, {NULL, NULL}, NULL},
};

static void test_rules_formats(void **state)
{
    (void)state;
    for (const struct format_case *c = format_cases; c->title; c++) {
        struct ea_report r;
        ea_report_init(&r);
        fx_rules(&r);
        char *want = join(c->want);
        struct output o = run(&r, false, c->f, &c->opts);
        expect_output(&o, want, c->title);
        free(o.buf);
        /* the same with NULL options as with empty ones */
        if (!c->opts.resource_group) {
            o = run(&r, false, c->f, NULL);
            expect_output(&o, want, c->title);
            free(o.buf);
        }
        free(want);
        ea_report_finish(&r);
    }
}

static const char *const want_remedies_az[] = {
    "# Outbound rules of an Azure ML workspace managed network in \"allow only approve"
    "d outbound\" mode\n"
    "# (az ml workspace create/update --managed-network allow_only_approved_outbound)"
    ".\n"
    "# FQDN rules make the workspace provision a managed Azure Firewall, which is bil"
    "led:\n"
    "# standard SKU by default; firewall_sku: basic under managed_network in the workspace YAML "
    "selects basic.\n"
    "# The managed network is created with the first compute; to provision it ahead o"
    "f that:\n"
    "#   az ml workspace provision-network --resource-group RG --name WS\n"
    "# RG and WS are placeholders: replace them with your resource group and workspac"
    "e names.\n"
    "\n",
    "az ml workspace outbound-rule set --resource-group RG --workspace-name WS --rule"
    " allow-cas-bridge-xethub-hf-co --type fqdn --destination cas-bridge.xethub.hf.co\n"
    "\n",
    "az ml workspace outbound-rule set --resource-group RG --workspace-name WS --rule"
    " allow-pypi-org-2 --type fqdn --destination pypi.org\n"
    "\n",
    "az ml workspace outbound-rule set --resource-group RG --workspace-name WS --rule"
    " allow-transfer-xethub-hf-co --type fqdn --destination transfer.xethub.hf.co\n"
    "\n",
    "# a wider alternative: one wildcard rule instead of the exact rules for the name"
    "s it covers\n"
    "# az ml workspace outbound-rule set --resource-group RG --workspace-name WS --ru"
    "le allow-xethub-hf-co --type fqdn --destination '*.xethub.hf.co'  # covers cas-b"
    "ridge.xethub.hf.co, transfer.xethub.hf.co\n",
    NULL,
};

static const char *const want_remedies_text[] = {
    "cas-bridge.xethub.hf.co  # covers cas-bridge.xethub.hf.co\n"
    "pypi.org  # covers pypi.org\n"
    "transfer.xethub.hf.co  # covers transfer.xethub.hf.co\n"
    "# a wider alternative: one wildcard rule instead of the exact rules for the name"
    "s it covers\n"
    "# *.xethub.hf.co  # covers cas-bridge.xethub.hf.co, transfer.xethub.hf.co\n",
    NULL,
};

static void test_remedies(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    fx_remedies(&r);
    char *want = join(want_remedies_az);
    struct output o = run(&r, true, EMIT_AZ, NULL);
    expect_output(&o, want, "az");
    free(o.buf);
    free(want);
    want = join(want_remedies_text);
    o = run(&r, true, EMIT_TEXT, NULL);
    expect_output(&o, want, "text");
    free(o.buf);
    free(want);
    o = run(&r, true, EMIT_YAML, NULL);
    expect_has(&o, "  - name: allow-pypi-org-2\n    type: fqdn\n    destination: pypi.org\n");
    expect_has(&o, "#     destination: \"*.xethub.hf.co\"\n");
    free(o.buf);
    o = run(&r, true, EMIT_BICEP, NULL);
    expect_has(&o, "\nresource rule_1 'Microsoft.MachineLearningServices/workspaces/"
                   "outboundRules@2024-10-01' = {\n  parent: workspace\n"
                   "  name: 'allow-cas-bridge-xethub-hf-co'\n");
    expect_has(&o, "//     destination: '*.xethub.hf.co'\n");
    free(o.buf);
    ea_report_finish(&r);
}

/* The emitter only formats: a remedy without a rule name (policy always
 * gives one) is not named on the way out, it is written commented out with
 * the reason. */
static void test_remedies_unnamed(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    fx_remedies(&r);
    for (size_t i = 0; i < r.n_remedies; i++)
        ea_str_clear(&r.remedies[i].rule_name);
    struct output o = run(&r, true, EMIT_AZ, NULL);
    expect_has(&o, "# the rule name is not a valid Azure name");
    expect_has(&o, "--rule '' --type fqdn --destination pypi.org\n");
    free(o.buf);
    ea_report_finish(&r);
}

/* Unnamed loaded rules get names unique among themselves too. */
static void test_rules_unnamed(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    struct ea_rule *x = fx_rule(&r, EA_RULE_FQDN, "a:1");
    fx_fqdn(x, "hf.co", EA_FQDN_EXACT, "hf.co");
    x = fx_rule(&r, EA_RULE_FQDN, "a:2");
    fx_fqdn(x, "*.hf.co", EA_FQDN_SUBDOMAINS, "hf.co");
    x = fx_rule(&r, EA_RULE_FQDN, "a:3");
    fx_fqdn(x, "*hf.co", EA_FQDN_SUFFIX, "hf.co");
    FX_S(&x->name, "ALLOW-HF-CO");
    x = fx_rule(&r, EA_RULE_FQDN, "a:4");
    fx_fqdn(x, "*", EA_FQDN_ANY, "");
    x = fx_rule(&r, EA_RULE_SERVICE_TAG, "a:5");
    FX_S(&x->service_tag, "Storage.WestEurope");
    FX_S(&x->destination, "Storage.WestEurope");
    x = fx_rule(&r, EA_RULE_PRIVATE_ENDPOINT, "a:6");
    FX_S(&x->destination, "/subscriptions/1/resourceGroups/g/providers/Microsoft.KeyVault/"
                          "vaults/my-vault/");
    struct output o = run(&r, false, EMIT_AZ, NULL);
    expect_has(&o, "--rule allow-hf-co-2 --type fqdn --destination hf.co ");
    expect_has(&o, "--rule allow-hf-co-3 --type fqdn --destination '*.hf.co' ");
    expect_has(&o, "--rule ALLOW-HF-CO --type fqdn --destination '*hf.co' ");
    expect_has(&o, "--rule allow --type fqdn --destination '*' ");
    expect_has(&o, "# az also wants --protocol and --port-ranges: the source does not give them "
                   "all\naz ml workspace outbound-rule set --resource-group RG --workspace-name "
                   "WS --rule allow-storage-westeurope --type service_tag --service-tag "
                   "Storage.WestEurope  # a:5\n");
    expect_has(&o, "--rule allow-my-vault --type private_endpoint --service-resource-id "
                   "/subscriptions/1/resourceGroups/g/providers/Microsoft.KeyVault/vaults/"
                   "my-vault/  # a:6\n");
    free(o.buf);
    o = run(&r, false, EMIT_TEXT, NULL);
    expect_output(&o,
                  "hf.co  # a:1\n*.hf.co  # a:2\n*hf.co  # a:3\n*  # a:4\n"
                  "tag:Storage.WestEurope  # a:5\n"
                  "# private endpoint allow-my-vault: /subscriptions/1/resourceGroups/g/"
                  "providers/Microsoft.KeyVault/vaults/my-vault/ (not expressible in a text "
                  "rule file)\n",
                  "text");
    free(o.buf);
    ea_report_finish(&r);
}

/* Private endpoints keep what the source gives: subresource_target and
 * spark_enabled come out in az, YAML and Bicep; the placeholder comment only
 * when the source does not give the target. */
static void test_private_endpoint_fields(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    struct ea_rule *x = fx_rule(&r, EA_RULE_PRIVATE_ENDPOINT, "o1");
    FX_S(&x->name, "pe-blob");
    FX_S(&x->destination, "/s/a");
    FX_S(&x->subresource_target, "blob");
    x->has_spark_enabled = true;
    x->spark_enabled = false;
    x = fx_rule(&r, EA_RULE_PRIVATE_ENDPOINT, "o2");
    FX_S(&x->name, "pe-vault");
    FX_S(&x->destination, "/s/b");
    FX_S(&x->subresource_target, "it's ${x}");
    x->has_spark_enabled = true;
    x->spark_enabled = true;
    x = fx_rule(&r, EA_RULE_PRIVATE_ENDPOINT, "o3");
    FX_S(&x->name, "pe-none");
    FX_S(&x->destination, "/s/c");
    x = fx_rule(&r, EA_RULE_PRIVATE_ENDPOINT, "o4");
    FX_S(&x->name, "pe-at");
    FX_S(&x->destination, "/s/d");
    FX_S(&x->subresource_target, "@file");

    struct output o = run(&r, false, EMIT_AZ, NULL);
    expect_has(&o, "\naz ml workspace outbound-rule set --resource-group RG --workspace-name WS "
                   "--rule pe-blob --type private_endpoint --service-resource-id /s/a "
                   "--subresource-target blob --spark-enabled false  # o1\n");
    expect_has(&o, "\naz ml workspace outbound-rule set --resource-group RG --workspace-name WS "
                   "--rule pe-vault --type private_endpoint --service-resource-id /s/b "
                   "--subresource-target 'it'\\''s ${x}' --spark-enabled true  # o2\n");
    expect_has(&o, "\n# az also wants --subresource-target (blob, file, vault, ...): the source "
                   "does not give it\naz ml workspace outbound-rule set --resource-group RG "
                   "--workspace-name WS --rule pe-none --type private_endpoint "
                   "--service-resource-id /s/c  # o3\n");
    expect_has(&o, "\n# an argument starts with '@', which az reads as a file name\n"
                   "# az ml workspace outbound-rule set --resource-group RG --workspace-name WS "
                   "--rule pe-at --type private_endpoint --service-resource-id /s/d "
                   "--subresource-target @file  # o4\n");
    /* the placeholder once: for the rule without a target */
    assert_null(strstr(strstr(o.buf, "does not give it") + 1, "does not give it"));
    free(o.buf);

    o = run(&r, false, EMIT_YAML, NULL);
    expect_has(&o, "  - name: pe-blob  # o1\n    type: private_endpoint\n    destination:\n"
                   "      service_resource_id: /s/a\n      subresource_target: blob\n"
                   "      spark_enabled: false\n    category: user_defined\n");
    expect_has(&o, "      service_resource_id: /s/b\n      subresource_target: \"it's ${x}\"\n"
                   "      spark_enabled: true\n");
    expect_has(&o, "      service_resource_id: /s/c\n      # add subresource_target (blob, file, "
                   "vault, ...): the source does not give it\n    category: user_defined\n");
    free(o.buf);

    o = run(&r, false, EMIT_BICEP, NULL);
    expect_has(&o, "      serviceResourceId: '/s/a'\n      subresourceTarget: 'blob'\n"
                   "      sparkEnabled: false\n    }\n");
    expect_has(&o, "      serviceResourceId: '/s/b'\n      subresourceTarget: 'it\\'s \\${x}'\n"
                   "      sparkEnabled: true\n    }\n");
    expect_has(&o, "      serviceResourceId: '/s/c'\n      // add subresourceTarget (blob, file, "
                   "vault, ...): the source does not give it\n    }\n");
    free(o.buf);
    ea_report_finish(&r);
}

/* An Inactive rule that would permit denied names: the remedy is to make it
 * Active, written under the rule's own name and destination, never a new
 * rule with another name. az cannot set the status: a comment says how. */
static void test_remedies_activate(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    struct ea_rule *x = fx_rule(&r, EA_RULE_FQDN, "ws.yml:14");
    fx_fqdn(x, "*.pythonhosted.org", EA_FQDN_SUBDOMAINS, "pythonhosted.org");
    FX_S(&x->name, "allow-pythonhosted");
    FX_S(&x->status, "Inactive");
    x->inactive = true;
    assert_true(policy_prepare_rules(&r));
    static const char *const names[] = {"files.pythonhosted.org", "pypi.org"};
    r.hosts = calloc(2, sizeof *r.hosts);
    assert_non_null(r.hosts);
    r.n_hosts = 2;
    for (size_t i = 0; i < 2; i++) {
        fx_str(&r.hosts[i].key, names[i], strlen(names[i]));
        r.hosts[i].named = true;
        r.hosts[i].verdict = EA_V_DENIED;
        r.hosts[i].rule = i == 0 ? 0 : -1;
    }
    assert_true(policy_build_remedies(&r));
    assert_int_equal(r.n_remedies, 2);

    struct output o = run(&r, true, EMIT_AZ, NULL);
    expect_has(&o, "\n\n# activate rule allow-pythonhosted (ws.yml:14): it is Inactive, so it "
                   "permits nothing\n"
                   "# az ml workspace outbound-rule set has no --status option: make the rule "
                   "Active with status: Active in the workspace YAML (--emit yaml) or "
                   "properties.status: 'Active' in ARM (--emit bicep)\n"
                   "az ml workspace outbound-rule set --resource-group RG --workspace-name WS "
                   "--rule allow-pythonhosted --type fqdn --destination '*.pythonhosted.org'  "
                   "# covers files.pythonhosted.org\n");
    expect_has(&o, "--rule allow-pypi-org --type fqdn --destination pypi.org\n");
    expect_not(&o, "files-pythonhosted");
    free(o.buf);

    o = run(&r, true, EMIT_YAML, NULL);
    expect_has(&o, "  outbound_rules:\n"
                   "  # activate rule allow-pythonhosted (ws.yml:14): it is Inactive, so it "
                   "permits nothing\n"
                   "  - name: allow-pythonhosted  # covers files.pythonhosted.org\n"
                   "    type: fqdn\n    destination: \"*.pythonhosted.org\"\n"
                   "    category: user_defined\n    status: Active\n"
                   "  - name: allow-pypi-org\n");
    free(o.buf);

    o = run(&r, true, EMIT_BICEP, NULL);
    expect_has(&o, "\n// activate rule allow-pythonhosted (ws.yml:14): it is Inactive, so it "
                   "permits nothing\n// covers files.pythonhosted.org\n"
                   "resource rule_1 'Microsoft.MachineLearningServices/workspaces/"
                   "outboundRules@2024-10-01' = {\n  parent: workspace\n"
                   "  name: 'allow-pythonhosted'\n  properties: {\n    type: 'FQDN'\n"
                   "    category: 'UserDefined'\n    destination: '*.pythonhosted.org'\n"
                   "    status: 'Active'\n  }\n}\n");
    free(o.buf);

    o = run(&r, true, EMIT_TEXT, NULL);
    expect_output(&o,
                  "# activate rule allow-pythonhosted (ws.yml:14): it is Inactive, so it permits "
                  "nothing\n"
                  "*.pythonhosted.org  # covers files.pythonhosted.org\n"
                  "pypi.org  # covers pypi.org\n",
                  "text");
    free(o.buf);
    ea_report_finish(&r);
}

/* ---- quoting and escaping ---- */

struct escape_case {
    const char *name; /* a rule name from an input file */
    size_t len;
    const char *az, *yaml, *bicep; /* how each format writes it */
};

#define S(lit) lit, sizeof(lit) - 1

static const struct escape_case escape_cases[] = {
    {S("plain-name_1"), "--rule plain-name_1 ", "- name: plain-name_1 ", "name: 'plain-name_1'\n"},
    {S("it's"), "--rule 'it'\\''s' ", "- name: \"it's\" ", "name: 'it\\'s'\n"},
    {S("'"), "--rule ''\\''' ", "- name: \"'\" ", "name: '\\''\n"},
    {S("a b"), "--rule 'a b' ", "- name: \"a b\" ", "name: 'a b'\n"},
    {S("$(id)`x`"), "--rule '$(id)`x`' ", "- name: \"$(id)`x`\" ", "name: '$(id)`x`'\n"},
    {S("${x}"), "--rule '${x}' ", "- name: \"${x}\" ", "name: '\\${x}'\n"},
    {S("q\"b\\s"), "--rule 'q\"b\\s' ", "- name: \"q\\\"b\\\\s\" ", "name: 'q\"b\\\\s'\n"},
    {S("a\nb\tc\rd"), "--rule 'a'$'\\x0a''b'$'\\x09''c'$'\\x0d''d' ",
     "- name: \"a\\x0ab\\x09c\\x0dd\" ", "name: 'a\\nb\\tc\\rd'\n"},
    {S("\x1b[31mred"), "--rule $'\\x1b''[31mred' ", "- name: \"\\x1b[31mred\" ",
     "name: '\\u{1b}[31mred'\n"},
    {S("nul\0x"), "--rule 'nul'$'\\x00''x' ", "- name: \"nul\\x00x\" ", "name: 'nul\\u{00}x'\n"},
    {S("del\x7f"), "--rule 'del'$'\\x7f' ", "- name: \"del\\x7f\" ", "name: 'del\\u{7f}'\n"},
    {S("caf\xc3\xa9"), "--rule 'caf'$'\\xc3'$'\\xa9' ", "- name: \"caf\\xe9\" ",
     "name: 'caf\\u{e9}'\n"},
    {S("\xe2\x82\xac-\xf0\x9f\x98\x80"),
     "--rule $'\\xe2'$'\\x82'$'\\xac''-'$'\\xf0'$'\\x9f'$'\\x98'$'\\x80' ",
     "- name: \"\\u20ac-\\U0001f600\" ", "name: '\\u{20ac}-\\u{1f600}'\n"},
    {S("bad\xff\xc3"), "--rule 'bad'$'\\xff'$'\\xc3' ", "- name: \"bad\\uFFFD\\uFFFD\" ",
     "name: 'bad\\u{fffd}\\u{fffd}'\n"},
    {S("\xed\xa0\x80"), "--rule $'\\xed'$'\\xa0'$'\\x80' ", "- name: \"\\uFFFD\\uFFFD\\uFFFD\" ",
     "name: '\\u{fffd}\\u{fffd}\\u{fffd}'\n"},
    {S("*.x"), "--rule '*.x' ", "- name: \"*.x\" ", "name: '*.x'\n"},
    {S("yes"), "--rule yes ", "- name: \"yes\" ", "name: 'yes'\n"},
    {S("Null"), "--rule Null ", "- name: \"Null\" ", "name: 'Null'\n"},
    {S("443"), "--rule 443 ", "- name: \"443\" ", "name: '443'\n"},
    {S("a:b"), "--rule a:b ", "- name: \"a:b\" ", "name: 'a:b'\n"},
    {S("#x"), "--rule '#x' ", "- name: \"#x\" ", "name: '#x'\n"},
    {S("-x"), "--rule=-x ", "- name: \"-x\" ", "name: '-x'\n"},
    {S(""), "--rule allow-example-com ", "- name: allow-example-com ",
     "name: 'allow-example-com'\n"},
    {NULL, 0, NULL, NULL, NULL},
};

static void test_escapes(void **state)
{
    (void)state;
    for (const struct escape_case *c = escape_cases; c->name; c++) {
        struct ea_report r;
        ea_report_init(&r);
        struct ea_rule *x = fx_rule(&r, EA_RULE_FQDN, "o");
        fx_fqdn(x, "example.com", EA_FQDN_EXACT, "example.com");
        fx_str(&x->name, c->name, c->len);
        struct output o = run(&r, false, EMIT_AZ, NULL);
        expect_has(&o, c->az);
        free(o.buf);
        o = run(&r, false, EMIT_YAML, NULL);
        expect_has(&o, c->yaml);
        free(o.buf);
        o = run(&r, false, EMIT_BICEP, NULL);
        expect_has(&o, c->bicep);
        free(o.buf);
        ea_report_finish(&r);
    }
}

/* An argument az would read as a file name is not left as a command. */
static void test_az_at(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    struct ea_rule *x = fx_rule(&r, EA_RULE_FQDN, "o");
    fx_fqdn(x, "example.com", EA_FQDN_EXACT, "example.com");
    FX_S(&x->name, "@/etc/passwd");
    x = fx_rule(&r, EA_RULE_SERVICE_TAG, "o");
    FX_S(&x->service_tag, "@tag");
    fx_port(x, 443, 443);
    x->protocol = EA_TCP;
    struct output o = run(&r, false, EMIT_AZ, NULL);
    expect_has(&o, "\n# an argument starts with '@', which az reads as a file name\n"
                   "# az ml workspace outbound-rule set --resource-group RG --workspace-name WS "
                   "--rule @/etc/passwd ");
    expect_has(&o, "\n# az ml workspace outbound-rule set --resource-group RG --workspace-name WS "
                   "--rule allow-tag --type service_tag --service-tag @tag --protocol TCP "
                   "--port-ranges 443  # o\n");
    expect_not(&o, "\naz ml");
    free(o.buf);
    ea_report_finish(&r);
}

/* Options with shell metacharacters; no FQDN rule, no firewall note. */
static void test_opts(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    struct ea_rule *x = fx_rule(&r, EA_RULE_SERVICE_TAG, "o");
    FX_S(&x->service_tag, "Storage");
    fx_port(x, 443, 443);
    x->protocol = EA_UDP;
    struct emit_opts opts = {"rg; rm -rf ~", NULL};
    struct output o = run(&r, false, EMIT_AZ, &opts);
    expect_has(&o, "--resource-group 'rg; rm -rf ~' --workspace-name WS --rule allow-storage "
                   "--type service_tag --service-tag Storage --protocol UDP --port-ranges 443");
    expect_has(&o, "#   az ml workspace provision-network --resource-group 'rg; rm -rf ~' "
                   "--name WS\n# WS is a placeholder: replace it with your workspace name.\n");
    expect_not(&o, "Firewall");
    expect_not(&o, "wants --protocol");
    free(o.buf);
    opts.resource_group = NULL;
    opts.workspace = "w${x}";
    o = run(&r, false, EMIT_BICEP, &opts);
    expect_has(&o, "param workspaceName string = 'w\\${x}'\n");
    expect_has(&o, "// RG is a placeholder: replace it with your resource group name.\n");
    expect_has(&o, "      serviceTag: 'Storage'\n      protocol: 'UDP'\n      portRanges: '443'\n");
    free(o.buf);
    o = run(&r, false, EMIT_TEXT, NULL);
    expect_output(&o, "tag:Storage:443/udp  # o\n", "text");
    free(o.buf);
    ea_report_finish(&r);
}

/* Nothing to emit. */
static void test_empty(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    struct output o = run(&r, false, EMIT_TEXT, NULL);
    expect_output(&o, "", "text");
    free(o.buf);
    o = run(&r, true, EMIT_YAML, NULL);
    expect_has(&o, "managed_network:\n  isolation_mode: allow_only_approved_outbound\n"
                   "  outbound_rules: []\n");
    expect_not(&o, "Firewall");
    free(o.buf);
    o = run(&r, true, EMIT_AZ, NULL);
    expect_not(&o, "\naz ml");
    free(o.buf);
    ea_report_finish(&r);
}

/* ---- the YAML parses back (libyaml) ---- */

static yaml_node_t *ymap_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    assert_non_null(map);
    assert_int_equal(map->type, YAML_MAPPING_NODE);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(key) &&
            memcmp(k->data.scalar.value, key, strlen(key)) == 0)
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

static void expect_scalar(yaml_node_t *n, const char *want, size_t len, bool quoted)
{
    assert_non_null(n);
    assert_int_equal(n->type, YAML_SCALAR_NODE);
    assert_int_equal(n->data.scalar.length, len);
    assert_memory_equal(n->data.scalar.value, want, len);
    if (quoted) /* a string, whatever a resolver would make of it plain */
        assert_int_equal(n->data.scalar.style, YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

static void test_yaml_parses(void **state)
{
    (void)state;
    struct ea_report r;
    ea_report_init(&r);
    fx_rules(&r);
    struct ea_rule *x = fx_rule(&r, EA_RULE_FQDN, "o");
    fx_fqdn(x, "example.net", EA_FQDN_EXACT, "example.net");
    FX_S(&x->name, "q\"b\\s \xe2\x82\xac\xf0\x9f\x98\x80 \x7f\x1b y \xc3\xa9\xc2\x85");
    struct output o = run(&r, false, EMIT_YAML, NULL);

    yaml_parser_t p;
    yaml_document_t d;
    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)o.buf, o.len);
    if (!yaml_parser_load(&p, &d))
        fail_msg("libyaml: %s at line %zu:\n%s", p.problem, p.problem_mark.line + 1, o.buf);
    yaml_node_t *root = yaml_document_get_root_node(&d);
    yaml_node_t *mn = ymap_get(&d, root, "managed_network");
    expect_scalar(ymap_get(&d, mn, "isolation_mode"), S("allow_only_approved_outbound"), false);
    yaml_node_t *rules = ymap_get(&d, mn, "outbound_rules");
    assert_non_null(rules);
    assert_int_equal(rules->type, YAML_SEQUENCE_NODE);
    /* 11 rules, the inactive and the required one commented out */
    size_t n = (size_t)(rules->data.sequence.items.top - rules->data.sequence.items.start);
    assert_int_equal(n, 9);
    yaml_node_t *item[9];
    for (size_t i = 0; i < n; i++)
        item[i] = yaml_document_get_node(&d, rules->data.sequence.items.start[i]);
    expect_scalar(ymap_get(&d, item[0], "name"), S("allow-pypi-org"), false);
    expect_scalar(ymap_get(&d, item[1], "destination"), S("*.hf.co"), true);
    expect_scalar(ymap_get(&d, item[1], "type"), S("fqdn"), false);
    expect_scalar(ymap_get(&d, item[1], "category"), S("user_defined"), false);
    yaml_node_t *dest = ymap_get(&d, item[3], "destination");
    expect_scalar(ymap_get(&d, dest, "port_ranges"), S("443,8000-8100"), true);
    expect_scalar(ymap_get(&d, dest, "protocol"), S("TCP"), false);
    yaml_node_t *pfx = ymap_get(&d, dest, "address_prefixes");
    assert_non_null(pfx);
    assert_int_equal(pfx->type, YAML_SEQUENCE_NODE);
    expect_scalar(yaml_document_get_node(&d, pfx->data.sequence.items.start[0]), S("2001:db8::/32"),
                  true);
    expect_scalar(ymap_get(&d, ymap_get(&d, item[5], "destination"), "service_tag"),
                  S("AzureMachineLearning"), false);
    expect_scalar(ymap_get(&d, ymap_get(&d, item[6], "destination"), "service_resource_id"),
                  S("/subscriptions/0000/resourceGroups/rg/providers/"
                    "Microsoft.Storage/storageAccounts/mystore"),
                  false);
    /* names with quotes, controls and non-ASCII come back byte for byte */
    expect_scalar(ymap_get(&d, item[7], "name"),
                  S("it's\x01"
                    "bad"),
                  true);
    expect_scalar(ymap_get(&d, item[8], "name"),
                  S("q\"b\\s \xe2\x82\xac\xf0\x9f\x98\x80 \x7f\x1b y \xc3\xa9\xc2\x85"), true);
    yaml_document_delete(&d);
    yaml_parser_delete(&p);
    free(o.buf);
    ea_report_finish(&r);
}

/* ---- write errors ---- */

static void test_write_error(void **state)
{
    (void)state;
    static const enum emit_format formats[] = {EMIT_TEXT, EMIT_AZ, EMIT_YAML, EMIT_BICEP};
    struct ea_report r;
    ea_report_init(&r);
    fx_rules(&r);
    fx_remedies(&r);
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        for (int remedies = 0; remedies < 2; remedies++) {
            FILE *f = fopen("/dev/full", "w");
            if (!f)
                skip();
            int rc = remedies ? emit_remedies(&r, formats[i], NULL, f)
                              : emit_rules(&r, formats[i], NULL, f);
            assert_int_equal(rc, -1);
            fclose(f);
        }
    }
    /* an unknown format writes nothing and fails */
    struct output o = {0};
    FILE *f = open_memstream(&o.buf, &o.len);
    assert_non_null(f);
    assert_int_equal(emit_rules(&r, (enum emit_format)42, NULL, f), -1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(o.len, 0);
    free(o.buf);
    ea_report_finish(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_rules_formats),
        cmocka_unit_test(test_remedies),
        cmocka_unit_test(test_remedies_unnamed),
        cmocka_unit_test(test_rules_unnamed),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_az_at),
        cmocka_unit_test(test_opts),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_yaml_parses),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_private_endpoint_fields),
        cmocka_unit_test(test_remedies_activate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
