/* Test helpers for the corpus tests (seed README queries, compat cases): read a file, list a
 * folder, pull the "sql" string out of a compat case's JSON. Shared by test_parser.c and
 * test_planner.c. */
#ifndef VELO_TESTS_CORPUS_H
#define VELO_TESTS_CORPUS_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = 0;
    fclose(f);
    return buf;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static size_t list_dir(const char *dir, const char *suffix, char ***out) {
    DIR *d = opendir(dir);
    *out = NULL;
    if (!d) return 0;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name), sl = strlen(suffix);
        if (l < sl || strcmp(e->d_name + l - sl, suffix) != 0) continue;
        if (n == cap) *out = realloc(*out, sizeof(char *) * (cap = cap ? cap * 2 : 64));
        (*out)[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(*out, n, sizeof(char *), cmp_str);
    return n;
}

static char *json_sql(const char *json) {
    const char *k = strstr(json, "\"sql\": \"");
    if (!k) return NULL;
    const char *c = k + 8;
    velo_strbuf o;
    velo_strbuf_init(&o);
    for (; *c && *c != '"'; c++) {
        if (*c != '\\') {
            velo_strbuf_putc(&o, *c);
            continue;
        }
        c++;
        switch (*c) {
        case 'n': velo_strbuf_putc(&o, '\n'); break;
        case 't': velo_strbuf_putc(&o, '\t'); break;
        case 'r': velo_strbuf_putc(&o, '\r'); break;
        case 'u': {
            unsigned cp = (unsigned)strtoul((char[5]){c[1], c[2], c[3], c[4], 0}, NULL, 16);
            c += 4;
            if (cp < 0x80)
                velo_strbuf_putc(&o, (char)cp);
            else if (cp < 0x800) {
                velo_strbuf_putc(&o, (char)(0xC0 | (cp >> 6)));
                velo_strbuf_putc(&o, (char)(0x80 | (cp & 0x3F)));
            } else {
                velo_strbuf_putc(&o, (char)(0xE0 | (cp >> 12)));
                velo_strbuf_putc(&o, (char)(0x80 | ((cp >> 6) & 0x3F)));
                velo_strbuf_putc(&o, (char)(0x80 | (cp & 0x3F)));
            }
            break;
        }
        default: velo_strbuf_putc(&o, *c); break;
        }
    }
    char *s = strdup(o.data ? o.data : "");
    velo_strbuf_free(&o);
    return s;
}

#endif
