#!/usr/bin/env bash
# recover.sh N: optional, after run.sh N: kill -9 s1 so that the established leader s3 loses its
# quorum, then watch s2 and s3 re-elect (the next election counts s2's acceptedEpoch and s2 joins).
# Same RUN_DIR as run.sh; appends to its run.log.
set -euo pipefail
N=${1:?usage: recover.sh N}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ -f "$R/run.log" ] || die "no run at $R (same RUN_DIR as run.sh?)"
L2=$(lines 2); L3=$(lines 3); echo "$L2" > "$R/s2.recover_line"; echo "$L3" > "$R/s3.recover_line"
log "=== RECOVER: exceptions on s2 before: $(grep -c 'Leaders epoch, 2 is less than accepted epoch, 3' "$R/s2/server.log")"
kill_server 1
wait_log 3 "$L3" 'Have quorum of supporters' 60 || true
sleep 2
epochs | tee -a "$R/run.log"
srvr_all | grep -E '^---|Zxid|Mode|not currently' | tee -a "$R/run.log"
write 11002 /after-recover | tee -a "$R/run.log"
log "exceptions on s2 after: $(grep -c 'Leaders epoch, 2 is less than accepted epoch, 3' "$R/s2/server.log")"
