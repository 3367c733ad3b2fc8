/* Per-partition watermarks (core/part_watermarks.h): the minimum over live partitions, rows stamped
 * with their own partition's watermark, ended and idle partitions holding nobody back. */
#include <criterion/criterion.h>

#include "core/part_watermarks.h"

Test(part_watermarks, source_watermark_is_the_minimum_over_partitions_minus_the_delay) {
    velo_part_watermarks w;
    velo_part_watermarks_init(&w, 5, 0);
    velo_error err = {0};
    cr_assert_eq(velo_part_watermarks_current(&w, 0), INT64_MIN); /* nothing assigned yet */
    cr_assert_eq(velo_part_watermarks_assign(&w, 0, 0, &err), VELO_OK);
    cr_assert_eq(velo_part_watermarks_assign(&w, 2, 0, &err), VELO_OK);
    velo_part_watermarks_row(&w, 0, 100, 1);
    /* partition 2 has no record yet: it may still bring anything */
    cr_assert_eq(velo_part_watermarks_current(&w, 1), INT64_MIN);
    velo_part_watermarks_row(&w, 2, 40, 2);
    cr_assert_eq(velo_part_watermarks_current(&w, 2), 35);
    velo_part_watermarks_row(&w, 2, 300, 3);
    cr_assert_eq(velo_part_watermarks_current(&w, 3), 95);
    velo_part_watermarks_free(&w);
}

Test(part_watermarks, a_row_is_stamped_with_its_own_partitions_watermark_before_it) {
    velo_part_watermarks w;
    velo_part_watermarks_init(&w, 10, 0);
    velo_error err = {0};
    velo_part_watermarks_assign(&w, 0, 0, &err);
    velo_part_watermarks_assign(&w, 1, 0, &err);
    cr_assert_eq(velo_part_watermarks_row(&w, 0, 1000, 0), INT64_MIN); /* its first record */
    cr_assert_eq(velo_part_watermarks_row(&w, 1, 50, 0), INT64_MIN);
    cr_assert_eq(velo_part_watermarks_row(&w, 0, 900, 0), 990);  /* behind its own partition: 1000 - 10 */
    cr_assert_eq(velo_part_watermarks_row(&w, 1, 60, 0), 40);    /* partition 0 does not matter */
    cr_assert_eq(velo_part_watermarks_row(&w, 0, 2000, 0), 990); /* the maximum stays */
    cr_assert_eq(velo_part_watermarks_row(&w, 0, 1, 0), 1990);
    velo_part_watermarks_free(&w);
}

Test(part_watermarks, ended_and_revoked_partitions_hold_nobody_back) {
    velo_part_watermarks w;
    velo_part_watermarks_init(&w, 0, 0);
    velo_error err = {0};
    for (uint32_t i = 0; i < 3; i++)
        velo_part_watermarks_assign(&w, i, 0, &err);
    velo_part_watermarks_row(&w, 0, 10, 0);
    velo_part_watermarks_row(&w, 1, 20, 0);
    cr_assert_eq(velo_part_watermarks_current(&w, 0), INT64_MIN); /* partition 2: no record */
    velo_part_watermarks_end(&w, 2);                              /* an empty partition read to its end */
    cr_assert_eq(velo_part_watermarks_current(&w, 0), 10);
    velo_part_watermarks_revoke(&w, 0);
    cr_assert_eq(velo_part_watermarks_current(&w, 0), 20);
    velo_part_watermarks_end(&w, 1);
    cr_assert_eq(velo_part_watermarks_current(&w, 0), VELO_WATERMARK_IDLE);
    velo_part_watermarks_free(&w);
}

Test(part_watermarks, an_idle_partition_is_left_out_until_a_record_comes) {
    velo_part_watermarks w;
    velo_part_watermarks_init(&w, 0, 1000); /* 'watermark.idle.timeout' of 1000 µs */
    velo_error err = {0};
    velo_part_watermarks_assign(&w, 0, 0, &err);
    velo_part_watermarks_assign(&w, 1, 0, &err);
    velo_part_watermarks_row(&w, 0, 500, 100);
    /* partition 1 never brought a record: it holds the watermark back until it is idle */
    cr_assert_eq(velo_part_watermarks_current(&w, 999), INT64_MIN);
    cr_assert_eq(velo_part_watermarks_current(&w, 1000), 500);
    velo_part_watermarks_row(&w, 0, 700, 1050);
    cr_assert_eq(velo_part_watermarks_current(&w, 1100), 700);
    /* a record of partition 1 makes it live again, with its own (lower) event time */
    velo_part_watermarks_row(&w, 1, 200, 1200);
    cr_assert_eq(velo_part_watermarks_current(&w, 1200), 200);
    /* both quiet for the timeout: the reader is idle and holds nobody back */
    cr_assert_eq(velo_part_watermarks_current(&w, 5000), VELO_WATERMARK_IDLE);
    velo_part_watermarks_free(&w);
}
