/* libFuzzer target for REST request bodies (net/job_spec.c): any bytes, sent as JSON, as SQL text
 * or without a content type, must parse or be rejected with a message, never crash; an accepted
 * body yields NUL-terminated SQL of the stated length and a valid (or empty) job name. The first
 * byte picks the content type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/job_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0 || size > (1u << 20)) return 0;
    static const char *const types[] = {NULL, "application/json", "application/sql",
                                        "text/plain; charset=utf-8"};
    const char *ct = types[data[0] & 3];
    velo_job_spec spec;
    velo_job_spec_init(&spec);
    velo_error err;
    velo_error_clear(&err);
    velo_status st = velo_job_spec_parse((const char *)data + 1, size - 1, ct, &spec, &err);
    if (st == VELO_OK) {
        if (!spec.sql || spec.sql[spec.sql_len] != '\0' || strlen(spec.sql) != spec.sql_len) abort();
        if (spec.name[0] && !velo_job_name_valid(spec.name)) abort();
        velo_kv binds;
        velo_kv_init(&binds);
        velo_job_spec_binds(&spec, &binds);
        velo_kv_free(&binds);
    } else if (err.message[0] == '\0') {
        abort(); /* every rejection says why */
    }
    velo_job_spec_free(&spec);
    return 0;
}
