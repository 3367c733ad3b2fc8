/* The Nexmark event generator (connectors/gen/nexmark.h) and the nexmark:// source connector.
 *
 * The rules (proportions, id windows, hot items, prices, auction lengths, padding sizes) are those
 * of the reference generator behind Flink's and Beam's Nexmark; the code and the random number
 * generator are our own: each event seeds a SplitMix64 stream from a hash of (seed, event number),
 * so event n never depends on events before it. The source writes the flat schema of
 * velo_nexmark_schema() (or the declared subset of it, cast to the declared types). */
#include "connectors/gen/nexmark.h"

#include <math.h>
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connectors/connector.h"
#include "core/scalar.h"

extern const velo_source_ops velo_nexmark_source_ops;

/* ------------------------------------------------------------------ random numbers */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t next64(rng *r) { return mix64(r->s += 0x9E3779B97F4A7C15ull); }

/* A stream for (seed, salt, n): hashed, so that neighbouring n do not give shifted streams. */
static rng rng_for(uint64_t seed, uint64_t salt, uint64_t n) {
    rng r = {mix64(mix64(seed ^ salt) + n * 0xD1B54A32D192ED03ull)};
    return r;
}

/* Uniform in [0, n) for n > 0 (multiply-shift). */
static uint32_t next_int(rng *r, uint32_t n) { return (uint32_t)(((next64(r) >> 32) * (uint64_t)n) >> 32); }

static int64_t next_long(rng *r, int64_t n) {
    if (n <= 0) return 0;
    if (n <= UINT32_MAX) return next_int(r, (uint32_t)n);
    return (int64_t)(next64(r) % (uint64_t)n);
}

static double next_double(rng *r) { return (double)(next64(r) >> 11) * 0x1.0p-53; }

/* ------------------------------------------------------------------ strings */

#define MIN_STRING_LENGTH 3

/* A string of 3..max_len-1 characters: letters, and 1 in 13 `special` ('  ' is trimmed at the ends,
 * as the reference does). out has room for max_len bytes. Returns the length. */
static uint32_t next_string(rng *r, uint32_t max_len, char special, char *out) {
    uint32_t len = MIN_STRING_LENGTH + next_int(r, max_len - MIN_STRING_LENGTH);
    for (uint32_t i = 0; i < len; i++)
        out[i] = next_int(r, 13) == 0 ? special : (char)('a' + next_int(r, 26));
    uint32_t b = 0, e = len;
    if (special == ' ') {
        while (b < e && out[b] == ' ')
            b++;
        while (e > b && out[e - 1] == ' ')
            e--;
        memmove(out, out + b, e - b);
    }
    out[e - b] = '\0';
    return e - b;
}

/* Exactly len letters (13 per 64 random bits). */
static void next_exact_string(rng *r, uint32_t len, char *out) {
    uint64_t bits = 0;
    uint32_t left = 0;
    for (uint32_t i = 0; i < len; i++) {
        if (left == 0) bits = next64(r), left = 13;
        out[i] = (char)('a' + bits % 26);
        bits /= 26;
        left--;
    }
    out[len] = '\0';
}

/* Padding such that current + its length is avg on average (uniform within +-20%). */
static void next_extra(rng *r, uint32_t current, uint32_t avg, char *out, uint32_t cap) {
    if (current > avg) {
        out[0] = '\0';
        return;
    }
    uint32_t want = avg - current;
    uint32_t delta = (uint32_t)lround(want * 0.2);
    uint32_t size = want - delta + (delta ? next_int(r, 2 * delta) : 0);
    if (size > cap - 1) size = cap - 1;
    next_exact_string(r, size, out);
}

/* ------------------------------------------------------------------ the rules */

static const char *const FIRST_NAMES[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                          "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
static const char *const LAST_NAMES[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                         "Walton", "Smith",  "Jones",   "Noris"};
static const char *const US_CITIES[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
                                        "Bend",    "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
static const char *const US_STATES[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
static const char *const HOT_CHANNELS[] = {"Google", "Facebook", "Baidu", "Apple"};
#define NELEMS(a)        (sizeof(a) / sizeof(a)[0])
#define CHANNELS_NUMBER  10000
#define SALT_EVENT       0x6576656e74ull /* "event" */
#define SALT_CHANNEL_URL 0x75726cull     /* "url" */

void velo_nexmark_config_default(velo_nexmark_config *c) {
    *c = (velo_nexmark_config){.seed = 0,
                               .rate = 10000,
                               .base_time_ms = VELO_NEXMARK_BASE_TIME_MS,
                               .hot_auction_ratio = 2,
                               .hot_sellers_ratio = 4,
                               .hot_bidders_ratio = 4,
                               .num_in_flight_auctions = 100,
                               .num_active_people = 1000,
                               .avg_person_bytes = 200,
                               .avg_auction_bytes = 500,
                               .avg_bid_bytes = 100};
}

velo_nexmark_kind velo_nexmark_kind_of(uint64_t n) {
    uint64_t rem = n % VELO_NEXMARK_TOTAL_PROPORTION;
    if (rem < VELO_NEXMARK_PERSON_PROPORTION) return VELO_NEXMARK_PERSON;
    if (rem < VELO_NEXMARK_PERSON_PROPORTION + VELO_NEXMARK_AUCTION_PROPORTION) return VELO_NEXMARK_AUCTION;
    return VELO_NEXMARK_BID;
}

int64_t velo_nexmark_time_ms(const velo_nexmark_config *c, uint64_t n) {
    /* exact integer arithmetic: n * 1000 / rate without overflow for any realistic n */
    uint64_t rate = c->rate ? c->rate : 1;
    return c->base_time_ms + (int64_t)((n / rate) * 1000 + (n % rate) * 1000 / rate);
}

int64_t velo_nexmark_last_person(uint64_t n) {
    int64_t epoch = (int64_t)(n / VELO_NEXMARK_TOTAL_PROPORTION);
    int64_t off = (int64_t)(n % VELO_NEXMARK_TOTAL_PROPORTION);
    if (off >= VELO_NEXMARK_PERSON_PROPORTION) off = VELO_NEXMARK_PERSON_PROPORTION - 1;
    return epoch * VELO_NEXMARK_PERSON_PROPORTION + off;
}

int64_t velo_nexmark_last_auction(uint64_t n) {
    int64_t epoch = (int64_t)(n / VELO_NEXMARK_TOTAL_PROPORTION);
    int64_t off = (int64_t)(n % VELO_NEXMARK_TOTAL_PROPORTION);
    if (off < VELO_NEXMARK_PERSON_PROPORTION) { /* a person: the last auction of the previous epoch */
        epoch--;
        off = VELO_NEXMARK_AUCTION_PROPORTION - 1;
    } else if (off >= VELO_NEXMARK_PERSON_PROPORTION + VELO_NEXMARK_AUCTION_PROPORTION) {
        off = VELO_NEXMARK_AUCTION_PROPORTION - 1; /* a bid: the last auction of this epoch */
    } else {
        off -= VELO_NEXMARK_PERSON_PROPORTION;
    }
    return epoch * VELO_NEXMARK_AUCTION_PROPORTION + off;
}

/* A random person among the active ones, a few ids ahead allowed (base 0). */
static int64_t random_person(const velo_nexmark_config *c, uint64_t n, rng *r) {
    int64_t people = velo_nexmark_last_person(n) + 1;
    int64_t active = people < (int64_t)c->num_active_people ? people : (int64_t)c->num_active_people;
    return people - active + next_long(r, active + VELO_NEXMARK_ID_LEAD);
}

/* A random auction among those likely in flight, a few ids ahead allowed (base 0). */
static int64_t random_auction(const velo_nexmark_config *c, uint64_t n, rng *r) {
    int64_t last = velo_nexmark_last_auction(n);
    int64_t first = last - (int64_t)c->num_in_flight_auctions;
    if (first < 0) first = 0;
    return first + next_long(r, last - first + 1 + VELO_NEXMARK_ID_LEAD);
}

/* 10^[0,6) * 100, rounded: log-uniform in [100, 100,000,000). */
static int64_t next_price(rng *r) { return llround(pow(10.0, next_double(r) * 6.0) * 100.0); }

static void gen_person(const velo_nexmark_config *c, uint64_t n, rng *r, velo_nexmark_event *ev) {
    ev->id = velo_nexmark_last_person(n) + VELO_NEXMARK_FIRST_PERSON_ID;
    snprintf(ev->name, sizeof ev->name, "%s %s", FIRST_NAMES[next_int(r, NELEMS(FIRST_NAMES))],
             LAST_NAMES[next_int(r, NELEMS(LAST_NAMES))]);
    char user[8], host[8];
    next_string(r, 7, ' ', user);
    next_string(r, 5, ' ', host);
    snprintf(ev->email_address, sizeof ev->email_address, "%s@%s.com", user, host);
    snprintf(ev->credit_card, sizeof ev->credit_card, "%04u %04u %04u %04u", next_int(r, 10000),
             next_int(r, 10000), next_int(r, 10000), next_int(r, 10000));
    snprintf(ev->city, sizeof ev->city, "%s", US_CITIES[next_int(r, NELEMS(US_CITIES))]);
    snprintf(ev->state, sizeof ev->state, "%s", US_STATES[next_int(r, NELEMS(US_STATES))]);
    uint32_t size = (uint32_t)(8 + strlen(ev->name) + strlen(ev->email_address) + strlen(ev->credit_card) +
                               strlen(ev->city) + strlen(ev->state));
    next_extra(r, size, c->avg_person_bytes, ev->extra, sizeof ev->extra);
}

static void gen_auction(const velo_nexmark_config *c, uint64_t n, rng *r, velo_nexmark_event *ev) {
    ev->id = velo_nexmark_last_auction(n) + VELO_NEXMARK_FIRST_AUCTION_ID;
    /* hot seller (P = 1 - 1/ratio): the first person of the newest batch of 100 */
    int64_t seller = next_int(r, c->hot_sellers_ratio) > 0
                         ? (velo_nexmark_last_person(n) / VELO_NEXMARK_HOT_BATCH) * VELO_NEXMARK_HOT_BATCH
                         : random_person(c, n, r);
    ev->seller = seller + VELO_NEXMARK_FIRST_PERSON_ID;
    ev->category = VELO_NEXMARK_FIRST_CATEGORY_ID + next_int(r, VELO_NEXMARK_NUM_CATEGORIES);
    ev->initial_bid = next_price(r);
    /* length: uniform with mean the time until num_in_flight_auctions more auctions exist */
    uint64_t ahead =
        (uint64_t)c->num_in_flight_auctions * VELO_NEXMARK_TOTAL_PROPORTION / VELO_NEXMARK_AUCTION_PROPORTION;
    int64_t horizon = velo_nexmark_time_ms(c, n + ahead) - ev->date_time_ms;
    ev->expires_ms = ev->date_time_ms + 1 + next_long(r, horizon * 2 > 1 ? horizon * 2 : 1);
    uint32_t name_len = next_string(r, 20, ' ', ev->item_name);
    uint32_t desc_len = next_string(r, 100, ' ', ev->description);
    ev->reserve = ev->initial_bid + next_price(r);
    next_extra(r, 8 + name_len + desc_len + 5 * 8, c->avg_auction_bytes, ev->extra, sizeof ev->extra);
}

/* "https://www.nexmark.com/abc/de_f/ghi/item.htm?query=1" */
static void base_url(rng *r, char *out, size_t cap) {
    char a[8], b[8], d[8];
    next_string(r, 5, '_', a);
    next_string(r, 5, '_', b);
    next_string(r, 5, '_', d);
    snprintf(out, cap, "https://www.nexmark.com/%s/%s/%s/item.htm?query=1", a, b, d);
}

static uint32_t reverse_bits32(uint32_t x) {
    uint32_t y = 0;
    for (int i = 0; i < 32; i++, x >>= 1)
        y = (y << 1) | (x & 1);
    return y;
}

static void gen_bid(const velo_nexmark_config *c, uint64_t n, rng *r, velo_nexmark_event *ev) {
    /* hot auction (P = 1 - 1/ratio): the first of the newest batch of 100 auctions */
    int64_t auction = next_int(r, c->hot_auction_ratio) > 0
                          ? (velo_nexmark_last_auction(n) / VELO_NEXMARK_HOT_BATCH) * VELO_NEXMARK_HOT_BATCH
                          : random_auction(c, n, r);
    ev->auction = auction + VELO_NEXMARK_FIRST_AUCTION_ID;
    /* hot bidder: the second person of the newest batch (so hot bidders are not hot sellers) */
    int64_t bidder = next_int(r, c->hot_bidders_ratio) > 0
                         ? (velo_nexmark_last_person(n) / VELO_NEXMARK_HOT_BATCH) * VELO_NEXMARK_HOT_BATCH + 1
                         : random_person(c, n, r);
    ev->bidder = bidder + VELO_NEXMARK_FIRST_PERSON_ID;
    ev->price = next_price(r);
    /* half the bids come through one of 4 hot channels, the rest through channel-0..9999; each
     * channel's URL is fixed for a seed */
    if (next_int(r, 2) > 0) {
        uint32_t i = next_int(r, NELEMS(HOT_CHANNELS));
        snprintf(ev->channel, sizeof ev->channel, "%s", HOT_CHANNELS[i]);
        rng ur = rng_for(c->seed, SALT_CHANNEL_URL, CHANNELS_NUMBER + i);
        base_url(&ur, ev->url, sizeof ev->url);
    } else {
        uint32_t ch = next_int(r, CHANNELS_NUMBER);
        snprintf(ev->channel, sizeof ev->channel, "channel-%u", ch);
        rng ur = rng_for(c->seed, SALT_CHANNEL_URL, ch);
        base_url(&ur, ev->url, sizeof ev->url);
        if (next_int(&ur, 10) > 0) { /* 9 in 10 channels tag their URL */
            size_t len = strlen(ev->url);
            int32_t rev = (int32_t)reverse_bits32(ch);
            snprintf(ev->url + len, sizeof ev->url - len, "&channel_id=%lld", llabs((long long)rev));
        }
    }
    next_extra(r, 4 * 8, c->avg_bid_bytes, ev->extra, sizeof ev->extra);
}

void velo_nexmark_generate(const velo_nexmark_config *c, uint64_t n, velo_nexmark_event *ev) {
    rng r = rng_for(c->seed, SALT_EVENT, n);
    ev->kind = velo_nexmark_kind_of(n);
    ev->date_time_ms = velo_nexmark_time_ms(c, n);
    switch (ev->kind) {
    case VELO_NEXMARK_PERSON: gen_person(c, n, &r, ev); break;
    case VELO_NEXMARK_AUCTION: gen_auction(c, n, &r, ev); break;
    case VELO_NEXMARK_BID: gen_bid(c, n, &r, ev); break;
    }
}

/* ------------------------------------------------------------------ the flat schema */

enum {
    COL_EVENT_TYPE,
    COL_ID,
    COL_NAME,
    COL_EMAIL,
    COL_CREDIT_CARD,
    COL_CITY,
    COL_STATE,
    COL_ITEM_NAME,
    COL_DESCRIPTION,
    COL_INITIAL_BID,
    COL_RESERVE,
    COL_EXPIRES,
    COL_SELLER,
    COL_CATEGORY,
    COL_AUCTION,
    COL_BIDDER,
    COL_PRICE,
    COL_CHANNEL,
    COL_URL,
    COL_DATE_TIME,
    COL_EXTRA,
    NCOLS
};

static const struct {
    const char *name;
    velo_type_id type;
} COLUMNS[NCOLS] = {
    [COL_EVENT_TYPE] = {"event_type", VELO_TYPE_BIGINT},
    [COL_ID] = {"id", VELO_TYPE_BIGINT},
    [COL_NAME] = {"name", VELO_TYPE_VARCHAR},
    [COL_EMAIL] = {"emailAddress", VELO_TYPE_VARCHAR},
    [COL_CREDIT_CARD] = {"creditCard", VELO_TYPE_VARCHAR},
    [COL_CITY] = {"city", VELO_TYPE_VARCHAR},
    [COL_STATE] = {"state", VELO_TYPE_VARCHAR},
    [COL_ITEM_NAME] = {"itemName", VELO_TYPE_VARCHAR},
    [COL_DESCRIPTION] = {"description", VELO_TYPE_VARCHAR},
    [COL_INITIAL_BID] = {"initialBid", VELO_TYPE_BIGINT},
    [COL_RESERVE] = {"reserve", VELO_TYPE_BIGINT},
    [COL_EXPIRES] = {"expires", VELO_TYPE_TIMESTAMP},
    [COL_SELLER] = {"seller", VELO_TYPE_BIGINT},
    [COL_CATEGORY] = {"category", VELO_TYPE_BIGINT},
    [COL_AUCTION] = {"auction", VELO_TYPE_BIGINT},
    [COL_BIDDER] = {"bidder", VELO_TYPE_BIGINT},
    [COL_PRICE] = {"price", VELO_TYPE_BIGINT},
    [COL_CHANNEL] = {"channel", VELO_TYPE_VARCHAR},
    [COL_URL] = {"url", VELO_TYPE_VARCHAR},
    [COL_DATE_TIME] = {"dateTime", VELO_TYPE_TIMESTAMP},
    [COL_EXTRA] = {"extra", VELO_TYPE_VARCHAR},
};

velo_schema *velo_nexmark_schema(void) {
    velo_schema *s = velo_schema_new(NCOLS);
    for (uint32_t i = 0; s && i < NCOLS; i++)
        velo_schema_set(s, i, COLUMNS[i].name, velo_type_make(COLUMNS[i].type));
    return s;
}

/* Column `col` of ev as a boxed value (NULL when the event's kind has no such field). Strings
 * point into ev. */
static velo_value event_value(const velo_nexmark_event *ev, int col) {
    velo_value v = velo_value_null();
    if (col < 0 || col >= NCOLS) return v;
    v.type = velo_type_make(COLUMNS[col].type);
    const char *s = NULL;
    int64_t i = 0;
    bool is_person = ev->kind == VELO_NEXMARK_PERSON, is_auction = ev->kind == VELO_NEXMARK_AUCTION,
         is_bid = ev->kind == VELO_NEXMARK_BID, set = true;
    switch (col) {
    case COL_EVENT_TYPE: i = ev->kind; break;
    case COL_ID: set = !is_bid, i = ev->id; break;
    case COL_NAME: set = is_person, s = ev->name; break;
    case COL_EMAIL: set = is_person, s = ev->email_address; break;
    case COL_CREDIT_CARD: set = is_person, s = ev->credit_card; break;
    case COL_CITY: set = is_person, s = ev->city; break;
    case COL_STATE: set = is_person, s = ev->state; break;
    case COL_ITEM_NAME: set = is_auction, s = ev->item_name; break;
    case COL_DESCRIPTION: set = is_auction, s = ev->description; break;
    case COL_INITIAL_BID: set = is_auction, i = ev->initial_bid; break;
    case COL_RESERVE: set = is_auction, i = ev->reserve; break;
    case COL_EXPIRES: set = is_auction, i = ev->expires_ms * 1000; break;
    case COL_SELLER: set = is_auction, i = ev->seller; break;
    case COL_CATEGORY: set = is_auction, i = ev->category; break;
    case COL_AUCTION: set = is_bid, i = ev->auction; break;
    case COL_BIDDER: set = is_bid, i = ev->bidder; break;
    case COL_PRICE: set = is_bid, i = ev->price; break;
    case COL_CHANNEL: set = is_bid, s = ev->channel; break;
    case COL_URL: set = is_bid, s = ev->url; break;
    case COL_DATE_TIME: i = ev->date_time_ms * 1000; break;
    case COL_EXTRA: s = ev->extra; break;
    default: set = false;
    }
    if (!set) return v;
    v.is_null = false;
    if (s)
        v.u.str = (velo_str){s, (uint32_t)strlen(s)};
    else
        v.u.i64 = i;
    return v;
}

/* ------------------------------------------------------------------ the nexmark:// source */

typedef struct nexmark_source {
    velo_source base;
    velo_nexmark_config cfg;
    velo_schema *schema;
    int *colmap; /* schema column -> generator column */
    uint64_t next, end;
    bool paced; /* emit at `rate` events per second of wall-clock time */
    struct timespec start;
    velo_nexmark_event ev;
} nexmark_source;

static const velo_schema *nx_schema(velo_source *src) { return ((nexmark_source *)src)->schema; }

static void nx_close(velo_source *src) {
    nexmark_source *s = (nexmark_source *)src;
    if (!s) return;
    velo_schema_free(s->schema);
    mi_free(s->colmap);
    mi_free(s);
}

/* Sleeps until event `n` is due when pacing. */
static void nx_pace(nexmark_source *s, uint64_t n) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double due = (double)n / (double)s->cfg.rate;
    double elapsed = (double)(now.tv_sec - s->start.tv_sec) + (double)(now.tv_nsec - s->start.tv_nsec) * 1e-9;
    if (due <= elapsed) return;
    double wait = due - elapsed;
    struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
    nanosleep(&ts, NULL);
}

static velo_status nx_poll(velo_source *src, velo_batch *out, bool *eof, velo_error *err) {
    nexmark_source *s = (nexmark_source *)src;
    *eof = false;
    uint32_t want = out->capacity - out->count;
    if (s->paced && s->cfg.rate < want) want = (uint32_t)(s->cfg.rate > 0 ? s->cfg.rate : 1);
    for (uint32_t k = 0; k < want && s->next < s->end; k++) {
        uint64_t n = s->next++;
        velo_nexmark_generate(&s->cfg, n, &s->ev);
        uint32_t row = out->count;
        for (uint32_t c = 0; c < s->schema->ncols; c++) {
            velo_vector *vec = &out->cols[c];
            velo_value v = event_value(&s->ev, s->colmap[c]);
            if (v.is_null) continue; /* a fresh batch row is NULL */
            if (vec->type.id == v.type.id &&
                (v.type.id == VELO_TYPE_BIGINT || v.type.id == VELO_TYPE_TIMESTAMP)) {
                VELO_VEC(vec, int64_t)[row] = v.u.i64;
                velo_vector_set_valid(vec, row);
            } else if (vec->type.id == VELO_TYPE_VARCHAR && v.type.id == VELO_TYPE_VARCHAR) {
                char *p = velo_arena_strndup(&out->arena, v.u.str.ptr, v.u.str.len);
                if (!p) return velo_error_set(err, VELO_ERR_NOMEM, "nexmark: out of memory");
                VELO_VEC(vec, velo_str)[row] = (velo_str){p, v.u.str.len};
                velo_vector_set_valid(vec, row);
            } else { /* a declared type other than the field's own: cast as SQL does */
                velo_value cast;
                velo_status st = velo_value_cast(&v, vec->type, &out->arena, &cast, err);
                if (st) {
                    velo_error_prefix(err, "nexmark event %llu, column '%s': ", (unsigned long long)n,
                                      s->schema->fields[c].name);
                    return st;
                }
                velo_vector_set_value(vec, row, &cast, &out->arena);
            }
        }
        out->origin[row] = (int64_t)n;
        out->count++;
    }
    if (s->paced) nx_pace(s, s->next);
    *eof = s->next >= s->end;
    return VELO_OK;
}

static velo_status nx_open(const velo_connector_args *args, velo_source **out, velo_error *err) {
    const velo_kv *o = args->options;
    int64_t events = -1, seed = 0, rate = 10000, first = 0;
    velo_status st;
    if ((st = velo_kv_get_int(o, "events", -1, &events, err)) ||
        (st = velo_kv_get_int(o, "seed", 0, &seed, err)) ||
        (st = velo_kv_get_int(o, "rate", 10000, &rate, err)) ||
        (st = velo_kv_get_int(o, "first", 0, &first, err)))
        return st;
    if (events < 0)
        return velo_error_set(err, VELO_ERR_INVALID,
                              "'%s': a nexmark source needs the number of events, e.g. "
                              "'nexmark://?events=1000000&seed=42'",
                              args->uri->text);
    if (rate <= 0 || first < 0)
        return velo_error_set(err, VELO_ERR_INVALID, "'%s': rate must be > 0 and first >= 0",
                              args->uri->text);
    nexmark_source *s = mi_zalloc(sizeof *s);
    if (!s) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
    velo_nexmark_config_default(&s->cfg);
    s->cfg.seed = (uint64_t)seed;
    s->cfg.rate = (uint64_t)rate;
    /* one slice per core: a contiguous range of event numbers (each event depends only on its
     * number, so the slices together are exactly the events of the whole source) */
    uint32_t nslices = args->nslices > 1 ? args->nslices : 1, slice = nslices > 1 ? args->slice : 0;
    s->next = (uint64_t)first + (uint64_t)events * slice / nslices;
    s->end = (uint64_t)first + (uint64_t)events * (slice + 1) / nslices;
    if ((st = velo_kv_get_bool(o, "paced", false, &s->paced, err))) goto fail;
    s->schema = args->declared ? velo_schema_copy(args->declared) : velo_nexmark_schema();
    s->colmap = s->schema ? mi_malloc(sizeof *s->colmap * (s->schema->ncols + 1)) : NULL;
    if (!s->schema || !s->colmap) {
        st = velo_error_set(err, VELO_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (uint32_t c = 0; c < s->schema->ncols; c++) {
        int k = -1;
        for (int j = 0; j < NCOLS && k < 0; j++)
            if (!strcasecmp(s->schema->fields[c].name, COLUMNS[j].name)) k = j;
        if (k < 0 && !s->schema->fields[c].hidden) {
            st = velo_error_set(err, VELO_ERR_BIND,
                                "'%s': a nexmark event has no field '%s' (fields: event_type, id, name, "
                                "emailAddress, creditCard, city, state, itemName, description, initialBid, "
                                "reserve, expires, seller, category, auction, bidder, price, channel, url, "
                                "dateTime, extra)",
                                args->uri->text, s->schema->fields[c].name);
            goto fail;
        }
        if (k >= 0 && !velo_type_can_cast(velo_type_make(COLUMNS[k].type), s->schema->fields[c].type)) {
            st = velo_error_set(err, VELO_ERR_BIND, "'%s': field '%s' cannot be read as the declared type",
                                args->uri->text, s->schema->fields[c].name);
            goto fail;
        }
        s->colmap[c] = k < 0 ? NCOLS : k; /* hidden metadata columns stay NULL */
    }
    clock_gettime(CLOCK_MONOTONIC, &s->start);
    s->base.ops = &velo_nexmark_source_ops;
    *out = &s->base;
    return VELO_OK;
fail:
    nx_close(&s->base);
    return st;
}

const velo_source_ops velo_nexmark_source_ops = {
    .scheme = "nexmark", .open = nx_open, .schema = nx_schema, .poll = nx_poll, .close = nx_close};
