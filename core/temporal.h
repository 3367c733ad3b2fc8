/* Calendar arithmetic and ISO-8601 text for TIMESTAMP (µs since epoch, UTC), DATE (days since
 * epoch) and INTERVAL. Civil-from-days conversions use the proleptic Gregorian calendar. */
#ifndef VELO_CORE_TEMPORAL_H
#define VELO_CORE_TEMPORAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "velo/types.h"

#define VELO_MICROS_PER_SEC INT64_C(1000000)
#define VELO_MICROS_PER_DAY INT64_C(86400000000)

int64_t velo_days_from_civil(int64_t y, unsigned m, unsigned d);
void velo_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* "2024-01-01T10:00:00Z", "2024-01-01 10:00:00.123", "2024-01-01T10:00:00+02:00", "2024-01-01"
 * (midnight). Returns false if the text is not such a timestamp. */
bool velo_parse_timestamp(const char *s, size_t n, int64_t *micros);
bool velo_parse_date(const char *s, size_t n, int32_t *days);
/* "2024-01-01T10:00:00Z", with ".123" / ".123456" when the fraction is non-zero (milliseconds
 * when it is a whole number of ms, else microseconds). buf >= 40 bytes; returns the length. */
size_t velo_format_timestamp(int64_t micros, char *buf);
size_t velo_format_date(int32_t days, char *buf);
/* ISO-8601 duration: "PT5M", "P1DT2H", "PT0.5S", "P1M"; buf >= 64 bytes. */
size_t velo_format_interval(velo_interval iv, char *buf);
/* timestamp + interval (months are added on the calendar, clamping the day of month). */
bool velo_timestamp_add_interval(int64_t ts, velo_interval iv, int sign, int64_t *out);

#endif
