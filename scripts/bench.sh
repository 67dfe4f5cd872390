#!/bin/sh
# make bench: full and delta syncs of a 1,000,000-user district, a
# 100,000-user one, and the 100,000-user one over a simulated WAN, each
# against a typical integration (tests/bench/baseline.c) in the same run.
# Prints one line per scenario and the ratios.  Needs ~6 GB of disk.
set -eu
BUILD=${1:-build-bench}
WORK=$(mktemp -d /tmp/classlink-bench-XXXXXX)
MEASURE="$BUILD/bench/measure"
SIM_PID=""
stop_sim() {
    if [ -n "$SIM_PID" ]; then exec 3>&-; wait "$SIM_PID" 2>/dev/null || true; SIM_PID=""; fi
}
cleanup() { stop_sim; rm -rf "$WORK"; }
trap cleanup EXIT
export CLASSLINK_SECRET=sim-secret

# The simulator reads commands ("mutate change=N") on its stdin, fd 3 here.
start_sim() {  # start_sim ARGS...
    stop_sim
    rm -f "$WORK/sim.in" "$WORK/sim.out"
    mkfifo "$WORK/sim.in"
    "$BUILD/classlink-sim" --port 0 --gzip "$@" <"$WORK/sim.in" >"$WORK/sim.out" 2>&1 &
    SIM_PID=$!
    exec 3>"$WORK/sim.in"
    while ! grep -q listening "$WORK/sim.out" 2>/dev/null; do sleep 0.05; done
    PORT=$(sed -n 's/listening on //p' "$WORK/sim.out")
}

# ours NAME DB MODE [CONFIG...]: one mock-host sync, measured.
ours() {
    name=$1 db=$2 mode=$3
    shift 3
    export MOCK_HOST_DB="$db"
    if [ ! -e "$db" ]; then
        "$BUILD/mock-host" install classlink >/dev/null
        for kv in "$@"; do "$BUILD/mock-host" config classlink ${kv%%=*} ${kv#*=}; done
        "$BUILD/mock-host" connect classlink --server "http://127.0.0.1:$PORT" --client-id sim-client \
            --client-secret-env CLASSLINK_SECRET >/dev/null
    fi
    "$MEASURE" "$BUILD/mock-host" sync classlink "$mode" >"$WORK/out" 2>"$WORK/err" || {
        cat "$WORK/err" >&2; exit 1; }
    m=$(grep '^measure:' "$WORK/err")
    secs=$(echo "$m" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
    rss=$(echo "$m" | sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/')
    users=$(sed -n 's/.*fetched \([0-9]*\) users.*/\1/p' "$WORK/out")
    reqs=$(sed -n 's/.*; \([0-9]*\) requests.*/\1/p' "$WORK/out")
    bytes=$("$BUILD/mock-host" runs classlink --json | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' | tail -1)
    report "$name" "$users" "$secs" "$rss" "$reqs" "$bytes"
    eval "T_$name=$secs"
}

baseline() {  # baseline NAME DB
    "$MEASURE" "$BUILD/bench/baseline-sync" "http://127.0.0.1:$PORT/ims/oneroster/v1p1" sim-client \
        CLASSLINK_SECRET "$2" 1000 >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
    m=$(grep '^measure:' "$WORK/err")
    secs=$(echo "$m" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
    rss=$(echo "$m" | sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/')
    users=$(sed -n 's/.*users=\([0-9]*\).*/\1/p' "$WORK/out")
    reqs=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' "$WORK/out")
    bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$WORK/out")
    report "baseline_$1" "$users" "$secs" "$rss" "$reqs" "$bytes"
    eval "T_baseline_$1=$secs"
}

report() {
    rate=$(awk "BEGIN { printf \"%.0f\", $2 / ($3 > 0 ? $3 : 1) }")
    mb=$(awk "BEGIN { printf \"%.1f\", $4 / 1024 }")
    echo "bench: $1 users=$2 seconds=$3 users_per_s=$rate peak_rss_mb=$mb requests=$5 bytes=$6"
}

ratio() { eval "a=\$T_baseline_$1 b=\$T_$1"; awk "BEGIN { printf \"bench: ratio $1=%.2f\n\", $a / $b }"; }

USERS_1M=${BENCH_USERS:-1000000}
USERS_100K=$((USERS_1M / 10))

start_sim --users "$USERS_1M" --schools 120
ours full_1m "$WORK/full_1m.db" --full
baseline full_1m "$WORK/base_1m.db"
# 1% of users change; then a delta run.
echo "mutate change=$((USERS_1M / 100))" >&3
sleep 1
ours delta_1m "$WORK/full_1m.db" --delta
awk "BEGIN { printf \"bench: ratio delta_1m/full_1m=%.3f\n\", $T_delta_1m / $T_full_1m }"

start_sim --users "$USERS_100K" --schools 40
ours full_100k "$WORK/full_100k.db" --full
baseline full_100k "$WORK/base_100k.db"

start_sim --users "$USERS_100K" --schools 40 --latency-ms 50 --bandwidth-kbit 50000 --per-record-us 20
ours wan_full_100k "$WORK/wan_100k.db" --full fetch_projection=on
baseline wan_full_100k "$WORK/base_wan_100k.db"

ratio full_1m
ratio full_100k
ratio wan_full_100k

# ---- csv_full_1m: the OneRoster CSV plugin (owned by its maintainers) ----
# A generated 1,000,000-user OneRoster 1.1 CSV export (a folder), one full
# mock-host sync of it; users_per_s and peak RSS of the whole host.
csv_full() {  # csv_full NAME USERS
    csv_dir="$WORK/$1"
    mkdir -p "$csv_dir/export"
    "$BUILD/bench/gen-oneroster-users" "$csv_dir/export" "$2"
    export MOCK_HOST_DB="$csv_dir/host.db"
    "$BUILD/mock-host" install oneroster-csv >/dev/null
    "$BUILD/mock-host" connect oneroster-csv --source "$csv_dir/export" >/dev/null
    "$MEASURE" "$BUILD/mock-host" sync oneroster-csv >"$WORK/out" 2>"$WORK/err" || {
        cat "$WORK/err" >&2; exit 1; }
    m=$(grep '^measure:' "$WORK/err")
    secs=$(echo "$m" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
    rss=$(echo "$m" | sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/')
    users=$(sed -n 's/.*fetched \([0-9]*\) users.*/\1/p' "$WORK/out")
    bytes=$("$BUILD/mock-host" runs oneroster-csv --json | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' | tail -1)
    report "$1" "$users" "$secs" "$rss" 0 "$bytes"
    rm -rf "$csv_dir"
}
csv_full csv_full_1m "$USERS_1M"
# ---- end csv_full_1m ----
