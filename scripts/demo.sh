#!/bin/sh
# The main job end to end: an admin finds ClassLink SIS in the marketplace,
# installs the card and looks at Installed Apps.
set -eu
BUILD=${1:-build}
DEMO=$(mktemp -d /tmp/classlink-demo-XXXXXX)
trap 'rm -rf "$DEMO"' EXIT
export MOCK_HOST_DB="$DEMO/host.db"
MH="$BUILD/mock-host"

step() { printf '\n== %s\n$ mock-host %s\n' "$1" "$2"; }

step "The Integration Marketplace" "marketplace"
$MH marketplace
step "Add the ClassLink SIS card" "install classlink"
$MH install classlink
step "Installed Apps" "apps"
$MH apps
