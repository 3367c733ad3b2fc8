/* Diagnostics of the SQL front end (sql/diag.h): a growable list of positioned messages and their
 * rendering with the source line and a caret. Columns count UTF-8 characters; the caret line copies
 * tabs from the source so that it lines up whatever the terminal's tab width. */
#include "sql/diag.h"

#include <mimalloc.h>
#include <stdio.h>
#include <string.h>

void velo_diags_init(velo_diags *d) { memset(d, 0, sizeof *d); }

void velo_diags_free(velo_diags *d) {
    mi_free(d->items);
    memset(d, 0, sizeof *d);
}

void velo_diags_add(velo_diags *d, velo_severity sev, const char *code, uint32_t line, uint32_t col,
                    const char *fmt, ...) {
    if (d->count == d->cap) {
        uint32_t nc = d->cap ? d->cap * 2 : 8;
        velo_diag *items = mi_realloc(d->items, sizeof *items * nc);
        if (!items) {
            /* keep counting so that callers still see that something failed */
            if (sev == VELO_SEV_ERROR)
                d->nerrors++;
            else
                d->nwarnings++;
            return;
        }
        d->items = items;
        d->cap = nc;
    }
    velo_diag *g = &d->items[d->count++];
    g->severity = sev;
    snprintf(g->code, sizeof g->code, "%s", code ? code : "");
    g->line = line;
    g->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->message, sizeof g->message, fmt, ap);
    va_end(ap);
    if (sev == VELO_SEV_ERROR)
        d->nerrors++;
    else
        d->nwarnings++;
}

void velo_diag_render(const velo_diag *d, const char *file, const char *text, uint32_t text_len,
                      velo_strbuf *out) {
    const char *sev = d->severity == VELO_SEV_ERROR ? "error" : "warning";
    if (d->line == 0) {
        velo_strbuf_printf(out, "%s: %s: %s\n", file ? file : "<input>", sev, d->message);
        return;
    }
    velo_strbuf_printf(out, "%s:%u:%u: %s: %s\n", file ? file : "<input>", d->line, d->col, sev, d->message);
    if (!text) return;
    /* find the line */
    uint32_t i = 0, line = 1;
    while (i < text_len && line < d->line) {
        if (text[i] == '\n') line++;
        i++;
    }
    if (line != d->line) return;
    uint32_t end = i;
    while (end < text_len && text[end] != '\n')
        end++;
    uint32_t shown_end = end;
    if (shown_end > i && text[shown_end - 1] == '\r') shown_end--;
    velo_strbuf_puts(out, "    ");
    velo_strbuf_append(out, text + i, shown_end - i);
    velo_strbuf_puts(out, "\n    ");
    /* one caret-line character per source character before the column; tabs stay tabs */
    uint32_t col = 1;
    for (uint32_t k = i; k < end && col < d->col; k++) {
        unsigned char c = (unsigned char)text[k];
        if ((c & 0xC0) == 0x80) continue;
        velo_strbuf_putc(out, c == '\t' ? '\t' : ' ');
        col++;
    }
    while (col < d->col) { /* a column past the end of the line: the end of input */
        velo_strbuf_putc(out, ' ');
        col++;
    }
    velo_strbuf_puts(out, "^\n");
}

void velo_diags_render(const velo_diags *d, const char *file, const char *text, uint32_t text_len,
                       velo_strbuf *out) {
    for (uint32_t i = 0; i < d->count; i++)
        velo_diag_render(&d->items[i], file, text, text_len, out);
}

velo_status velo_diags_to_error(const velo_diags *d, velo_error *err) {
    for (uint32_t i = 0; i < d->count; i++) {
        const velo_diag *g = &d->items[i];
        if (g->severity != VELO_SEV_ERROR) continue;
        velo_status code = strncmp(g->code, "parse.", 6) == 0 ? VELO_ERR_PARSE : VELO_ERR_BIND;
        return velo_error_set_at(err, code, g->line, g->col, "%s", g->message);
    }
    if (d->nerrors) return velo_error_set(err, VELO_ERR_NOMEM, "out of memory while recording diagnostics");
    return VELO_OK;
}
