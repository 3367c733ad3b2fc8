/* A job submission as the REST API receives it (POST /v1/jobs, POST /v1/validate): either the SQL
 * text itself, or a JSON object {"name", "sql", "properties"}. Parsing is strict (jansson) and
 * bounded by the caller's body limit; every rejection says what is wrong for a 400 answer. */
#ifndef VELO_NET_JOB_SPEC_H
#define VELO_NET_JOB_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "connectors/uri.h"
#include "velo/error.h"

#define VELO_JOB_NAME_MAX 64

typedef struct velo_job_spec {
    char name[VELO_JOB_NAME_MAX + 1]; /* "" when not given */
    char *sql;                        /* NUL-terminated, owned (mi_malloc) */
    size_t sql_len;
    velo_kv properties; /* flat string map; "bind.NAME" keys bind sources like --bind */
} velo_job_spec;

void velo_job_spec_init(velo_job_spec *spec);
void velo_job_spec_free(velo_job_spec *spec);

/* Parses a request body. `content_type` may be NULL; a JSON body is recognised by an
 * application/json content type or, without one, by a first non-blank '{' (SQL never starts with
 * one). Fails with VELO_ERR_INVALID and a message naming the field. */
velo_status velo_job_spec_parse(const char *body, size_t len, const char *content_type, velo_job_spec *spec,
                                velo_error *err);

/* True for names of 1..64 characters from [A-Za-z0-9_.-] (they become file names). */
bool velo_job_name_valid(const char *name);

/* The --bind equivalents of the properties ("bind.trades" -> "trades"), added to binds. */
void velo_job_spec_binds(const velo_job_spec *spec, velo_kv *binds);

#endif
