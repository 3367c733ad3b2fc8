#!/bin/sh
# Workload: parse + bind speed, `velo-cli validate` on a generated 1,000-statement file, best of 5
# (bench/parse_bind.sh). No peer. usage: parse_bind.sh VELO_SQL DATA_DIR FRAGMENT.json
set -eu
velo=$1 fragment=$3
here=$(cd "$(dirname "$0")/.." && pwd)
line=$("$here/parse_bind.sh" "$(dirname "$velo")" | tail -1)
secs=$(echo "$line" | sed 's/.*best of 5: \([0-9.]*\) s.*/\1/')
n=$(echo "$line" | sed 's/.*: \([0-9]*\) statements,.*/\1/')
cat >"$fragment" <<JSON
{"workload": "parse_bind", "title": "Parse + bind (velo-cli validate)", "params": {"statements": $n},
 "notes": "events = statements; no peer",
 "results": [{"name": "validate $n statements", "engine": "velo-cli", "cores": 1, "events": $n,
   "seconds": $secs, "events_per_s": $(awk -v n="$n" -v s="$secs" 'BEGIN{print n/s}'),
   "events_per_s_per_core": $(awk -v n="$n" -v s="$secs" 'BEGIN{print n/s}'),
   "peak_rss_bytes": null, "rows_out": null, "status": "ok", "check": "", "peer": null, "ratio": null,
   "latency_p50_ms": null, "latency_p99_ms": null}]}
JSON
