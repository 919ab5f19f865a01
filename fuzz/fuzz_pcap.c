/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The whole pipeline on one capture file: libpcap reads the input (pcap or
 * pcapng), libnids reassembles, the parsers and attribution fill the report
 * model; then a fixed allowlist judges it, and every renderer and emitter
 * writes it to /dev/null. The input goes to capture_analyze_files() as a memfd
 * named by its /proc/self/fd path.
 *
 * The flow table and the DNS cache are made small so that eviction is
 * reached by small inputs. libnids is global state; each analyzer
 * initialises and tears it down on every call.
 */
#include "fuzz.h"

#include <unistd.h>

#include "capture.h"
#include "emit.h"
#include "model.h"
#include "policy.h"
#include "render.h"
#include "rules.h"

static const char allowlist[] = "huggingface.co\n"
                                "*.hf.co\n"
                                "*.huggingface.co\n"
                                "10.0.0.0/8:443/tcp\n"
                                "[2001:db8::/32]:443/tcp\n"
                                "tag:AzureMachineLearning\n";

static void render_all(const struct ea_report *r, FILE *out)
{
    static const enum emit_format formats[] = {EMIT_TEXT, EMIT_AZ, EMIT_YAML, EMIT_BICEP};
    const struct emit_opts eo = {.resource_group = "rg", .workspace = "ws"};
    const struct render_opts narrow = {.width = 40, .connections = true, .emit = &eo};
    const struct render_opts wide = {.color = true};
    (void)render_text(r, out, &narrow);
    (void)render_text(r, out, &wide);
    (void)render_json(r, out);
    (void)render_md(r, out, &narrow);
    (void)render_html(r, out, &narrow);
    (void)render_csv(r, out);
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        (void)emit_remedies(r, formats[i], &eo, out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfd(data, size, path, sizeof(path));
    if (fd < 0)
        return 0;
    FILE *out = fuzz_devnull();
    struct ea_report report;
    char err[1024] = "";
    ea_report_init(&report);
    report.tool_version = "fuzz";
    /* rules first, as the command does */
    if (!rules_load_buffer(&report, "allowlist", allowlist, sizeof(allowlist) - 1, RULES_TEXT, NULL,
                           err, sizeof(err)))
        abort(); /* the fixed allowlist is valid */

    const struct analyze_opts opts = {.max_flows = 64, .dns_cache = 64};
    const struct capture_files_opts copts = {0};
    const char *paths[] = {path};
    if (capture_analyze_files(paths, 1, &copts, &opts, &report, err, sizeof(err)) == CAPTURE_OK) {
        render_all(&report, out); /* not judged yet */
        if (policy_judge(&report))
            render_all(&report, out);
    } else {
        fuzz_touch_str(err);
    }
    ea_report_finish(&report);
    close(fd);
    return 0;
}
