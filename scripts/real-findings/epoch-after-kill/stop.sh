#!/usr/bin/env bash
# stop.sh N: only needed after an interrupted or failed run.sh N (a complete run kills its own JVMs).
# kill -9 every JVM and strace of run N whose pid is recorded in $R/sK.pid or $R/sK.strace.pid,
# each only after checking that /proc/<pid>/cmdline names this run's zoo.cfg. Same RUN_DIR as run.sh.
# No `set -e`: a clean-up goes on past a failed step.
set -uo pipefail
N=${1:?usage: stop.sh N}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -d "$R" ] || die "no run directory $R"
for s in 1 2 3; do
  for f in "$R/s$s.pid" "$R/s$s.strace.pid"; do
    pid=$(cat "$f" 2>/dev/null) || continue
    if ours "$s" "$pid"; then
      kill -9 "$pid"; log "kill -9 $(basename "$f" .pid) (pid $pid)" | tee -a "$R/run.log"
      for _ in $(seq 200); do [ -e "/proc/$pid" ] || break; sleep 0.05; done  # at most 10 s (a zombie stays listed)
    else log "$(basename "$f" .pid): pid $pid not running"; fi
  done
done
