#!/usr/bin/env bash
# stop.sh N: kill -9 the three JVMs of run N (each by its recorded pid, after checking that pid is
# our JVM) and delete its netns zkstrand<N>. Same RUN_DIR as run.sh.
# No `set -e`: a clean-up goes on past a failed step.
set -uo pipefail
N=${1:?usage: stop.sh N}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for s in 1 2 3; do kill_server $s; done
ip netns del "$NS" && log "netns $NS deleted"
