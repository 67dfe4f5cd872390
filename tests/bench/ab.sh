#!/bin/sh
# ab.sh: A/B of two builds of the product on one private simulator, runs
# interleaved (A B A B ...), each under measure and threads.sh: wall, CPU,
# peak RSS, and CPU seconds per thread (main = the plugin's calling thread).
#   sh tests/bench/ab.sh BUILD_A BUILD_B [USERS] [ROUNDS]
# BUILD_* are build folders made with `make BUILD=... CFLAGS="-O2 -g -DNDEBUG" bench-tools`;
# the simulator is BUILD_B's.
set -eu
A=$(cd "$1" && pwd) B=$(cd "$2" && pwd) USERS=${3:-1000000} ROUNDS=${4:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/classlink-ab-XXXXXX)
SIM_PID=""
cleanup() { [ -n "$SIM_PID" ] && { exec 3>&-; wait "$SIM_PID" 2>/dev/null || true; }; rm -rf "$W"; }
trap cleanup EXIT
export CLASSLINK_SECRET=sim-secret
mkfifo "$W/sim.in"
"$B/classlink-sim" --port 0 --gzip --users "$USERS" --schools 120 <"$W/sim.in" >"$W/sim.out" 2>&1 &
SIM_PID=$!
exec 3>"$W/sim.in"
while ! grep -q listening "$W/sim.out" 2>/dev/null; do sleep 0.05; done
PORT=$(sed -n 's/listening on //p' "$W/sim.out")
run() {  # run TAG BUILD
    db="$W/$1.db"
    rm -f "$db"*
    export MOCK_HOST_DB="$db" MOCK_HOST_PLUGINS="$2"  # a copied build still loads its own plugin
    "$2/mock-host" install classlink >/dev/null
    "$2/mock-host" connect classlink --server "http://127.0.0.1:$PORT" --client-id sim-client \
        --client-secret-env CLASSLINK_SECRET >/dev/null
    "$B/bench/measure" sh "$HERE/threads.sh" "$2/mock-host" sync classlink --full >"$W/out" 2>"$W/err"
    m=$(grep '^measure:' "$W/err")
    thr=$(grep "^thread" "$W/err" | awk "{ split(\$3, a, \"=\"); n = split(\$2, t, \"/\"); sub(\":\", \"\", t[n]); printf \" %s=%s\", t[n], a[2] }")
    echo "$m" | awk -v tag="$1" -v thr="$thr" -v load="$(cut -d' ' -f1 /proc/loadavg)" '{
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "ab: %s wall_s=%.2f cpu_s=%.2f rss_mb=%.1f threads_cpu_s=%s load=%s\n", tag, v["seconds"],
               v["user_s"] + v["sys_s"], v["peak_rss_kb"] / 1024, thr, load }'
    grep -q "fetched $USERS users" "$W/out" || { echo "ab: $1 did not fetch $USERS users:"; tail -3 "$W/out"; }
    rm -f "$db"*
}
run warm "$B" >/dev/null  # the simulator renders each page once
i=1
while [ "$i" -le "$ROUNDS" ]; do
    run A "$A"
    run B "$B"
    i=$((i + 1))
done
