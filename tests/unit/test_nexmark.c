/* The Nexmark generator (connectors/gen/nexmark.c): determinism per seed, the 1:3:46 proportions,
 * the id rules of the reference generator, event times, and the nexmark:// source connector. */
#include <criterion/criterion.h>
#include <string.h>

#include "connectors/connector.h"
#include "connectors/gen/nexmark.h"

static velo_nexmark_config cfg_seed(uint64_t seed) {
    velo_nexmark_config c;
    velo_nexmark_config_default(&c);
    c.seed = seed;
    return c;
}

Test(nexmark, same_seed_gives_the_same_events_and_another_seed_differs) {
    velo_nexmark_config a = cfg_seed(42), b = cfg_seed(42), c = cfg_seed(43);
    static velo_nexmark_event x, y, z;
    int differ = 0;
    for (uint64_t n = 0; n < 5000; n++) {
        memset(&x, 0, sizeof x), memset(&y, 0, sizeof y), memset(&z, 0, sizeof z);
        velo_nexmark_generate(&a, n, &x);
        velo_nexmark_generate(&b, n, &y);
        velo_nexmark_generate(&c, n, &z);
        cr_assert_eq(memcmp(&x, &y, sizeof x), 0, "event %llu differs for the same seed",
                     (unsigned long long)n);
        differ += memcmp(&x, &z, sizeof x) != 0;
    }
    cr_assert_gt(differ, 4900, "another seed should change nearly every event (%d of 5000)", differ);
}

Test(nexmark, an_event_does_not_depend_on_the_events_before_it) {
    velo_nexmark_config c = cfg_seed(7);
    static velo_nexmark_event first, again;
    memset(&first, 0, sizeof first), memset(&again, 0, sizeof again);
    velo_nexmark_generate(&c, 123456, &first);
    for (uint64_t n = 0; n < 100; n++)
        velo_nexmark_generate(&c, n, &again);
    memset(&again, 0, sizeof again);
    velo_nexmark_generate(&c, 123456, &again);
    cr_assert_eq(memcmp(&first, &again, sizeof first), 0);
}

Test(nexmark, every_fifty_events_are_one_person_three_auctions_and_forty_six_bids) {
    uint64_t count[3] = {0};
    for (uint64_t n = 0; n < 50 * 1000; n++)
        count[velo_nexmark_kind_of(n)]++;
    cr_assert_eq(count[VELO_NEXMARK_PERSON], 1000);
    cr_assert_eq(count[VELO_NEXMARK_AUCTION], 3000);
    cr_assert_eq(count[VELO_NEXMARK_BID], 46000);
    cr_assert_eq(velo_nexmark_kind_of(0), VELO_NEXMARK_PERSON);
    cr_assert_eq(velo_nexmark_kind_of(1), VELO_NEXMARK_AUCTION);
    cr_assert_eq(velo_nexmark_kind_of(3), VELO_NEXMARK_AUCTION);
    cr_assert_eq(velo_nexmark_kind_of(4), VELO_NEXMARK_BID);
    cr_assert_eq(velo_nexmark_kind_of(50), VELO_NEXMARK_PERSON);
}

Test(nexmark, person_and_auction_ids_count_up_from_1000_without_gaps) {
    velo_nexmark_config c = cfg_seed(1);
    static velo_nexmark_event ev;
    int64_t next_person = 1000, next_auction = 1000;
    for (uint64_t n = 0; n < 20000; n++) {
        velo_nexmark_generate(&c, n, &ev);
        if (ev.kind == VELO_NEXMARK_PERSON) cr_assert_eq(ev.id, next_person++);
        if (ev.kind == VELO_NEXMARK_AUCTION) cr_assert_eq(ev.id, next_auction++);
    }
    cr_assert_eq(next_person, 1000 + 400);
    cr_assert_eq(next_auction, 1000 + 1200);
}

Test(nexmark, references_point_at_existing_ids_or_at_most_ten_ahead) {
    velo_nexmark_config c = cfg_seed(3);
    static velo_nexmark_event ev;
    uint64_t bids = 0, hot_auction = 0, hot_bidder = 0, sellers = 0, hot_seller = 0;
    for (uint64_t n = 0; n < 200000; n++) {
        velo_nexmark_generate(&c, n, &ev);
        int64_t last_person = velo_nexmark_last_person(n) + 1000,
                last_auction = velo_nexmark_last_auction(n) + 1000;
        if (ev.kind == VELO_NEXMARK_BID) {
            bids++;
            cr_assert(ev.auction >= 1000 && ev.auction <= last_auction + 10,
                      "bid %llu auction %lld (last %lld)", (unsigned long long)n, (long long)ev.auction,
                      (long long)last_auction);
            /* random auctions come from the newest 100 in flight (plus the lead) */
            cr_assert(ev.auction >= last_auction - 100 ||
                      ev.auction == (last_auction - 1000) / 100 * 100 + 1000);
            cr_assert(ev.bidder >= 1000 && ev.bidder <= last_person + 10);
            cr_assert(ev.bidder >= last_person - 1000 - 1 ||
                      ev.bidder == (last_person - 1000) / 100 * 100 + 1001);
            hot_auction += ev.auction == (last_auction - 1000) / 100 * 100 + 1000;
            hot_bidder += ev.bidder == (last_person - 1000) / 100 * 100 + 1001;
            cr_assert(ev.price >= 100 && ev.price <= 100000000, "price %lld", (long long)ev.price);
        } else if (ev.kind == VELO_NEXMARK_AUCTION) {
            sellers++;
            cr_assert(ev.seller >= 1000 && ev.seller <= last_person + 10);
            hot_seller += ev.seller == (last_person - 1000) / 100 * 100 + 1000;
            cr_assert(ev.category >= 10 && ev.category <= 14);
            cr_assert_gt(ev.expires_ms, ev.date_time_ms);
            cr_assert_geq(ev.reserve, ev.initial_bid);
        }
    }
    /* hot auctions: 1 - 1/2 of the bids (plus random picks that hit the hot one); hot bidders and
     * sellers: 1 - 1/4 */
    double ha = (double)hot_auction / (double)bids, hb = (double)hot_bidder / (double)bids,
           hs = (double)hot_seller / (double)sellers;
    cr_assert(ha > 0.48 && ha < 0.53, "hot auction share %.3f", ha);
    cr_assert(hb > 0.73 && hb < 0.78, "hot bidder share %.3f", hb);
    cr_assert(hs > 0.72 && hs < 0.79, "hot seller share %.3f", hs);
}

Test(nexmark, event_times_advance_one_over_the_rate_from_the_base_time) {
    velo_nexmark_config c = cfg_seed(0);
    c.rate = 1000; /* one event per ms */
    static velo_nexmark_event ev;
    for (uint64_t n = 0; n < 3000; n++) {
        velo_nexmark_generate(&c, n, &ev);
        cr_assert_eq(ev.date_time_ms, VELO_NEXMARK_BASE_TIME_MS + (int64_t)n);
    }
    c.rate = 10000; /* the default: ten events per ms */
    cr_assert_eq(velo_nexmark_time_ms(&c, 9), VELO_NEXMARK_BASE_TIME_MS);
    cr_assert_eq(velo_nexmark_time_ms(&c, 10), VELO_NEXMARK_BASE_TIME_MS + 1);
    cr_assert_eq(velo_nexmark_time_ms(&c, 10000000), VELO_NEXMARK_BASE_TIME_MS + 1000000);
}

Test(nexmark, events_are_padded_to_the_reference_average_sizes) {
    velo_nexmark_config c = cfg_seed(5);
    static velo_nexmark_event ev;
    double bid_bytes = 0;
    uint64_t bids = 0;
    for (uint64_t n = 0; n < 50000; n++) {
        velo_nexmark_generate(&c, n, &ev);
        if (ev.kind != VELO_NEXMARK_BID) continue;
        bid_bytes += 32 + (double)strlen(ev.extra);
        bids++;
        cr_assert(strlen(ev.url) > 30 && !strncmp(ev.url, "https://www.nexmark.com/", 24));
        cr_assert(strlen(ev.channel) > 0);
    }
    double avg = bid_bytes / (double)bids;
    cr_assert(avg > 95 && avg < 105, "average bid size %.1f", avg);
}

Test(nexmark, source_reads_the_declared_columns_and_ends_after_the_events) {
    velo_uri uri;
    velo_error err = {0};
    cr_assert_eq(velo_uri_parse("nexmark://?events=5000&seed=9", &uri, &err), 0, "%s", err.message);
    velo_schema *decl = velo_schema_new(3);
    velo_schema_set(decl, 0, "EVENT_TYPE", velo_type_make(VELO_TYPE_BIGINT));
    velo_schema_set(decl, 1, "price", velo_type_decimal(18, 2));
    velo_schema_set(decl, 2, "dateTime", velo_type_make(VELO_TYPE_TIMESTAMP));
    velo_dlq dlq;
    velo_dlq_open(&dlq, NULL, ".", NULL);
    velo_connector_args args = {.uri = &uri,
                                .options = &uri.params,
                                .base_dir = ".",
                                .declared = decl,
                                .dlq = &dlq,
                                .name = "nexmark"};
    const velo_source_ops *ops = velo_source_lookup("nexmark");
    cr_assert_not_null(ops);
    velo_source *src = NULL;
    cr_assert_eq(ops->open(&args, &src, &err), 0, "%s", err.message);
    velo_batch *b = velo_batch_new(ops->schema(src), 2048);
    uint64_t rows = 0, bids = 0;
    bool eof = false;
    while (!eof) {
        velo_batch_reset(b);
        cr_assert_eq(ops->poll(src, b, &eof, &err), 0, "%s", err.message);
        for (uint32_t r = 0; r < b->count; r++) {
            int64_t kind = VELO_VEC(&b->cols[0], int64_t)[r];
            cr_assert_eq(velo_vector_is_valid(&b->cols[1], r), kind == VELO_NEXMARK_BID);
            bids += kind == VELO_NEXMARK_BID;
            cr_assert(velo_vector_is_valid(&b->cols[2], r));
        }
        rows += b->count;
    }
    cr_assert_eq(rows, 5000);
    cr_assert_eq(bids, 4600);
    velo_batch_free(b);
    ops->close(src);
    velo_schema_free(decl);
    velo_dlq_close(&dlq);
    velo_uri_free(&uri);
}

Test(nexmark, source_without_events_or_with_an_unknown_field_is_an_error) {
    velo_uri uri;
    velo_error err = {0};
    velo_dlq dlq;
    velo_dlq_open(&dlq, NULL, ".", NULL);
    const velo_source_ops *ops = velo_source_lookup("nexmark");
    velo_source *src = NULL;
    cr_assert_eq(velo_uri_parse("nexmark://?seed=1", &uri, &err), 0);
    velo_connector_args args = {
        .uri = &uri, .options = &uri.params, .base_dir = ".", .dlq = &dlq, .name = "n"};
    cr_assert_neq(ops->open(&args, &src, &err), 0);
    cr_assert(strstr(err.message, "events"), "%s", err.message);
    velo_uri_free(&uri);
    cr_assert_eq(velo_uri_parse("nexmark://?events=10", &uri, &err), 0);
    velo_schema *decl = velo_schema_new(1);
    velo_schema_set(decl, 0, "bidprice", velo_type_make(VELO_TYPE_BIGINT));
    args.uri = &uri, args.options = &uri.params, args.declared = decl;
    cr_assert_neq(ops->open(&args, &src, &err), 0);
    cr_assert(strstr(err.message, "no field 'bidprice'"), "%s", err.message);
    velo_schema_free(decl);
    velo_uri_free(&uri);
    velo_dlq_close(&dlq);
}
