/* The error object every fallible function fills: a code, a message that says what, where and
 * what to do, and an optional SQL source position. Functions return velo_status (0 = ok) and
 * fill the velo_error * they were given (which may be NULL when the caller does not care). */
#ifndef VELO_ERROR_H
#define VELO_ERROR_H

#include <stdarg.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum velo_status {
    VELO_OK = 0,
    VELO_ERR_PARSE = 1,      /* SQL syntax error */
    VELO_ERR_BIND = 2,       /* unknown name, type mismatch, bad function call */
    VELO_ERR_UNSUPPORTED = 3,/* parses and binds, but does not execute yet */
    VELO_ERR_OVERFLOW = 4,   /* numeric overflow (never a wrap) */
    VELO_ERR_DIV_ZERO = 5,   /* division by zero */
    VELO_ERR_CAST = 6,       /* invalid cast / conversion */
    VELO_ERR_DECODE = 7,     /* malformed input record */
    VELO_ERR_IO = 8,         /* file/network I/O failure */
    VELO_ERR_NOT_FOUND = 9,  /* missing file, topic, job... */
    VELO_ERR_INVALID = 10,   /* invalid argument or configuration */
    VELO_ERR_NOMEM = 11,     /* allocation failed or memory limit reached */
    VELO_ERR_INTERNAL = 12,  /* a bug: an invariant did not hold */
    VELO_ERR_ROW = 13,       /* a row failed to evaluate and 'on.error'='fail' stops the job */
} velo_status;

#define VELO_ERROR_MSG_MAX 1024

typedef struct velo_error {
    velo_status code;
    uint32_t line; /* 1-based SQL line, 0 when the error has no SQL position */
    uint32_t col;  /* 1-based SQL column (in characters) */
    char message[VELO_ERROR_MSG_MAX];
} velo_error;

/* Sets err (if not NULL) and returns code, so callers can write `return velo_error_set(...)`. */
velo_status velo_error_set(velo_error *err, velo_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
velo_status velo_error_set_at(velo_error *err, velo_status code, uint32_t line, uint32_t col,
                              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
velo_status velo_error_vset(velo_error *err, velo_status code, const char *fmt, va_list ap);
/* Prepends "context: " to an existing message (e.g. the file name and line of a record). */
void velo_error_prefix(velo_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void velo_error_clear(velo_error *err);
const char *velo_status_name(velo_status code);

#ifdef __cplusplus
}
#endif
#endif
