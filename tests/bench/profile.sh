#!/bin/sh
# profile.sh: where the product's CPU goes (the figures of tests/bench/FINDINGS.md).
# Starts the simulator (pages rendered once, as in make bench), then runs one
# full sync under `perf record` on a fresh database, a 1% delta under perf
# too, and prints per-thread and per-symbol shares and the syscall counts.
#
#   sh tests/bench/profile.sh BUILD_DIR USERS [OUT_DIR]     (after make bench)
set -eu
BUILD=$1 USERS=$2 OUT=${3:-/tmp/classlink-profile}
PEER=$BUILD/node-peer
mkdir -p "$OUT"
rm -f "$OUT"/db*
export CLASSLINK_SECRET=sim-secret MOCK_HOST_DB="$OUT/db"
mkfifo "$OUT/sim.in" 2>/dev/null || true
"$BUILD/classlink-sim" --port 0 --gzip --users "$USERS" --schools 120 <"$OUT/sim.in" >"$OUT/sim.out" 2>&1 &
SIM=$!
exec 3>"$OUT/sim.in"
trap 'exec 3>&-; wait $SIM 2>/dev/null || true' EXIT
while ! grep -q listening "$OUT/sim.out" 2>/dev/null; do sleep 0.05; done
PORT=$(sed -n 's/listening on //p' "$OUT/sim.out")
node "$PEER/peer.js" "http://127.0.0.1:$PORT/ims/oneroster/v1p1" sim-client CLASSLINK_SECRET --fetch-only >/dev/null
"$BUILD/mock-host" install classlink >/dev/null
"$BUILD/mock-host" connect classlink --server "http://127.0.0.1:$PORT" --client-id sim-client \
    --client-secret-env CLASSLINK_SECRET >/dev/null
EV=syscalls:sys_enter_pwrite64,syscalls:sys_enter_pread64,syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync
perf stat -e "$EV" -e task-clock,context-switches,cpu-migrations,page-faults -o "$OUT/full.stat" \
    perf record -q -F 499 -g -o "$OUT/full.data" "$BUILD/mock-host" sync classlink --full >"$OUT/full.out" 2>&1
ls -l "$OUT"/db* >"$OUT/full.files"
# Again without perf, each thread's CPU over time.
rm -f "$OUT"/db2*
MOCK_HOST_DB="$OUT/db2" "$BUILD/mock-host" install classlink >/dev/null
MOCK_HOST_DB="$OUT/db2" "$BUILD/mock-host" connect classlink --server "http://127.0.0.1:$PORT" \
    --client-id sim-client --client-secret-env CLASSLINK_SECRET >/dev/null
MOCK_HOST_DB="$OUT/db2" sh "$(dirname "$0")/threads.sh" "$BUILD/mock-host" sync classlink --full \
    >/dev/null 2>"$OUT/full.threads"
rm -f "$OUT"/db2*
sqlite3 "$OUT/db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
echo "mutate change=$((USERS / 100))" >&3
sleep 1
cp "$OUT/db" "$OUT/db.before-delta"
perf stat -e "$EV" -e task-clock,context-switches -o "$OUT/delta.stat" \
    perf record -q -F 999 -g -o "$OUT/delta.data" "$BUILD/mock-host" sync classlink --delta >"$OUT/delta.out" 2>&1
echo "== full, per thread over time"
cat "$OUT/full.threads"
for k in full delta; do
    echo "== $k: $(tail -1 "$OUT/$k.out")"
    grep -E "syscalls|task-clock|elapsed|user|sys|context" "$OUT/$k.stat"
    echo "-- threads"
    perf report -i "$OUT/$k.data" --no-children --sort pid --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -6
    echo "-- top symbols"
    perf report -i "$OUT/$k.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null |
        grep -E '^ +[0-9]' | head -40
done
