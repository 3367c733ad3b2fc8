/* libFuzzer target for the CSV format: the first input byte picks the options (header,
 * delimiter, quote), the rest is the file. See format_roundtrip.h for the property checked. */
#include "tests/fuzz/format_roundtrip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > (1u << 20)) return 0;
    static const char delims[] = ",;\t|";
    char delim[2] = {delims[(data[0] >> 1) & 3], 0};
    velo_kv kv;
    velo_kv_init(&kv);
    velo_kv_set(&kv, "header", data[0] & 1 ? "true" : "false");
    velo_kv_set(&kv, "delimiter", delim);
    velo_kv_set(&kv, "quote", data[0] & 8 ? "'" : "\"");
    fuzz_format_roundtrip("csv", &kv, (const char *)data + 1, (uint32_t)size - 1);
    velo_kv_free(&kv);
    return 0;
}
