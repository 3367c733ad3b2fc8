/* `velo-sql gen` (engine/gen.h): opens the generator as a source connector (nexmark://) and the
 * output URI as a sink connector, and moves batches from one to the other. JSON lines output
 * leaves out the fields an event kind does not have ('nulls'='omit') unless the URI says
 * otherwise. */
#include "engine/gen.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connectors/connector.h"
#include "engine/job.h"

static int fail(const velo_gen_options *o, const velo_error *err) {
    fprintf(o->diag_out, "velo-sql gen: error: %s\n", err->message);
    return VELO_EXIT_IO_ERROR;
}

int velo_gen_run(const velo_gen_options *o) {
    velo_error err = {0};
    if (strcasecmp(o->generator, "nexmark")) {
        velo_error_set(&err, VELO_ERR_INVALID, "unknown generator '%s' (known: nexmark)", o->generator);
        return fail(o, &err);
    }
    int code = VELO_EXIT_OK;
    velo_uri src_uri = {0}, sink_uri = {0};
    bool have_src = false, have_sink = false;
    velo_kv src_opts, sink_opts;
    velo_kv_init(&src_opts);
    velo_kv_init(&sink_opts);
    velo_dlq dlq;
    velo_dlq_open(&dlq, NULL, ".", NULL);
    velo_source *src = NULL;
    velo_sink *sink = NULL;
    velo_batch *b = NULL;
    char num[32];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    if (velo_uri_parse("nexmark://", &src_uri, &err)) goto io_error;
    have_src = true;
    snprintf(num, sizeof num, "%" PRIu64, o->events);
    velo_kv_set(&src_opts, "events", num);
    snprintf(num, sizeof num, "%" PRIu64, o->seed);
    velo_kv_set(&src_opts, "seed", num);
    if (o->rate) {
        snprintf(num, sizeof num, "%" PRIu64, o->rate);
        velo_kv_set(&src_opts, "rate", num);
    }
    velo_kv_set(&src_opts, "paced", o->paced ? "true" : "false");
    const velo_source_ops *sops = velo_source_lookup("nexmark");
    velo_connector_args sargs = {
        .uri = &src_uri, .options = &src_opts, .base_dir = ".", .dlq = &dlq, .name = "nexmark"};
    if (!sops || sops->open(&sargs, &src, &err)) goto io_error;

    if (velo_uri_parse(o->out_uri, &sink_uri, &err)) goto io_error;
    have_sink = true;
    velo_kv_set(&sink_opts, "nulls", "omit");
    for (uint32_t i = 0; i < sink_uri.params.count; i++)
        velo_kv_set(&sink_opts, sink_uri.params.items[i].key, sink_uri.params.items[i].value);
    const velo_sink_ops *kops = velo_sink_lookup(sink_uri.scheme);
    if (!kops) {
        velo_error_set(&err, VELO_ERR_UNSUPPORTED, "'%s': %s:// outputs are not supported yet", o->out_uri,
                       sink_uri.scheme);
        goto io_error;
    }
    velo_connector_args kargs = {
        .uri = &sink_uri, .options = &sink_opts, .base_dir = ".", .dlq = &dlq, .name = o->out_uri};
    const velo_schema *schema = sops->schema(src);
    if (kops->open(&kargs, schema, &sink, &err)) goto io_error;
    b = velo_batch_new(schema, VELO_BATCH_DEFAULT_CAPACITY);
    if (!b) {
        velo_error_set(&err, VELO_ERR_NOMEM, "out of memory");
        goto io_error;
    }
    uint64_t written = 0;
    bool eof = false;
    while (!eof && !(o->stop && atomic_load(o->stop))) {
        velo_batch_reset(b);
        if (sops->poll(src, b, &eof, &err)) goto io_error;
        if (b->count && kops->write(sink, b, &err)) goto io_error;
        written += b->count;
    }
    if (kops->flush(sink, &err)) goto io_error;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (!o->quiet)
        fprintf(o->diag_out,
                "velo-sql gen: %" PRIu64 " nexmark events (seed %" PRIu64 ") written to %s in %.2f s\n",
                written, o->seed, o->out_uri, secs);
    goto out;
io_error:
    code = fail(o, &err);
out:
    velo_batch_free(b);
    if (sink) sink->ops->close(sink);
    if (src) src->ops->close(src);
    velo_dlq_close(&dlq);
    if (have_src) velo_uri_free(&src_uri);
    if (have_sink) velo_uri_free(&sink_uri);
    velo_kv_free(&src_opts);
    velo_kv_free(&sink_opts);
    return code;
}
