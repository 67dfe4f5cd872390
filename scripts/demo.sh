#!/bin/sh
# The main job end to end on the built-in simulator: an admin finds ClassLink
# SIS in the marketplace, installs the card, connects the district, syncs, and
# looks at the Users page; the district changes and a delta run catches up.
set -eu
BUILD=${1:-build}
DEMO=$(mktemp -d /tmp/classlink-demo-XXXXXX)
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
