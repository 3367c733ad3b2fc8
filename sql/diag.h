/* Diagnostics of the SQL front end: a list of errors and warnings with positions, rendered as
 * `file:line:col: error: message`, the source line, and a caret under the column. */
#ifndef VELO_SQL_DIAG_H
#define VELO_SQL_DIAG_H

#include <stdint.h>

#include "core/strbuf.h"
#include "velo/error.h"

typedef enum velo_severity { VELO_SEV_ERROR, VELO_SEV_WARNING } velo_severity;

typedef struct velo_diag {
    velo_severity severity;
    char code[32];    /* stable machine code, e.g. "parse.expected", "bind.unknown_column" */
    uint32_t line, col;
    char message[512];
} velo_diag;

typedef struct velo_diags {
    velo_diag *items;
    uint32_t count, cap;
    uint32_t nerrors, nwarnings;
} velo_diags;

void velo_diags_init(velo_diags *d);
void velo_diags_free(velo_diags *d);
void velo_diags_add(velo_diags *d, velo_severity sev, const char *code, uint32_t line, uint32_t col,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Renders one diagnostic: "file:line:col: error: msg\n  <source line>\n  <spaces>^\n".
 * `text` is the whole script; the caret column counts UTF-8 characters. */
void velo_diag_render(const velo_diag *d, const char *file, const char *text, uint32_t text_len,
                      velo_strbuf *out);
void velo_diags_render(const velo_diags *d, const char *file, const char *text, uint32_t text_len,
                       velo_strbuf *out);
/* Copies the first error into err (code VELO_ERR_PARSE or VELO_ERR_BIND by its code prefix). */
velo_status velo_diags_to_error(const velo_diags *d, velo_error *err);

#endif
