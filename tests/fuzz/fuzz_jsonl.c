/* libFuzzer target for the JSON lines format. See format_roundtrip.h for the property checked. */
#include "tests/fuzz/format_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > (1u << 20)) return 0;
    velo_kv kv;
    velo_kv_init(&kv);
    fuzz_format_roundtrip("jsonl", &kv, (const char *)data, (uint32_t)size);
    velo_kv_free(&kv);
    return 0;
}
