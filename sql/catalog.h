/* The function catalog: one table naming every SQL function with its kind, arity, return-type rule
 * and implementation. The binder, `validate` and docs/sql/functions.md all come from it. */
#ifndef VELO_SQL_CATALOG_H
#define VELO_SQL_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/expr.h"
#include "velo/error.h"

typedef enum velo_fn_kind { VELO_FN_SCALAR, VELO_FN_AGGREGATE, VELO_FN_WINDOW } velo_fn_kind;

/* How the result type follows from the argument types. */
typedef enum velo_fn_ret {
    VELO_RET_FIXED,        /* `fixed` */
    VELO_RET_ARG0,         /* type of the first argument */
    VELO_RET_COMMON,       /* common type of all arguments (COALESCE, GREATEST) */
    VELO_RET_NUMERIC_ARG0, /* ROUND/ABS: numeric type of the first argument */
} velo_fn_ret;

/* What an argument position accepts. ANY-typed (dynamic) values pass every class: they are
 * checked per record at run time. */
typedef enum velo_arg_class {
    VELO_ARG_ANY,     /* any type */
    VELO_ARG_NUMERIC, /* BIGINT, DOUBLE, DECIMAL */
    VELO_ARG_INTEGER, /* BIGINT */
    VELO_ARG_STRING,  /* VARCHAR */
    VELO_ARG_BOOLEAN,
    VELO_ARG_TEMPORAL, /* TIMESTAMP or DATE */
    VELO_ARG_TIMESTAMP,
    VELO_ARG_INTERVAL,
    VELO_ARG_LIST,
    VELO_ARG_MAP,
    VELO_ARG_KEYED,      /* MAP, or STRUCT (a JSON object): MAP_KEYS / MAP_VALUES */
    VELO_ARG_COMPARABLE, /* anything with an order (MIN/MAX/GREATEST): not LIST/MAP/STRUCT */
} velo_arg_class;

/* Computes the result type from the argument types when the simple `ret` rules are not enough
 * (SUM(DECIMAL(p,s)) -> DECIMAL(38,s), AVG(BIGINT) -> DOUBLE, DATE_TRUNC...). Returns false with a
 * message ("SUM needs a number, found VARCHAR") when the arguments do not fit. It runs after the
 * arity and class checks, and writes its message without the function's name: velo_function_check
 * puts the name in front ("needs a number, found VARCHAR"). */
typedef bool (*velo_fn_typer)(const velo_type *args, uint32_t nargs, velo_type *ret, char *msg,
                              size_t msglen);

typedef struct velo_function {
    const char *name;
    velo_fn_kind kind;
    uint8_t min_args, max_args; /* max 255 = variadic */
    velo_fn_ret ret;
    velo_type_id fixed;
    bool strict;           /* NULL in -> NULL out without calling impl */
    velo_scalar_fn impl;   /* NULL: binds, but does not execute yet */
    const char *signature; /* for docs: "UPPER(VARCHAR) -> VARCHAR" */
    const char *summary;
    const char *category;   /* docs section: "string", "math", "time", "conditional", "aggregate",
                               "window", "json", "collection", "kafka" */
    velo_arg_class args[4]; /* class of argument i; positions past 3 (variadic) use args[3] */
    velo_fn_typer typer;    /* NULL: `ret`/`fixed` decide */
    const char *alias_of;   /* the canonical name when this entry is another spelling (CEILING ->
                               CEIL); the entry then has the same rules as its target */
    bool aggregate_too;     /* a WINDOW function that is also an aggregate over a group (FIRST_VALUE,
                               LAST_VALUE): lookup returns one entry per name, kind WINDOW */
} velo_function;

/* Checks arity and argument classes and computes the result type. On failure returns false with
 * a message naming the function and what it expected, e.g.
 * "ROUND expects 1 or 2 arguments, found 3" or "UPPER expects VARCHAR as argument 1, found BIGINT". */
bool velo_function_check(const velo_function *f, const velo_type *args, uint32_t nargs, velo_type *ret,
                         char *msg, size_t msglen);

/* Checks a literal argument that only its value can make valid: the unit of DATEDIFF, DATE_ADD
 * and DATE_TRUNC, the field of EXTRACT (argument index i is 0-based). The planner calls it when
 * that argument is a string literal; other arguments and functions always pass. */
bool velo_function_check_literal(const velo_function *f, uint32_t i, const char *text, char *msg,
                                 size_t msglen);

/* Case-insensitive; NULL for an unknown name. Aliases have entries of their own. */
const velo_function *velo_function_lookup(const char *name);
const velo_function *velo_function_at(uint32_t i); /* NULL past the end */

#endif
