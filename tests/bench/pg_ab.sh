#!/bin/sh
# tests/bench/pg_ab.sh - a first full sync into PostgreSQL against the same
# into SQLite, interleaved on one simulator (tests/bench/PG.md):
#
#   sh tests/bench/pg_ab.sh BUILD_DIR [USERS [SCHOOLS [ROUNDS]]]
#   env: AB_OTHER=DIR  also time DIR/mock-host on PostgreSQL each round (an
#                      older build, say), after this build's
#        AB_CHECK=1    compare the Users pages of both backends after each round
#        AB_PGOPTS     more server options ("-c log_checkpoints=on")
#
# Per run: "sqlite#i wall=.. user=.. sys=.. rss_kb=.." (the mock-host
# process), "pg#i ..." and the server's CPU seconds in that run (all its
# processes).  The server is a throwaway one started as the tests start
# theirs (initdb in a temporary folder, as nobody when root; default
# durability) and shares the machine's cores with mock-host.
set -eu
BUILD=$(cd "$1" && pwd) USERS=${2:-1000000} SCHOOLS=${3:-120} ROUNDS=${4:-1}
W=$(mktemp -d /tmp/pg-ab-XXXXXX)
chmod 755 "$W"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGDIR=$W/pg AS=""
mkdir "$PGDIR"
if [ "$(id -u)" = 0 ]; then chown nobody "$PGDIR"; AS="runuser -u nobody --"; fi
export CLASSLINK_SECRET=sim-secret MOCK_HOST_PLUGINS="$BUILD"
cleanup() {
    (cd "$PGDIR" && $AS "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1) || true
    exec 3>&-
    wait 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT
(cd "$PGDIR" && $AS "$PGBIN/initdb" -D "$PGDIR/data" -U mh -A trust -E UTF8 --locale=C >/dev/null &&
 $AS "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
     -o "-k $PGDIR -c listen_addresses='' ${AB_PGOPTS:-}" start >/dev/null)
PM=$(head -1 "$PGDIR/data/postmaster.pid")
# utime+stime+cutime+cstime of the postmaster: the backends' CPU once they exit.
server_cpu() { awk -v t="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15 + $16 + $17) / t }' "/proc/$PM/stat"; }
mkfifo "$W/sim.in"
"$BUILD/classlink-sim" --port 0 --gzip --users "$USERS" --schools "$SCHOOLS" <"$W/sim.in" >"$W/sim.out" 2>&1 &
exec 3>"$W/sim.in"
while ! grep -q listening "$W/sim.out" 2>/dev/null; do sleep 0.05; done
PORT=$(sed -n 's/listening on //p' "$W/sim.out")
export MOCK_HOST_KEY_FILE="$W/pg.key"
setup() {  # setup MOCK_HOST: install and connect (not measured)
    "$1" install classlink >/dev/null
    "$1" connect classlink --server "http://127.0.0.1:$PORT" --client-id sim-client \
        --client-secret-env CLASSLINK_SECRET >/dev/null
}
timed() {  # timed TAG MOCK_HOST
    /usr/bin/time -f "$1 wall=%e user=%U sys=%S rss_kb=%M" "$2" sync classlink --full \
        >"$W/out" 2>"$W/err" || { tail -5 "$W/err"; exit 1; }
    tail -1 "$W/err"
}
pg_run() {  # pg_run TAG MOCK_HOST: a new database, one measured full sync
    $AS "$PGBIN/dropdb" -h "$PGDIR" -U mh --if-exists ab >/dev/null 2>&1 || true
    $AS "$PGBIN/createdb" -h "$PGDIR" -U mh ab
    export MOCK_HOST_DB="host=$PGDIR user=mh dbname=ab"
    rm -f "$MOCK_HOST_KEY_FILE"
    setup "$2"
    c0=$(server_cpu)
    timed "$1" "$2"
    sleep 0.3  # the backend has exited: its CPU is in the postmaster's
    echo "$1 server_cpu_s=$(awk "BEGIN { print $(server_cpu) - $c0 }")"
}
# Unmeasured: the simulator renders the pages once.
MOCK_HOST_DB="$W/warm.db" setup "$BUILD/mock-host"
MOCK_HOST_DB="$W/warm.db" "$BUILD/mock-host" sync classlink --full >/dev/null 2>&1
rm -f "$W/warm.db"*
i=0
while [ $i -lt "$ROUNDS" ]; do
    i=$((i + 1))
    rm -f "$W/s.db"*
    MOCK_HOST_DB="$W/s.db"
    export MOCK_HOST_DB
    setup "$BUILD/mock-host"
    timed "sqlite#$i" "$BUILD/mock-host"
    pg_run "pg#$i" "$BUILD/mock-host"
    if [ -n "${AB_CHECK:-}" ]; then
        a=$("$BUILD/mock-host" users --json | md5sum)
        b=$(MOCK_HOST_DB="$W/s.db" "$BUILD/mock-host" users --json | md5sum)
        [ "$a" = "$b" ] && echo "users pages identical" || echo "users pages DIFFER"
    fi
    if [ -n "${AB_OTHER:-}" ]; then pg_run "other#$i" "$AB_OTHER/mock-host"; fi
done
