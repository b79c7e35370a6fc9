#!/usr/bin/env bash
# run.sh N: as root, the whole "stale NEWLEADER ACK + late joiner" scenario on a real ZooKeeper
# 3.8.0 ensemble (5 voters, private netns zkack<N>, no pause): s4 reads s1's NEWLEADER ACK at once,
# s1 gives up and leads epoch 3 (which commits), then s2's late ACK completes s4's quorum and s4 is
# established for the old epoch 2. INIT=<initLimit> overrides the default 20. Leaves the JVMs
# running: stop.sh N. Output: $RUN_DIR (default target/real-findings/late-ack-quorum/run<N>):
# run.log, sK/server.log, sK/zoo.cfg, sK/data.
set -euo pipefail
N=${1:?usage: run.sh N}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TICK=2000; INIT=${INIT:-20}; SYNC=2
preflight
case "$R/" in "$REPO/scripts/"*) die "the run directory must not be inside scripts/: $R";; esac
if [ -d "$R" ] && [ -n "$(ls -A "$R")" ] && [ ! -f "$R/run.log" ]; then
  die "$R exists and is not an earlier run (no run.log): refusing to delete it"; fi
for sid in $SIDS; do ours "$sid" && die "s$sid of an earlier run $N still runs: stop.sh $N first"; done
rm -rf "$R"; mkdir -p "$R"; chmod 755 "$R"
setpriv --reuid=47001 --regid=47001 --clear-groups test -x "$R" ||
  die "uid 47001 cannot reach $R: set RUN_DIR to a directory whose parents every user can traverse"
ip netns del "$NS" 2>/dev/null || true; ip netns add "$NS"; nsx ip link set lo up
log "netns $NS created (private; host firewall untouched); tickTime=$TICK initLimit=$INIT syncLimit=$SYNC"
for sid in $SIDS; do
  mkdir -p "$R/s$sid/data"
  { echo "tickTime=$TICK"; echo "initLimit=$INIT"; echo "syncLimit=$SYNC"
    echo "dataDir=$R/s$sid/data"; echo "clientPort=$((11000+sid))"; echo "clientPortAddress=127.0.0.1"
    echo "4lw.commands.whitelist=*"; echo "admin.enableServer=false"
    for k in $SIDS; do echo "server.$k=127.0.0.1:$((12000+k)):$((13000+k))"; done; } > "$R/s$sid/zoo.cfg"
  echo "$sid" > "$R/s$sid/data/myid"
  cat > "$R/s$sid/log4j.properties" <<L4J
log4j.rootLogger=INFO, FILE
log4j.logger.org.apache.zookeeper.server.quorum.LearnerHandler=DEBUG
log4j.appender.FILE=org.apache.log4j.FileAppender
log4j.appender.FILE.File=$R/s$sid/server.log
log4j.appender.FILE.Append=true
log4j.appender.FILE.ImmediateFlush=true
log4j.appender.FILE.layout=org.apache.log4j.PatternLayout
log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n
L4J
  chown -R $((47000+sid)):$((47000+sid)) "$R/s$sid"
done
# Connection labels (set on each connection's first SYN, so before any JVM starts); no DROP yet.
#  mark 2 : any connection between s2 and s1/s3/s5      mark 24: s2<->s4      mark 34: s3's learner connection to s4
ipt -t mangle -A OUTPUT -p tcp --syn -m owner --uid-owner 47002 -j CONNMARK --set-mark 2
ipt -t mangle -A OUTPUT -p tcp --syn -m multiport --dports 12002,13002 -j CONNMARK --set-mark 2
ipt -t mangle -A OUTPUT -p tcp --syn -m owner --uid-owner 47002 -m multiport --dports 12004,13004 -j CONNMARK --set-mark 24
ipt -t mangle -A OUTPUT -p tcp --syn -m owner --uid-owner 47004 --dport 13002 -j CONNMARK --set-mark 24
ipt -t mangle -A OUTPUT -p tcp --syn -m owner --uid-owner 47003 --dport 12004 -j CONNMARK --set-mark 34
# ---- step 1: epoch 1, s5 leads
for sid in $SIDS; do start_server "$sid"; done
wait_log 5 0 'Have quorum of supporters' 120 || { log "ABORT: s5 did not lead epoch 1"; exit 2; }
for _ in $(seq 150); do [ "$(srvr_all | grep -c 'Mode: follower')" = 4 ] && break; sleep 0.2; done
write 11001 /e1 | tee -a "$R/run.log"
sleep 1; epochs | tee -a "$R/run.log"; srvr_all | grep -E '^---|Zxid|Mode' | tee -a "$R/run.log"
# ---- step 2: hold s2's learner SYNs to s4; s4's DIFF/NEWLEADER/... (types 10-15) to s3 are dropped; crash s5
HOLD=(-p tcp --syn -m owner --uid-owner 47002 --dport 12004 -j DROP)
# u32: skip the IP and TCP headers, then the first 4 bytes of the payload (a quorum packet starts with its int type) in 10..15
NOLEADER=(-p tcp --sport 12004 -m connmark --mark 34 -m u32 --u32 '0>>22&0x3C@12>>26&0x3C@0=10:15' -j DROP)
CUT=(-m connmark --mark 2 -j DROP)
ipt -A OUTPUT "${HOLD[@]}"
ipt -A OUTPUT "${NOLEADER[@]}"
L1=$(lines 1); L2=$(lines 2); L4=$(lines 4)
kill_server 5
wait_log 4 "$L4" 'LEADING - LEADER ELECTION TOOK' 60 || { log "ABORT: s4 not leading"; grab 1 "$L1" 'FOLLOWING|LEADING'; exit 3; }
wait_log 2 "$L2" 'FOLLOWING - LEADER ELECTION TOOK' 20 || { log "ABORT: s2 not following"; exit 3; }
ipt -A OUTPUT "${CUT[@]}"
log "s2 cut from s1,s3,s5 (its link to s4: election open, learner SYNs held)"
wait_log 1 "$L1" 'Learner received NEWLEADER message' 60 || { log "ABORT: s1 got no NEWLEADER"; exit 4; }
kill_server 3
start_server 3; start_server 5
grab 4 "$L4" 'LEADING|NEWLEADER|Synchronizing with|Sending DIFF|Unexpected exception|Have quorum' | tee -a "$R/run.log"
grab 1 "$L1" 'FOLLOWING|NEWLEADER' | tee -a "$R/run.log"
grab 2 "$L2" 'FOLLOWING' | tee -a "$R/run.log"
L1n=$(grep -n 'Learner received NEWLEADER message' "$R/s1/server.log" | tail -1 | cut -d: -f1); L1n=$((L1n-1))
wait_log 1 "$L1n" 'PeerState set to LOOKING' 30 || exit 5
grab 1 "$L1n" 'Exception when following|SocketTimeout|Read timed out|PeerState set to LOOKING' | tee -a "$R/run.log"
# ---- step 3: s1 leads epoch 3 with s3, s5; a client commits 0x300000001 (session) and 0x300000002 (/e3)
wait_log 1 "$L1" 'Have quorum of supporters' 90 || exit 6
grab 1 "$L1" 'LEADING - LEADER|Have quorum' | tee -a "$R/run.log"
write 11003 /e3 | tee -a "$R/run.log"
for s in 1 3 5; do log "s$s: $(srvr_short $s)"; done
log "s4: $(srvr_short 4)   s2: $(srvr_short 2)"
log "s4 still waiting? $(grab 4 "$L4" 'Have quorum|Shutdown called|Timeout while' | head -3)"
nsx ss -tno state syn-sent 'dport = :12004' | tee -a "$R/run.log"
# ---- step 4: heal s2 -> s4 (only); observe s2 and s4
L4b=$(lines 4); L2b=$(lines 2)
ipt -D OUTPUT "${HOLD[@]}"
log "healed s2->s4 learner link; polling srvr of s2 and s4"
T0=$(date +%s)
while [ $(( $(date +%s) - T0 )) -lt 60 ]; do
  log "POLL s4: $(srvr_short 4) | s2: $(srvr_short 2) | epoch files (accepted/current) s4 $(cat "$R/s4/data/version-2/acceptedEpoch")/$(cat "$R/s4/data/version-2/currentEpoch") s2 $(cat "$R/s2/data/version-2/acceptedEpoch")/$(cat "$R/s2/data/version-2/currentEpoch")"
  if [ -n "$(grab 4 "$L4b" 'Shutdown called')" ]; then
    for _ in 1 2 3; do log "POLL s4: $(srvr_short 4) | s2: $(srvr_short 2)"; done; break; fi
  sleep 0.1
done
log "=== s4 after heal"; grab 4 "$L4b" 'Received NEWLEADER-ACK|Have quorum|Synchronizing with|Sending DIFF|Sending UPTODATE|Unexpected exception|Peer state changed|Shutdown called|LOOKING|Timeout while' | tee -a "$R/run.log"
log "=== s2 after heal"; grab 2 "$L2b" 'NEWLEADER|UPTODATE|Peer state|Exception when following|LOOKING' | tee -a "$R/run.log"
epochs | tee -a "$R/run.log"
for s in 1 3 5; do log "s$s: $(srvr_short $s)"; done
# ---- step 5: heal everything, let s2 and s4 rejoin
ipt -D OUTPUT "${CUT[@]}"
nsx iptables -L OUTPUT -v -n | tee -a "$R/run.log"
nsx iptables -t mangle -L OUTPUT -v -n | tee -a "$R/run.log"
sleep 20
log "=== END STATE"; epochs | tee -a "$R/run.log"; srvr_all | grep -E '^---|Zxid|Mode|not currently' | tee -a "$R/run.log"
log "run.sh done (servers still running; stop.sh $N)"
