#!/bin/sh
# make bench: the product (mock-host sync) against a strong Node.js 20 client
# (tests/bench/node-peer/peer.js) on one simulator instance per district size:
# gzip, pages of 10,000, full records, three interleaved runs each (product,
# node, product, node, ...), medians compared.  Then a 1% delta at 1M, and the
# "typical integration" (tests/bench/baseline.c: pages of 1,000, no gzip, a
# transaction per page; a weak reference, kept for continuity) once per size.
#
#   sh scripts/bench.sh BUILD_DIR [NODE_PEER_DIR]
#   env: BENCH_USERS (default 1000000; the small district is a tenth of it),
#        BENCH_RUNS (3), BENCH_ONLY=small (skip the big district), BENCH_WAN=1
#        (add the simulated-WAN scenario)
#
# Per run:  "bench: run NAME#i wall_s=.. cpu_s=.. ..." (cpu_s: user+sys of the
# measured process, all threads; sim_cpu_s: the simulator's, same interval;
# probe_s: the CPU seconds of a fixed task, SHA-256 of 64 MiB, just before and
# just after the run, averaged: the same work takes up to 60% more CPU when
# the virtual machine's cores are busy outside it, which is what makes slow
# runs slow for the product and the peer alike; see tests/bench/FINDINGS.md).
# Per scenario: "bench: NAME users=.. seconds=MEDIAN min=.. cpu_s=.. cpu_us_per_user=..
# peak_rss_mb=.. sim_cpu_s=.." and "bench: ratio NAME=node_median/product_median".
# Needs ~4 GB of disk in /tmp for the 1M district.
set -eu
BUILD=${1:-build-bench}
PEER=${2:-$BUILD/node-peer}
WORK=$(mktemp -d /tmp/classlink-bench-XXXXXX)
MEASURE="$BUILD/bench/measure"
RUNS=${BENCH_RUNS:-3}
TCK=$(getconf CLK_TCK)
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
    ROOT="http://127.0.0.1:$PORT/ims/oneroster/v1p1"
}

sim_cpu() { awk -v t="$TCK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$SIM_PID/stat"; }

# probe: user CPU seconds of one fixed single-threaded task.
head -c 67108864 /dev/zero >"$WORK/probe.bin"
probe() {
    "$MEASURE" sha256sum "$WORK/probe.bin" >/dev/null 2>"$WORK/probe.err" || {
        echo "bench: the probe failed:" >&2; cat "$WORK/probe.err" >&2; exit 1; }
    v=$(sed -n 's/^measure:.* user_s=\([0-9.]*\).*/\1/p' "$WORK/probe.err")
    [ -n "$v" ] || { echo "bench: the probe printed no CPU time:" >&2; cat "$WORK/probe.err" >&2; exit 1; }
    echo "$v"
}

# measured TAG CMD...: runs CMD under measure; sets WALL CPU RSS SIMCPU PROBE.
measured() {
    tag=$1
    shift
    # Every run starts with nothing of an earlier one left to write back
    # (a removed database, the copy a delta starts from): an admin's
    # database is at rest when a sync starts, and one run must not pay for
    # the disk writes of the one before it.
    sync
    p0=$(probe)
    s0=$(sim_cpu)
    "$MEASURE" "$@" >"$WORK/out" 2>"$WORK/err" || {
        echo "bench: $tag failed:" >&2; tail -5 "$WORK/err" >&2; tail -5 "$WORK/out" >&2; exit 1; }
    s1=$(sim_cpu)
    p1=$(probe)
    PROBE=$(awk "BEGIN { printf \"%.3f\", ($p0 + $p1) / 2 }")
    m=$(grep '^measure:' "$WORK/err")
    WALL=$(echo "$m" | sed 's/.*seconds=\([0-9.]*\).*/\1/')
    CPU=$(echo "$m" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                             printf "%.2f", v["user_s"] + v["sys_s"] }')
    RSS=$(echo "$m" | sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/')
    CSW=$(echo "$m" | sed 's/.*vcsw=\([0-9]*\) ivcsw=\([0-9]*\).*/waiting=\1 preempted=\2/')
    SIMCPU=$(awk "BEGIN { printf \"%.2f\", $s1 - $s0 }")
}

# record NAME USERS REQUESTS BYTES: one run's line, kept for the medians.
record() {
    echo "$1 $WALL $CPU $RSS $SIMCPU $2 $3 $4 $PROBE" >>"$WORK/runs"
    n=$(grep -c "^$1 " "$WORK/runs")
    awk -v name="$1" -v i="$n" -v w="$WALL" -v c="$CPU" -v r="$RSS" -v s="$SIMCPU" -v u="$2" -v x="$CSW" -v p="$PROBE" 'BEGIN {
        printf "bench: run %s#%d users=%d wall_s=%.2f cpu_s=%.2f cpu_us_per_user=%.1f peak_rss_mb=%.1f sim_cpu_s=%.2f probe_s=%.3f switches: %s\n",
               name, i, u, w, c, (u > 0 ? c * 1e6 / u : 0), r / 1024, s, p, x }'
}

# ours NAME DB MODE [CONFIG...]: one mock-host sync, measured.  A DB that does
# not exist yet is made and connected first (not measured).
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
    measured "$name" "$BUILD/mock-host" sync classlink "$mode"
    users=$(sed -n 's/.*fetched \([0-9]*\) users.*/\1/p' "$WORK/out" | tail -1)
    reqs=$(sed -n 's/.*; \([0-9]*\) requests.*/\1/p' "$WORK/out" | tail -1)
    bytes=$("$BUILD/mock-host" runs classlink --json | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' | tail -1)
    record "$name" "${users:-0}" "${reqs:-0}" "${bytes:-0}"
}

node_peer() {  # node_peer NAME DB
    rm -f "$2" "$2-wal" "$2-shm"
    measured "$1" node "$PEER/peer.js" "$ROOT" sim-client CLASSLINK_SECRET "$2"
    record "$1" "$(sed -n 's/.*users=\([0-9]*\).*/\1/p' "$WORK/out")" \
        "$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' "$WORK/out")" "$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$WORK/out")"
    rm -f "$2" "$2-wal" "$2-shm"
}

typical() {  # typical NAME DB
    measured "$1" "$BUILD/bench/baseline-sync" "$ROOT" sim-client CLASSLINK_SECRET "$2" 1000
    record "$1" "$(sed -n 's/.*users=\([0-9]*\).*/\1/p' "$WORK/out")" \
        "$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' "$WORK/out")" "$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$WORK/out")"
    rm -f "$2" "$2-wal" "$2-shm"
}

# The simulator renders each page once and serves it from memory afterwards:
# a pass that only downloads, so that no measured run pays the rendering.
warm() {  # warm [PEER_OPTIONS...]
    s0=$(sim_cpu)
    node "$PEER/peer.js" "$ROOT" sim-client CLASSLINK_SECRET --fetch-only "$@" >/dev/null
    echo "bench: warm-up${1:+ ($*)}: simulator rendered the pages in $(awk "BEGIN { printf \"%.2f\", $(sim_cpu) - $s0 }") CPU s"
}

# summary NAME: medians over the runs of NAME; sets MED_NAME for ratios.
summary() {
    grep "^$1 " "$WORK/runs" | awk -v name="$1" '
        function med(col,   i, j, t, a, n) {
            n = 0
            for (i = 1; i <= NR; i++) a[++n] = v[i, col]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        { for (k = 2; k <= 8; k++) v[NR, k] = $k
          if (NR == 1 || $2 < min) min = $2
          if ($4 > rss) rss = $4 }
        END {
            printf "bench: %s users=%d seconds=%.2f min=%.2f runs=%d cpu_s=%.2f cpu_us_per_user=%.1f users_per_s=%.0f peak_rss_mb=%.1f sim_cpu_s=%.2f requests=%d bytes=%d\n",
                name, v[1, 6], med(2), min, NR, med(3), (v[1, 6] > 0 ? med(3) * 1e6 / v[1, 6] : 0),
                v[1, 6] / (med(2) > 0 ? med(2) : 1), rss / 1024, med(5), v[1, 7], v[1, 8]
        }'
    eval "MED_$1=$(grep "^$1 " "$WORK/runs" | awk '{ print $2 }' | sort -n | awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
}

# adjusted NAME: the median over NAME's runs of wall / the run's probe, the
# wall in units of the machine's speed at that moment (a correction, not a
# measurement: the official ratios stay raw).  A probe of 0 counts as 0.001.
adjusted() {
    grep "^$1 " "$WORK/runs" | awk '{ print $2 / ($9 > 0 ? $9 : 0.001) }' | sort -n |
        awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

ratio() {  # ratio LABEL SLOWER FASTER: SLOWER/FASTER (>1: the second is faster)
    eval "a=\$MED_$2 b=\$MED_$3"
    awk "BEGIN { printf \"bench: ratio $1=%.2f\n\", $a / $b }"
}

# full SUFFIX USERS SCHOOLS: interleaved product and node runs, then the
# typical integration once.
full() {
    sfx=$1
    start_sim --users "$2" --schools "$3"
    echo "bench: district of $2 users (simulator pid $SIM_PID, port $PORT)"
    warm
    i=1
    while [ "$i" -le "$RUNS" ]; do
        rm -f "$WORK/full_$sfx.db"*
        ours "full_$sfx" "$WORK/full_$sfx.db" --full
        node_peer "node_full_$sfx" "$WORK/node_$sfx.db"
        i=$((i + 1))
    done
    warm --page 1000 --identity
    typical "typical_full_$sfx" "$WORK/typical_$sfx.db"
    summary "full_$sfx"
    summary "node_full_$sfx"
    summary "typical_full_$sfx"
}

# delta SUFFIX: 1% of the users change, then delta runs, each on a copy of the
# product's database as the last full run left it (one unmeasured first, so
# that the simulator has rendered the filtered pages).
delta() {
    sfx=$1 n_users=$2
    sqlite3 "$WORK/full_$sfx.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    echo "mutate change=$((n_users / 100))" >&3
    sleep 1
    i=0
    while [ "$i" -le "$RUNS" ]; do
        cp "$WORK/full_$sfx.db" "$WORK/delta_$sfx.db"
        cp "$WORK/full_$sfx.db.key" "$WORK/delta_$sfx.db.key"
        rm -f "$WORK/delta_$sfx.db-wal" "$WORK/delta_$sfx.db-shm"
        if [ "$i" = 0 ]; then
            MOCK_HOST_DB="$WORK/delta_$sfx.db" "$BUILD/mock-host" sync classlink --delta >/dev/null 2>&1
            echo "bench: delta warm-up done"
        else
            ours "delta_$sfx" "$WORK/delta_$sfx.db" --delta
        fi
        i=$((i + 1))
    done
    rm -f "$WORK/delta_$sfx.db"*
    summary "delta_$sfx"
}

USERS_BIG=${BENCH_USERS:-1000000}
USERS_SMALL=$((USERS_BIG / 10))
big=1m small=100k
[ "$USERS_BIG" = 1000000 ] || { big=$USERS_BIG small=$USERS_SMALL; }
echo "bench: node $(node --version), $RUNS interleaved runs per scenario, $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg)"

full "$small" "$USERS_SMALL" 40
if [ "${BENCH_ONLY:-}" != small ]; then
    full "$big" "$USERS_BIG" 120
    delta "$big" "$USERS_BIG"
fi
if [ "${BENCH_WAN:-0}" = 1 ]; then
    start_sim --users "$USERS_SMALL" --schools 40 --latency-ms 50 --bandwidth-kbit 50000 --per-record-us 20
    rm -f "$WORK/wan.db"*
    ours "wan_full_$small" "$WORK/wan.db" --full fetch_projection=on
    typical "typical_wan_full_$small" "$WORK/typical_wan.db"
    summary "wan_full_$small"
    summary "typical_wan_full_$small"
    ratio "typical_wan_full_$small" "typical_wan_full_$small" "wan_full_$small"
fi
stop_sim

echo "bench: ratios are the other client's median wall time over the product's (above 1: the product is faster)"
ratio "full_$small" "node_full_$small" "full_$small"
ratio "typical_full_$small" "typical_full_$small" "full_$small"
if [ "${BENCH_ONLY:-}" != small ]; then
    ratio "full_$big" "node_full_$big" "full_$big"
    ratio "typical_full_$big" "typical_full_$big" "full_$big"
    eval "a=\$MED_delta_$big b=\$MED_full_$big"
    awk "BEGIN { printf \"bench: ratio delta_$big/full_$big=%.3f\n\", $a / $b }"
fi
awk '{ print $9 }' "$WORK/runs" | sort -n | awk '{ a[NR] = $1 } END {
    printf "bench: machine probe_s min=%.3f median=%.3f max=%.3f over %d runs (the same task; above min, the machine was slower)\n",
           a[1], a[int((NR + 1) / 2)], a[NR], NR }'
sizes=$small
[ "${BENCH_ONLY:-}" = small ] || sizes="$small $big"
for sz in $sizes; do
    awk -v n="$(adjusted "node_full_$sz")" -v p="$(adjusted "full_$sz")" -v sz="$sz" 'BEGIN {
        printf "bench: ratio_probe_adjusted full_%s=%.2f (each wall divided by its run'"'"'s probe)\n", sz, (p > 0 ? n / p : 0) }'
done

# ---- csv_full_1m: the OneRoster CSV plugin ----
# A generated OneRoster 1.1 CSV export (a folder) of USERS_BIG users, one full
# mock-host sync of it: wall, CPU, users per second and peak RSS of the host.
csv_full() {  # csv_full NAME USERS
    csv_dir="$WORK/$1"
    mkdir -p "$csv_dir/export"
    "$BUILD/bench/gen-oneroster-users" "$csv_dir/export" "$2"
    export MOCK_HOST_DB="$csv_dir/host.db"
    "$BUILD/mock-host" install oneroster-csv >/dev/null
    "$BUILD/mock-host" connect oneroster-csv --source "$csv_dir/export" >/dev/null
    "$MEASURE" "$BUILD/mock-host" sync oneroster-csv >"$WORK/out" 2>"$WORK/err" || {
        echo "bench: $1 failed:" >&2; tail -5 "$WORK/err" >&2; exit 1; }
    m=$(grep '^measure:' "$WORK/err")
    users=$(sed -n 's/.*fetched \([0-9]*\) users.*/\1/p' "$WORK/out" | tail -1)
    echo "$m" | awk -v name="$1" -v u="${users:-0}" '{
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        c = v["user_s"] + v["sys_s"]
        printf "bench: run %s users=%d wall_s=%.2f cpu_s=%.2f users_per_s=%.0f peak_rss_mb=%.1f\n",
               name, u, v["seconds"], c, (v["seconds"] > 0 ? u / v["seconds"] : 0), v["peak_rss_kb"] / 1024 }'
    rm -rf "$csv_dir"
}
if [ "${BENCH_ONLY:-}" != small ]; then
    csv_full csv_full_1m "$USERS_BIG"
else
    csv_full "csv_full_$small" "$USERS_SMALL"
fi
# ---- end csv_full ----
# ---- pg_full: the full sync into PostgreSQL (issue 17) ----
# pg_full SUFFIX USERS SCHOOLS: a throwaway PostgreSQL server as the tests
# start one (initdb into a temporary folder, as nobody when root since it
# refuses root; pg_ctl on a socket in that folder; default durability, like
# SQLite's), one measured full sync into it ("bench: run pg_full_SUFFIX#1"),
# and its wall time over the SQLite full run of the same size
# ("bench: ratio pg_full_SUFFIX/full_SUFFIX"; the issue asks for at most 1.5).
PGDIR="" PGBIN="" PGAS=""
pg_stop() {
    if [ -n "$PGDIR" ]; then
        (cd "$PGDIR" && $PGAS "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1) || true
        rm -rf "$PGDIR"
        PGDIR=""
    fi
}
trap 'pg_stop; cleanup' EXIT
pg_full() {
    sfx=$1
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    if [ -z "$PGBIN" ]; then
        echo "bench: pg_full_$sfx skipped: no PostgreSQL server installed (run 'make deps')"
        return 0
    fi
    PGDIR=$(mktemp -d /tmp/classlink-bench-pg-XXXXXX)
    if [ "$(id -u)" = 0 ]; then chown nobody "$PGDIR"; PGAS="runuser -u nobody --"; fi
    if ! (cd "$PGDIR" && $PGAS "$PGBIN/initdb" -D "$PGDIR/data" -U mh -A trust -E UTF8 --locale=C \
              >"$PGDIR/initdb.log" 2>&1 &&
          $PGAS "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
              -o "-k $PGDIR -c listen_addresses=''" start >/dev/null); then
        echo "bench: pg_full_$sfx: the PostgreSQL server did not start:" >&2
        cat "$PGDIR/initdb.log" "$PGDIR/server.log" >&2 2>/dev/null
        pg_stop
        return 1
    fi
    start_sim --users "$2" --schools "$3"
    export MOCK_HOST_KEY_FILE="$WORK/pg.key"
    # Unmeasured: the simulator renders the pages once, as before every full run.
    MOCK_HOST_DB="$WORK/pg_warm.db" "$BUILD/mock-host" install classlink >/dev/null
    MOCK_HOST_DB="$WORK/pg_warm.db" "$BUILD/mock-host" connect classlink \
        --server "http://127.0.0.1:$PORT" --client-id sim-client \
        --client-secret-env CLASSLINK_SECRET >/dev/null
    MOCK_HOST_DB="$WORK/pg_warm.db" "$BUILD/mock-host" sync classlink --full >"$WORK/pg_warm.log" 2>&1 ||
        { echo "bench: pg_full_$sfx: warm-up sync failed:" >&2; tail -5 "$WORK/pg_warm.log" >&2; }
    rm -f "$WORK/pg_warm.db"*
    ours "pg_full_$sfx" "host=$PGDIR user=mh dbname=postgres" --full
    unset MOCK_HOST_KEY_FILE
    stop_sim
    pg_stop
    summary "pg_full_$sfx"
    ratio "pg_full_$sfx/full_$sfx" "pg_full_$sfx" "full_$sfx"
}
if [ "${BENCH_ONLY:-}" != small ]; then
    pg_full "$big" "$USERS_BIG" 120
else
    pg_full "$small" "$USERS_SMALL" 40
fi
# ---- end pg_full ----
# ---- full_resync: a full run over a district that barely changed (issue 14) ----
# The weekly full run after deltas: a database a full run filled (unmeasured,
# as is the simulator's rendering), 1% of the users changed, then one measured
# full sync into it ("bench: run full_resync_SUFFIX#1"): 99% of the records
# are unchanged and are only marked as seen, which must not rewrite their rows.
full_resync() {  # full_resync SUFFIX USERS SCHOOLS
    sfx=$1
    start_sim --users "$2" --schools "$3"
    db="$WORK/resync_$sfx.db"
    rm -f "$db"*
    export MOCK_HOST_DB="$db"
    "$BUILD/mock-host" install classlink >/dev/null
    "$BUILD/mock-host" connect classlink --server "http://127.0.0.1:$PORT" --client-id sim-client \
        --client-secret-env CLASSLINK_SECRET >/dev/null
    "$BUILD/mock-host" sync classlink --full >"$WORK/resync_warm.log" 2>&1 ||
        { echo "bench: full_resync_$sfx: first full sync failed:" >&2; tail -5 "$WORK/resync_warm.log" >&2; exit 1; }
    echo "mutate change=$(($2 / 100))" >&3
    sleep 1
    ours "full_resync_$sfx" "$db" --full
    stop_sim
    rm -f "$db"*
    summary "full_resync_$sfx"
    # over the first import of the same size (above 1: the re-sync is slower)
    if eval "[ -n \"\${MED_full_$sfx:-}\" ]"; then
        ratio "full_resync_$sfx/full_$sfx" "full_resync_$sfx" "full_$sfx"
    fi
}
if [ "${BENCH_ONLY:-}" != small ]; then
    full_resync "$big" "$USERS_BIG" 120
else
    full_resync "$small" "$USERS_SMALL" 40
fi
# ---- end full_resync ----
