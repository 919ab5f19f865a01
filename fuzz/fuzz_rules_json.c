/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Rule files in the json format: rules_load_buffer(RULES_JSON), then what a
 * loaded allowlist is used for: every emitter, and a judgement of an empty
 * capture (unused rules, remedies). Warnings go to /dev/null.
 */
#include "fuzz.h"

#include "fuzz_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_rules_one(data, size, RULES_JSON);
    return 0;
}
