/* The error object: formatting helpers for velo_error (see include/velo/error.h). */
#include <stdio.h>
#include <string.h>

#include "velo/error.h"

velo_status velo_error_vset(velo_error *err, velo_status code, const char *fmt, va_list ap) {
    if (err) {
        err->code = code;
        err->line = 0;
        err->col = 0;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    }
    return code;
}

velo_status velo_error_set(velo_error *err, velo_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    velo_error_vset(err, code, fmt, ap);
    va_end(ap);
    return code;
}

velo_status velo_error_set_at(velo_error *err, velo_status code, uint32_t line, uint32_t col,
                              const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    velo_error_vset(err, code, fmt, ap);
    va_end(ap);
    if (err) {
        err->line = line;
        err->col = col;
    }
    return code;
}

void velo_error_prefix(velo_error *err, const char *fmt, ...) {
    if (!err) return;
    char old[VELO_ERROR_MSG_MAX];
    memcpy(old, err->message, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof err->message - 2) return;
    size_t used = (size_t)n;
    memcpy(err->message + used, ": ", 2);
    used += 2;
    size_t rest = strnlen(old, sizeof old - 1);
    if (rest > sizeof err->message - 1 - used) rest = sizeof err->message - 1 - used;
    memcpy(err->message + used, old, rest);
    err->message[used + rest] = '\0';
}

void velo_error_clear(velo_error *err) {
    if (!err) return;
    err->code = VELO_OK;
    err->line = 0;
    err->col = 0;
    err->message[0] = '\0';
}

const char *velo_status_name(velo_status code) {
    switch (code) {
    case VELO_OK: return "ok";
    case VELO_ERR_PARSE: return "parse_error";
    case VELO_ERR_BIND: return "bind_error";
    case VELO_ERR_UNSUPPORTED: return "unsupported";
    case VELO_ERR_OVERFLOW: return "overflow";
    case VELO_ERR_DIV_ZERO: return "division_by_zero";
    case VELO_ERR_CAST: return "invalid_cast";
    case VELO_ERR_DECODE: return "decode_error";
    case VELO_ERR_IO: return "io_error";
    case VELO_ERR_NOT_FOUND: return "not_found";
    case VELO_ERR_INVALID: return "invalid";
    case VELO_ERR_NOMEM: return "out_of_memory";
    case VELO_ERR_INTERNAL: return "internal_error";
    case VELO_ERR_ROW: return "row_error";
    }
    return "unknown";
}
