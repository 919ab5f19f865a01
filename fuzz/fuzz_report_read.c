/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A JSON report read back: report_read_json_buffer(); what it accepts is
 * rendered (text, JSON, the rules to add), then judged again against a fixed
 * allowlist as `egress-audit report -p` does. The reader's contract is
 * checked too: what it accepted, written as JSON, reads back and writes
 * the same bytes again; a refusal is one line.
 */
#include "fuzz.h"

#include "emit.h"
#include "model.h"
#include "policy.h"
#include "render.h"
#include "report_read.h"
#include "rules.h"

static const char allowlist[] = "huggingface.co\n"
                                "*.hf.co\n"
                                "10.0.0.0/8:443/tcp\n"
                                "tag:AzureMachineLearning\n";

static char *render_to_memory(const struct ea_report *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        abort();
    if (render_json(r, f) != 0)
        abort();
    if (fclose(f) != 0)
        abort();
    return buf;
}

static void render_all(const struct ea_report *r)
{
    FILE *out = fuzz_devnull();
    const struct render_opts opts = {.color = true, .width = 80, .connections = true};
    (void)render_text(r, out, &opts);
    (void)render_md(r, out, &opts);
    (void)render_html(r, out, &opts);
    (void)render_csv(r, out);
    (void)emit_remedies(r, EMIT_AZ, NULL, out);
    (void)emit_remedies(r, EMIT_YAML, NULL, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ea_report r, again;
    char err[1024] = "";
    if (!report_read_json_buffer((const char *)data, size, "fuzz.json", &r, err, sizeof err)) {
        if (!err[0] || strchr(err, '\n'))
            abort(); /* one line, always */
        return 0;
    }
    render_all(&r);
    /* accepted: its JSON is read back to the same JSON */
    size_t len, len2;
    char *json = render_to_memory(&r, &len);
    if (!report_read_json_buffer(json, len, "again.json", &again, err, sizeof err)) {
        fprintf(stderr, "own output refused: %s\n", err);
        abort();
    }
    char *json2 = render_to_memory(&again, &len2);
    if (len != len2 || memcmp(json, json2, len) != 0)
        abort();
    free(json);
    free(json2);
    ea_report_finish(&again);
    /* judged again, as `egress-audit report -p` */
    ea_report_drop_policy(&r);
    if (!rules_load_buffer(&r, "allowlist", allowlist, sizeof(allowlist) - 1, RULES_TEXT, NULL, err,
                           sizeof err))
        abort(); /* the fixed allowlist is valid */
    if (policy_judge(&r))
        render_all(&r);
    ea_report_finish(&r);
    return 0;
}
