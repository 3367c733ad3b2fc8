/* Connector option keys: known keys pass, misspelt ones warn with a hint, dialect keys pass. */
#include <criterion/criterion.h>
#include <string.h>

#include "connectors/options.h"

static velo_diags check(const char *scheme, const char *const *keys, uint32_t n) {
    velo_kv kv;
    velo_kv_init(&kv);
    for (uint32_t i = 0; i < n; i++)
        velo_kv_set(&kv, keys[i], "x");
    velo_diags d;
    velo_diags_init(&d);
    velo_options_check(scheme, &kv, &d, 3, 7);
    velo_kv_free(&kv);
    return d;
}

Test(options, known_file_keys_give_no_warning) {
    const char *keys[] = {
        "format",       "header",   "delimiter",        "quote",           "append",           "watch",
        "dlq",          "on.error", "event.time.field", "watermark.delay", "allowed.lateness", "late.records",
        "idle.timeout", "URI"};
    velo_diags d = check("file", keys, sizeof keys / sizeof keys[0]);
    cr_expect_eq(d.count, 0);
    velo_diags_free(&d);
}

Test(options, misspelt_key_warns_with_did_you_mean) {
    const char *keys[] = {"heder"};
    velo_diags d = check("file", keys, 1);
    cr_assert_eq(d.count, 1);
    cr_expect_eq(d.nwarnings, 1);
    cr_expect_eq(d.nerrors, 0);
    cr_expect_str_eq(d.items[0].message, "unknown option 'heder' for file:// (did you mean 'header'?)");
    cr_expect_str_eq(d.items[0].code, "bind.unknown_option");
    cr_expect_eq(d.items[0].line, 3);
    cr_expect_eq(d.items[0].col, 7);
    velo_diags_free(&d);
}

Test(options, unrelated_key_warns_without_hint) {
    const char *keys[] = {"compression_level_of_everything"};
    velo_diags d = check("file", keys, 1);
    cr_assert_eq(d.count, 1);
    cr_expect_str_eq(d.items[0].message, "unknown option 'compression_level_of_everything' for file://");
    velo_diags_free(&d);
}

Test(options, kafka_keys_and_passthrough) {
    const char *keys[] = {"bootstrap.servers", "group.id",
                          "auto.offset.reset", "schema.registry.url",
                          "key.field",         "value.format",
                          "kafka.linger.ms",   "kafka.enable.idempotence",
                          "trades.type",       "trades.bootstrap.servers",
                          "orders.config_file"};
    velo_diags d = check("kafka", keys, sizeof keys / sizeof keys[0]);
    cr_expect_eq(d.count, 0, "%s", d.count ? d.items[0].message : "");
    velo_diags_free(&d);
}

Test(options, kafka_passthrough_is_kafka_only) {
    const char *keys[] = {"kafka.linger.ms"};
    velo_diags d = check("file", keys, 1);
    cr_expect_eq(d.count, 1);
    velo_diags_free(&d);
}

Test(options, kafka_misspelling_suggests_the_kafka_key) {
    const char *keys[] = {"bootstrap.server"};
    velo_diags d = check("kafka", keys, 1);
    cr_assert_eq(d.count, 1);
    cr_expect_str_eq(d.items[0].message,
                     "unknown option 'bootstrap.server' for kafka:// (did you mean 'bootstrap.servers'?)");
    velo_diags_free(&d);
}

Test(options, unknown_scheme_is_not_checked) {
    const char *keys[] = {"anything"};
    velo_diags d = check("s3", keys, 1);
    cr_expect_eq(d.count, 0);
    cr_expect(velo_option_known("s3", "anything"));
    cr_expect(!velo_option_known("file", "heder"));
    cr_expect(velo_option_known("FILE", "Header"));
    velo_diags_free(&d);
}
