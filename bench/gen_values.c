/* Writes N amounts (one column "v", 2 decimals, 0.01 .. 99,999.99, deterministic) as CSV for the
 * DECIMAL vs DOUBLE benchmark (bench/workloads/decimal.py). usage: gen_values OUT.csv N */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: gen_values OUT.csv N\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "w");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    long long n = atoll(argv[2]);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    fputs("v\n", f);
    for (long long i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        uint64_t cents = 1 + x % 9999999;
        /* by hand rather than fprintf: 100M lines in a few seconds (the workload's full size) */
        char line[24], *p = line + sizeof line;
        *--p = '\n';
        *--p = (char)('0' + cents % 10);
        *--p = (char)('0' + cents / 10 % 10);
        *--p = '.';
        uint64_t whole = cents / 100;
        do {
            *--p = (char)('0' + whole % 10);
            whole /= 10;
        } while (whole);
        fwrite(p, 1, (size_t)(line + sizeof line - p), f);
    }
    return fclose(f) ? 2 : 0;
}
