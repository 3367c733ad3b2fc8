/* Deterministic trades for benchmarks, written as CSV and JSON lines in one pass (same rows, same
 * order). usage: gen_trades OUT.csv OUT.jsonl ROWS
 * Columns: trade_id (distinct per row), ts (3 ms apart from 2026-11-24T00:00:00Z, in order),
 * symbol (8 values, round robin), trader (t0..t99), side (BUY/SELL), price DECIMAL(12,2) in
 * [10.00, 999.99], quantity in {10, 100, 500, 1000, 5000}. Built by run.sh with cc -O2; about
 * 1 s per million rows for both files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void) /* splitmix64 */
{
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static char *put_u(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

static char *put_2(char *p, unsigned v)
{
    *p++ = (char)('0' + v / 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static char *put_s(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: gen_trades OUT.csv OUT.jsonl ROWS\n");
        return 2;
    }
    FILE *fc = fopen(argv[1], "wb"), *fj = fopen(argv[2], "wb");
    if (!fc || !fj) {
        perror("gen_trades");
        return 1;
    }
    uint64_t n = strtoull(argv[3], NULL, 10);
    static const char *syms[] = {"AAPL", "MSFT", "NVDA", "TSLA", "AMZN", "GOOG", "META", "NFLX"};
    static const unsigned qtys[] = {10, 100, 500, 1000, 5000};
    static char bc[1 << 20], bj[1 << 20];
    setvbuf(fc, NULL, _IOFBF, 1 << 20);
    setvbuf(fj, NULL, _IOFBF, 1 << 20);
    fputs("trade_id,ts,symbol,trader,side,price,quantity\n", fc);
    char *c = bc, *j = bj;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t ms = i * 3;
        char ts[32], *t = ts;
        t = put_s(t, "2026-11-24T");
        t = put_2(t, (unsigned)(ms / 3600000 % 24));
        *t++ = ':';
        t = put_2(t, (unsigned)(ms / 60000 % 60));
        *t++ = ':';
        t = put_2(t, (unsigned)(ms / 1000 % 60));
        *t++ = '.';
        *t++ = (char)('0' + ms % 1000 / 100);
        t = put_2(t, (unsigned)(ms % 100));
        *t++ = 'Z';
        *t = 0;
        uint64_t r = next();
        unsigned trader = (unsigned)(r % 100);
        int buy = (r >> 8) % 2 == 0;
        unsigned whole = 10 + (unsigned)((r >> 16) % 990), cents = (unsigned)((r >> 32) % 100);
        unsigned q = qtys[(r >> 48) % 5];
        const char *sym = syms[i % 8], *side = buy ? "BUY" : "SELL";

        c = put_u(c, i);
        *c++ = ',';
        c = put_s(c, ts);
        *c++ = ',';
        c = put_s(c, sym);
        *c++ = ',';
        *c++ = 't';
        c = put_u(c, trader);
        *c++ = ',';
        c = put_s(c, side);
        *c++ = ',';
        c = put_u(c, whole);
        *c++ = '.';
        c = put_2(c, cents);
        *c++ = ',';
        c = put_u(c, q);
        *c++ = '\n';

        j = put_s(j, "{\"trade_id\":");
        j = put_u(j, i);
        j = put_s(j, ",\"ts\":\"");
        j = put_s(j, ts);
        j = put_s(j, "\",\"symbol\":\"");
        j = put_s(j, sym);
        j = put_s(j, "\",\"trader\":\"t");
        j = put_u(j, trader);
        j = put_s(j, "\",\"side\":\"");
        j = put_s(j, side);
        j = put_s(j, "\",\"price\":");
        j = put_u(j, whole);
        *j++ = '.';
        j = put_2(j, cents);
        j = put_s(j, ",\"quantity\":");
        j = put_u(j, q);
        *j++ = '}';
        *j++ = '\n';

        if (c - bc > (1 << 20) - 512) {
            fwrite(bc, 1, (size_t)(c - bc), fc);
            c = bc;
        }
        if (j - bj > (1 << 20) - 512) {
            fwrite(bj, 1, (size_t)(j - bj), fj);
            j = bj;
        }
    }
    fwrite(bc, 1, (size_t)(c - bc), fc);
    fwrite(bj, 1, (size_t)(j - bj), fj);
    if (fclose(fc) || fclose(fj)) {
        perror("gen_trades");
        return 1;
    }
    return 0;
}
