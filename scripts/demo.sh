#!/bin/sh
# The main job end to end on the built-in simulator: an admin finds ClassLink
# SIS in the marketplace, installs the card, connects the district, syncs, and
# looks at the Users page; the district changes and a delta run catches up.
set -eu
BUILD=${1:-build}
DEMO=$(mktemp -d /tmp/classlink-demo-XXXXXX)
mkdir "$DEMO/csv-export"
export MOCK_HOST_DB="$DEMO/host.db"
MH="$BUILD/mock-host"

# A simulated ClassLink Roster Server with a 5,000-user district.
mkfifo "$DEMO/sim.in"
"$BUILD/classlink-sim" --users 5000 --schools 10 --port 0 <"$DEMO/sim.in" >"$DEMO/sim.out" &
SIM=$!
exec 3>"$DEMO/sim.in"
trap 'exec 3>&-; wait $SIM 2>/dev/null; rm -rf "$DEMO"' EXIT
while ! grep -q listening "$DEMO/sim.out" 2>/dev/null; do sleep 0.05; done
PORT=$(sed -n 's/listening on //p' "$DEMO/sim.out")

step() { printf '\n== %s\n$ mock-host %s\n' "$1" "$2"; }

step "The Integration Marketplace" "marketplace"
$MH marketplace
step "Add the ClassLink SIS card" "install classlink"
$MH install classlink
step "Connect the district (the secret comes from an environment variable)" \
     "connect classlink --server http://127.0.0.1:$PORT --client-id sim-client --client-secret-env CLASSLINK_SECRET"
CLASSLINK_SECRET=sim-secret $MH connect classlink --server "http://127.0.0.1:$PORT" \
    --client-id sim-client --client-secret-env CLASSLINK_SECRET
step "The district's fields for teachers (discovered from its data)" "schema classlink | sed -n '/== teacher/,/^$/p'"
$MH schema classlink | sed -n '/== teacher/,/^$/p'
step "Choose what the Users page shows for teachers, metadata included" \
     "fields classlink --metadata on --role teacher --show givenName,familyName,email,metadata.department"
$MH fields classlink --metadata on --role teacher --show givenName,familyName,email,metadata.department
step "First sync (full)" "sync classlink"
$MH sync classlink
step "The Users page (teachers)" "users --app classlink --role teacher | head -6"
$MH users --app classlink --role teacher | head -6
step "Installed Apps" "apps"
$MH apps
echo
echo "(the district changes: 40 users edited, 10 added, 5 marked tobedeleted)"
echo "mutate change=40&add=10&tobedeleted=5" >&3
sleep 0.2
step "Second sync (delta: only what changed)" "sync classlink"
$MH sync classlink
step "Sync history" "runs classlink"
$MH runs classlink

# A second district whose SIS drops a OneRoster 1.1 CSV export instead of
# offering an API: the OneRoster CSV plugin, beside ClassLink in the same host.
"$BUILD/bench/gen-oneroster-users" "$DEMO/csv-export" 300
step "A second district: its SIS drops a OneRoster CSV export" "install oneroster-csv"
$MH install oneroster-csv
step "Connect it (flags come from the plugin's declarations)" "connect oneroster-csv --source $DEMO/csv-export"
$MH connect oneroster-csv --source "$DEMO/csv-export"
step "Sync it" "sync oneroster-csv"
$MH sync oneroster-csv
step "Installed Apps: both SIS apps" "apps"
$MH apps
step "The Users page: both apps' users, same columns" "users | sed -n '1p;/^classlink/{p;q}'; users --app oneroster-csv | sed -n '2,3p'"
$MH users | sed -n '1p;/^classlink/{p;q}'
$MH users --app oneroster-csv | sed -n '2,3p'
