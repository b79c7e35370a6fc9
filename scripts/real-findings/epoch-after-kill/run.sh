#!/usr/bin/env bash
# run.sh N [39|38]: as root, the whole "a kill during the NEWLEADER fsync leaves a server that
# cannot start" scenario (docs/FINDINGS.md, finding 5) on three real ZooKeeper voters on loopback.
# 39 (default) = ZooKeeper 3.9.3 from $ZK39_LIB (default target/real-findings/epoch-after-kill/lib39),
# 38 = Debian's ZooKeeper 3.8.0 (/usr/share/java), the control. s3 leads epoch 1; all are killed;
# s1+s2 establish epoch 2; s3 starts under strace with every fdatasync delayed DELAY_US (default
# 3000000 us), is killed 0.3 s after `Learner received NEWLEADER message`, and restarts normally.
# On 3.9.3 the restart fails: `The current epoch, 1, is older than the last zxid, 8589934594`.
# Kills its own JVMs at the end (stop.sh N only after an interrupted run). Takes about 30 s.
# Output (also on stdout): $RUN_DIR (default target/real-findings/epoch-after-kill/run<N>):
# run.log, sK/zk.log (s3: zk.log.run1 = the killed start), sK/zoo.cfg, sK/data, cli.out.
# Deliberately no `set -e` or pipefail, as in the recorded runs: some steps may fail harmlessly
# (e.g. strace has already exited when it is told to stop; `srvr | grep -q` may cut srvr short).
set -u
N=${1:?usage: run.sh N [39|38]}; V=${2:-39}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
case "$V" in 39|38) ;; *) die "the version must be 39 (ZooKeeper 3.9.3) or 38 (Debian's 3.8.0), got '$V'";; esac
preflight
case "$R/" in "$REPO/scripts/"*) die "the run directory must not be inside scripts/: $R";; esac
if [ -d "$R" ] && [ -n "$(ls -A "$R")" ] && [ ! -f "$R/run.log" ]; then
  die "$R exists and is not an earlier run (no run.log): refusing to delete it"; fi
for sid in 1 2 3; do
  for f in "$R/s$sid.pid" "$R/s$sid.strace.pid"; do
    ours "$sid" "$(cat "$f" 2>/dev/null)" && die "s$sid of an earlier run $N still runs: stop.sh $N first"
  done
done
set_classpath

scenario(){
log "run $N: ZooKeeper $([ "$V" = 39 ] && echo "3.9.3 from $ZK39_LIB" || echo "3.8.0 (Debian)"); fdatasync delay ${DELAY_US}us; run dir $R"
log "classpath: $CP"
log "phase 1: epoch 1 with s1 s2 s3"
start 1; start 2; start 3
waitmode 1 2 3 || { log "no quorum"; }
for i in 1 2 3; do log "s$i: $(srvr $i)"; done
zkcli 1 create /x epoch1; sleep 1
for i in 1 2 3; do log "s$i: $(srvr $i)"; done
kill9 3; kill9 1; kill9 2
log "phase 2: epoch 2 with s1 s2 only"
start 1; start 2
waitmode 1 2 || log "no quorum"
zkcli 1 create /y epoch2; sleep 1
for i in 1 2; do log "s$i: $(srvr $i)"; done
log "s3 data before rejoin:"; ls -l "$R/s3/data/version-2"; head -c 20 "$R/s3/data/version-2/currentEpoch"; echo " =currentEpoch"

log "phase 3: start s3 under strace (fdatasync delayed ${DELAY_US}us), kill -9 right after NEWLEADER"
start 3 strace
KILLED=0
for _ in $(seq 1 1200); do
  if grep -q 'Learner received NEWLEADER message' "$R/s3/zk.log" 2>/dev/null; then
    sleep 0.3   # let it reach the (delayed) fdatasync in FileTxnLog.commit
    if ours 3 "${PID[3]}"; then kill -9 "${PID[3]}"; KILLED=1; log "s3 KILLED after NEWLEADER"
    else log "s3 (pid ${PID[3]}) was no longer running 0.3 s after NEWLEADER"; fi
    break
  fi
  sleep 0.05
done
[ "$KILLED" = 1 ] || log "s3 was not killed after NEWLEADER (none seen within 60 s?)"
sleep 0.5; if ours 3 "$STRACE_PID"; then kill "$STRACE_PID" 2>/dev/null; fi; wait "$STRACE_PID" 2>/dev/null
log "s3 log tail at kill:"; grep -E 'NEWLEADER|DIFF|diff|epoch|Epoch|persist' "$R/s3/zk.log" | tail -8
log "s3 data after kill:"; ls -l "$R/s3/data/version-2"
echo "currentEpoch=$(cat "$R/s3/data/version-2/currentEpoch") acceptedEpoch=$(cat "$R/s3/data/version-2/acceptedEpoch")"
for f in "$R"/s3/data/version-2/log.*; do echo "== $f"; java -cp "$CP" org.apache.zookeeper.server.persistence.TxnLogToolkit "$f" 2>&1 | tail -6; done

log "phase 4: restart s3 normally"
mv "$R/s3/zk.log" "$R/s3/zk.log.run1"
start 3
sleep 12
log "restarted s3 log (errors):"; grep -n -E 'ERROR|Exception|epoch|Epoch|Unable' "$R/s3/zk.log" | head -20
log "s3: $(srvr 3)"; if ours 3 "${PID[3]}"; then log "s3 jvm alive"; else log "s3 jvm exited"; fi
log "final s3 data:"; ls -l "$R/s3/data/version-2"; echo "currentEpoch=$(cat "$R/s3/data/version-2/currentEpoch") acceptedEpoch=$(cat "$R/s3/data/version-2/acceptedEpoch")"
if [ "$KILLED" != 1 ]; then log "RESULT: inconclusive: s3 was not killed after NEWLEADER"
elif grep -q 'is older than the last zxid' "$R/s3/zk.log"; then
  log "RESULT: s3 cannot start: $(grep -m1 -o 'The current epoch, .*' "$R/s3/zk.log") (finding 5 reproduced)"
elif ours 3 "${PID[3]}"; then log "RESULT: s3 restarted and runs: $(srvr 3)(not reproduced; expected on 3.8.0)"
else log "RESULT: inconclusive: s3 exited for another reason; see $R/s3/zk.log"; fi
for i in 1 2 3; do kill9 "$i"; done
log "done"
}

setup
cd "$R" || die "cannot enter $R"
scenario 2>&1 | tee -a "$R/run.log"
exit "${PIPESTATUS[0]}"
