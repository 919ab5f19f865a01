/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Microsoft's service-tag JSON (rules_load_service_tags): a fixed allowlist
 * of service-tag rules without addresses is loaded, then the input (as a
 * memfd, since the API takes a path) fills in their prefixes; then every
 * emitter and a judgement, as for the rule files.
 */
#include "fuzz.h"

#include "fuzz_rules.h"

static const char tag_rules[] = "tag:AzureMachineLearning\n"
                                "tag:Storage:443/tcp\n"
                                "tag:Storage.WestEurope\n"
                                "tag:AzureFrontDoor.FirstParty:80,443/tcp\n"
                                "tag:MicrosoftContainerRegistry:*/any\n"
                                "10.0.0.0/8\n"
                                "huggingface.co\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ea_report r;
    char err[1024] = "";
    char path[64];
    int fd = fuzz_memfd(data, size, path, sizeof(path));
    if (fd < 0)
        return 0;
    ea_report_init(&r);
    if (!rules_load_buffer(&r, "tags.rules", tag_rules, sizeof(tag_rules) - 1, RULES_TEXT, NULL,
                           err, sizeof(err))) {
        fprintf(stderr, "fuzz_service_tags: %s\n", err);
        abort(); /* the fixed rules are valid */
    }
    if (rules_load_service_tags(&r, path, err, sizeof(err)))
        fuzz_rules_emit_all(&r);
    else
        fuzz_touch_str(err);
    ea_report_finish(&r);
    close(fd);
    return 0;
}
