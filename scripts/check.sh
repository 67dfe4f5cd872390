#!/bin/sh
# scripts/check.sh: `make check`'s test step.  Runs `make test` for the plain
# build and for the ASan+UBSan build (build-asan) side by side, each into a
# log of its own, then prints both logs and fails if either run failed.
# The suites wait on servers, browsers and timeouts more than they compute
# (about 4.5 CPU minutes in 8 run one after the other on 2 cores), and every
# port they use is chosen free at run time, so the two runs do not meet.
set -u
MAKE=${MAKE:-make}
mkdir -p build build-asan
$MAKE test >build/check.log 2>&1 &
plain_pid=$!
$MAKE BUILD=build-asan SAN=1 test >build-asan/check.log 2>&1
asan=$?
wait "$plain_pid"
plain=$?
echo "==== plain build (build/check.log)"
cat build/check.log
echo "==== ASan+UBSan build (build-asan/check.log)"
cat build-asan/check.log
[ "$plain" -eq 0 ] || echo "check: the plain suites FAILED (build/check.log)"
[ "$asan" -eq 0 ] || echo "check: the ASan+UBSan suites FAILED (build-asan/check.log)"
[ "$plain" -eq 0 ] && [ "$asan" -eq 0 ]
