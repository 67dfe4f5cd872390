#!/bin/sh
# threads.sh: runs CMD and prints, every half second, each of its threads' CPU
# use over that interval (percent of one core), their voluntary (waiting) and
# involuntary (preempted) context switches so far and the core each last ran
# on; then the totals.
#   sh tests/bench/threads.sh CMD [ARGS...]      (output on stderr)
TCK=$(getconf CLK_TCK)
"$@" &
PID=$!
T0=$(date +%s.%N)
while kill -0 "$PID" 2>/dev/null; do
    for t in /proc/"$PID"/task/*; do
        [ -r "$t/stat" ] || continue
        tid=${t##*/}/$(tr -d " " <"$t/comm" 2>/dev/null)  # the name tells the threads apart
        cpu=$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null) || continue
        sw=$(awk '/^voluntary_ctxt/ { v = $2 } /^nonvoluntary_ctxt/ { n = $2 } END { print v, n }' "$t/status" 2>/dev/null)
        core=$(awk '{ print $39 }' "$t/stat" 2>/dev/null)
        echo "$(date +%s.%N) $tid $cpu $sw $core"
    done
    sleep 0.5
done >"/tmp/threads.$$"
wait "$PID"
rc=$?
awk -v t0="$T0" -v tck="$TCK" '
    { t = $1 - t0; tid = $2
      if (!(tid in last)) { order[++n] = tid; prev[tid] = $3; }
      if (int(t * 2) != slot) { if (line != "") print line; slot = int(t * 2); line = sprintf("t=%5.1fs", t) }
      line = line sprintf("  %s:%3.0f%% v=%d n=%d cpu%d", tid, ($3 - prev[tid]) / tck / 0.5 * 100, $4, $5, $6)
      prev[tid] = $3; last[tid] = $3; vol[tid] = $4; inv[tid] = $5 }
    END { print line
          for (i = 1; i <= n; i++) printf "thread %s: cpu_s=%.2f voluntary=%d involuntary=%d\n", order[i], last[order[i]] / tck, vol[order[i]], inv[order[i]] }
' "/tmp/threads.$$" >&2
# How often the two first threads (for mock-host: the plugin's and the writer)
# were last seen on the same core.
awk -v t0="$T0" '{ slot = int(($1 - t0) * 2); if (!(slot in first)) first[slot] = $6; else if (!(slot in second)) second[slot] = $6 }
    END { for (s in second) { n++; if (first[s] == second[s]) same++ }
          printf "same-core samples: %d of %d\n", same, n }' "/tmp/threads.$$" >&2
rm -f "/tmp/threads.$$"
exit $rc
