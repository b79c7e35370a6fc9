#!/usr/bin/env bash
# run.sh N [OBSERVE_SECONDS]: as root, the whole "a leader's epoch nobody learned strands it"
# scenario on a real ZooKeeper 3.8.0 ensemble (3 voters, private netns zkstrand<N>): s2 fixes
# epochs 2 and 3 that nobody learns, s1+s3 establish epoch 2, then s2 is let back and refuses
# s3's epoch over and over; watched for OBSERVE_SECONDS (default 120). Leaves the JVMs running:
# recover.sh N (optional), then stop.sh N. Output: $RUN_DIR (default
# target/real-findings/stranded-epoch/run<N>): run.log, sK/server.log, sK/zoo.cfg, sK/data.
set -euo pipefail
N=${1:?usage: run.sh N [observe_seconds]}; OBS=${2:-120}
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
preflight
case "$R/" in "$REPO/scripts/"*) die "the run directory must not be inside scripts/: $R";; esac
if [ -d "$R" ] && [ -n "$(ls -A "$R")" ] && [ ! -f "$R/run.log" ]; then
  die "$R exists and is not an earlier run (no run.log): refusing to delete it"; fi
for sid in 1 2 3; do ours $sid && die "s$sid of an earlier run $N still runs: stop.sh $N first"; done
rm -rf "$R"; mkdir -p "$R"; chmod 755 "$R"
setpriv --reuid=47001 --regid=47001 --clear-groups test -x "$R" ||
  die "uid 47001 cannot reach $R: set RUN_DIR to a directory whose parents every user can traverse"
ip netns del "$NS" 2>/dev/null || true; ip netns add "$NS"; nsx ip link set lo up
log "netns $NS created (private; host firewall untouched)"
for sid in 1 2 3; do
  mkdir -p "$R/s$sid/data"
  cat > "$R/s$sid/zoo.cfg" <<CFG
tickTime=2000
initLimit=5
syncLimit=2
dataDir=$R/s$sid/data
clientPort=$((11000+sid))
clientPortAddress=127.0.0.1
4lw.commands.whitelist=*
admin.enableServer=false
server.1=127.0.0.1:12001:13001
server.2=127.0.0.1:12002:13002
server.3=127.0.0.1:12003:13003
CFG
  echo $sid > "$R/s$sid/data/myid"
  cat > "$R/s$sid/log4j.properties" <<L4J
log4j.rootLogger=INFO, FILE
log4j.appender.FILE=org.apache.log4j.FileAppender
log4j.appender.FILE.File=$R/s$sid/server.log
log4j.appender.FILE.Append=true
log4j.appender.FILE.ImmediateFlush=true
log4j.appender.FILE.layout=org.apache.log4j.PatternLayout
log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} - %-5p [%t:%C{1}@%L] - %m%n
L4J
  chown -R $((47000+sid)):$((47000+sid)) "$R/s$sid"
done
# ---- step 1: epoch 1 with all three (s3 leads: highest sid), some writes
for sid in 1 2 3; do start_server $sid; done
wait_log 3 0 'Have quorum of supporters' 90 || exit 2
for _ in $(seq 100); do [ "$(srvr_all | grep -c 'Mode: follower')" = 2 ] && break; sleep 0.2; done
write 11003 /e1-a /e1-b /e1-c | tee -a "$R/run.log"
sleep 1; epochs | tee -a "$R/run.log"; srvr_all | grep -E '^---|Zxid|Mode' | tee -a "$R/run.log"
# ---- step 2: s3 down; s2 leads twice, s1 never receives LEADERINFO
ipt -A OUTPUT -p tcp --sport 12002 --tcp-flags PSH PSH -j DROP
L1=$(lines 1); L2=$(lines 2)
kill_server 3
wait_file "$R/s2/data/version-2/acceptedEpoch" 2 60 || exit 3
log "round 1: s2 acceptedEpoch=2 ($(epochs | tr '\n' ' '))"
wait_file "$R/s2/data/version-2/acceptedEpoch" 3 60 || exit 3
log "round 2: s2 acceptedEpoch=3 ($(epochs | tr '\n' ' '))"
# cut s2 off completely (its own packets except 4lw replies, and everything to/from its quorum/election ports)
ipt -A OUTPUT -p tcp ! --sport 11002 -m owner --uid-owner 47002 -j DROP
ipt -A OUTPUT -p tcp -m multiport --dports 12002,13002 -j DROP
ipt -A OUTPUT -p tcp -m multiport --sports 12002,13002 -j DROP
nsx iptables -L OUTPUT -v -n | tee -a "$R/run.log"
ipt -D OUTPUT -p tcp --sport 12002 --tcp-flags PSH PSH -j DROP
wait_log 2 "$L2" 'Timeout while waiting for epoch to be acked' 30 || true  # round 1's timeout; round 2's comes later
grab 2 "$L2" 'LEADING|LOOKING|Timeout while|acceptedEpoch|Shutdown called' | tee -a "$R/run.log"
grab 1 "$L1" 'FOLLOWING|LOOKING|Exception when following|SocketTimeout|Read timed out' | tee -a "$R/run.log"
# ---- step 3: s1 + s3 establish epoch 2 without s2
L3=$(lines 3); L1=$(lines 1)
start_server 3
wait_log 3 "$L3" 'Have quorum of supporters' 90 || exit 4
sleep 1; epochs | tee -a "$R/run.log"
write 11003 /e2-a /e2-b | tee -a "$R/run.log"
grab 2 0 'LEADING|LOOKING|Timeout while|Shutdown called' | tee -a "$R/run.log"
grab 1 "$L1" 'FOLLOWING|LOOKING|Exception when following' | tee -a "$R/run.log"
srvr_all | grep -E '^---|Zxid|Mode|not currently' | tee -a "$R/run.log"
# ---- step 4: heal s2
L2=$(lines 2); L3=$(lines 3)
ipt -D OUTPUT -p tcp ! --sport 11002 -m owner --uid-owner 47002 -j DROP
ipt -D OUTPUT -p tcp -m multiport --dports 12002,13002 -j DROP
ipt -D OUTPUT -p tcp -m multiport --sports 12002,13002 -j DROP
log "healed s2; observing ${OBS}s"
T0=$(date +%s); k=0
while [ $(( $(date +%s) - T0 )) -lt "$OBS" ]; do
  sleep 15; k=$((k+1))
  log "t+$(( $(date +%s) - T0 ))s: s2 'Leaders epoch' exceptions so far: $(grab 2 "$L2" 'Leaders epoch, 2 is less than accepted epoch, 3' | wc -l); s2 srvr: $(fourlw 2 srvr | head -1)"
  write 1100$(( (k%2)*2+1 )) /heal-$k | tee -a "$R/run.log"
done
log "=== END STATE"
epochs | tee -a "$R/run.log"
srvr_all | tee -a "$R/run.log"
nsx iptables -L OUTPUT -v -n | tee -a "$R/run.log"
echo "$L2" > "$R/s2.heal_line"; echo "$L3" > "$R/s3.heal_line"
log "run.sh done (servers still running; stop.sh $N)"
