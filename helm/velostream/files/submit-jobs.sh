#!/bin/sh
# Submits the chart's jobs (VELO_JOBS_DIR/NAME.sql, binds in NAME.binds) to this pod's own node,
# once it is ready. Run by the StatefulSet's postStart hook, again at every container start: a job
# whose name the node already knows (running, restored from the data dir, or ended) is left alone,
# so a restart never runs a job twice. Exit 1 when the node is not ready in time or a job is
# refused (with VELO_JOBS_FAIL_ON_ERROR=true), which makes Kubernetes restart the container.
set -u

dir=${VELO_JOBS_DIR:-/etc/velo/jobs}
timeout=${VELO_JOBS_READY_TIMEOUT:-120}
# The hook's own output is only shown in a failure event: write to the container's log instead
# (/proc/1/fd/1, the node's standard output) when it can be opened, else stay where we are.
if [ -n "${VELO_JOBS_LOG:-}" ] && (: >>"$VELO_JOBS_LOG") 2>/dev/null; then
    exec >>"$VELO_JOBS_LOG" 2>&1
fi
cli="velo-cli --sql-host 127.0.0.1 --sql-port ${VELO_PORT:-8080}"
# The node's own loopback: its certificate names the service, not 127.0.0.1.
if [ "${VELO_TLS:-false}" = true ]; then cli="$cli --tls --insecure"; fi

log() { echo "submit-jobs: $*"; }

waited=0
until $cli health >/dev/null 2>&1; do
    if [ "$waited" -ge "$timeout" ]; then
        log "the node is not ready after ${timeout}s; no job submitted. Its health:"
        $cli health
        exit 1
    fi
    sleep 1
    waited=$((waited + 1))
done

if ! known=$($cli jobs --format json 2>&1); then
    log "cannot list the node's jobs: $known"
    exit 1
fi

status=0
for f in "$dir"/*.sql; do
    [ -e "$f" ] || continue
    name=$(basename "$f" .sql)
    # Job names are A-Z a-z 0-9 _ - . only; the node's JSON is compact, "id" just before "name".
    pat=$(printf '%s' "$name" | sed 's/[.]/\\./g')
    if printf '%s' "$known" | grep -q "\"id\":\"[0-9a-f]*\",\"name\":\"$pat\""; then
        log "job $name: already on this node, left alone"
        continue
    fi
    set --
    if [ -f "$dir/$name.binds" ]; then
        while IFS= read -r b; do
            [ -n "$b" ] && set -- "$@" --bind "$b"
        done <"$dir/$name.binds"
    fi
    if out=$($cli submit "$f" --name "$name" "$@" 2>&1); then
        log "$out"
    else
        log "job $name was not submitted: $out"
        status=1
    fi
done

if [ "${VELO_JOBS_FAIL_ON_ERROR:-true}" != true ]; then status=0; fi
exit $status
