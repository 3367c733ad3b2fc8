/* The Nexmark benchmark's event generator and the nexmark:// source connector. Events follow the
 * reference generator of Flink's and Beam's Nexmark (Person : Auction : Bid = 1 : 3 : 46, ids from
 * 1000, hot auctions/sellers/bidders, log-uniform prices, event times 1/rate apart); event n is a
 * pure function of (seed, n), so any range of events can be generated alone, on any core.
 * Fields: bench/nexmark/README.md. */
#ifndef VELO_CONNECTORS_GEN_NEXMARK_H
#define VELO_CONNECTORS_GEN_NEXMARK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/batch.h"

#define VELO_NEXMARK_FIRST_PERSON_ID    1000
#define VELO_NEXMARK_FIRST_AUCTION_ID   1000
#define VELO_NEXMARK_FIRST_CATEGORY_ID  10
#define VELO_NEXMARK_NUM_CATEGORIES     5
#define VELO_NEXMARK_PERSON_PROPORTION  1
#define VELO_NEXMARK_AUCTION_PROPORTION 3
#define VELO_NEXMARK_BID_PROPORTION     46
#define VELO_NEXMARK_TOTAL_PROPORTION   50
/* Look-ahead of random person/auction references: ids up to this many past the newest (as the
 * reference does, so that joins sometimes see a reference before its target). */
#define VELO_NEXMARK_ID_LEAD 10
/* Hot items are the first of the newest batch of this many auctions/persons. */
#define VELO_NEXMARK_HOT_BATCH 100
/* 2015-07-15T00:00:00Z, the reference's fixed base time, in ms since the epoch. */
#define VELO_NEXMARK_BASE_TIME_MS 1436918400000LL

typedef struct velo_nexmark_config {
    uint64_t seed;
    uint64_t rate;        /* events per second of event time (> 0); default 10,000 */
    int64_t base_time_ms; /* event time of event 0 */
    /* the reference's defaults: 1 in hot_*_ratio choices is NOT hot */
    uint32_t hot_auction_ratio;                                  /* 2 */
    uint32_t hot_sellers_ratio;                                  /* 4 */
    uint32_t hot_bidders_ratio;                                  /* 4 */
    uint32_t num_in_flight_auctions;                             /* 100 */
    uint32_t num_active_people;                                  /* 1000 */
    uint32_t avg_person_bytes, avg_auction_bytes, avg_bid_bytes; /* 200, 500, 100 */
} velo_nexmark_config;

typedef enum velo_nexmark_kind {
    VELO_NEXMARK_PERSON = 0,
    VELO_NEXMARK_AUCTION = 1,
    VELO_NEXMARK_BID = 2,
} velo_nexmark_kind;

/* One event. Strings are NUL-terminated; only the fields of `kind` are set. */
typedef struct velo_nexmark_event {
    velo_nexmark_kind kind;
    int64_t date_time_ms;
    /* person and auction */
    int64_t id;
    /* person */
    char name[32], email_address[32], credit_card[24], city[16], state[4];
    /* auction */
    char item_name[24], description[104];
    int64_t initial_bid, reserve, expires_ms, seller, category;
    /* bid */
    int64_t auction, bidder, price;
    char channel[24], url[112];
    /* all: padding to the reference's average event sizes */
    char extra[640];
} velo_nexmark_event;

void velo_nexmark_config_default(velo_nexmark_config *c);

/* Which kind event n is: n mod 50 = 0 person, 1..3 auction, else bid. */
velo_nexmark_kind velo_nexmark_kind_of(uint64_t n);
/* Event time of event n in ms: base + n * 1000 / rate. */
int64_t velo_nexmark_time_ms(const velo_nexmark_config *c, uint64_t n);
/* The id of the newest person / auction at event n, without the first id (the current one when
 * event n creates it). */
int64_t velo_nexmark_last_person(uint64_t n);
int64_t velo_nexmark_last_auction(uint64_t n);
/* Fills ev with event n. Deterministic: depends only on c and n. */
void velo_nexmark_generate(const velo_nexmark_config *c, uint64_t n, velo_nexmark_event *ev);

/* The flat schema of the events (one column per field of any kind, event_type first); the
 * caller frees it. */
velo_schema *velo_nexmark_schema(void);

#endif
