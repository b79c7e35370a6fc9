# shellcheck shell=bash
# lib.sh: helpers for the "a leader's epoch nobody learned strands it" reproduction
# (docs/FINDINGS.md, finding 4), sourced by run.sh, recover.sh and stop.sh.
# The caller sets N (the run number) and its own shell options, then sources this file.
# Three voters on 127.0.0.1 (client 1100<sid>, quorum 1200<sid>, election 1300<sid>) in ONE
# private network namespace zkstrand<N> (ip netns; the host firewall is never touched),
# each JVM under uid 47000+sid. Run directory R: $RUN_DIR, default target/real-findings/stranded-epoch/run<N>.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
die(){ echo "$(basename "$0"): $*" >&2; exit 1; }
[[ ${N:-} =~ ^[0-9]+$ ]] || die "the run number N must be a non-negative integer (got '${N:-}')"
R=$(realpath -m "${RUN_DIR:-$REPO/target/real-findings/stranded-epoch/run$N}")
NS=zkstrand$N
CP=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-log4j12.jar:/usr/share/java/log4j-1.2.jar
PY=${PY:-$(command -v python3 || true)}
log(){ echo "$(date -u +%H:%M:%S.%3N) $*" | tee -a "$R/run.log"; }
nsx(){ ip netns exec "$NS" "$@"; }
ipt(){ log "iptables(netns $NS) $*"; ip netns exec "$NS" iptables "$@"; }
port_c(){ echo $((11000+$1)); }
preflight(){ # what run.sh needs before it creates anything
  [ "$(id -u)" = 0 ] || die "must run as root (ip netns, iptables in the netns, setpriv)"
  local j; for j in ${CP//:/ } /usr/bin/java; do [ -e "$j" ] || die "missing $j (apt-get install zookeeper default-jre)"; done
  for j in ip iptables setpriv; do command -v "$j" >/dev/null || die "missing $j"; done
  if [ -z "$PY" ] || ! "$PY" -c 'import kazoo' 2>/dev/null; then
    die "python3 with kazoo needed (PY=${PY:-none}); set PY=/path/to/python3"; fi
}
jvm_flags(){
  local sid=$1
  echo -Xms16m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData \
    -Djava.net.preferIPv4Stack=true -Duser.timezone=UTC -Dzookeeper.admin.enableServer=false \
    -Dlog4j.configuration=file:"$R/s$sid/log4j.properties"
}
start_server(){ # sid
  local sid=$1 uid=$((47000+$1))
  # shellcheck disable=SC2046 # jvm_flags is meant to split into words
  ip netns exec "$NS" setpriv --reuid=$uid --regid=$uid --clear-groups \
     env -i PATH=/usr/bin:/bin HOME="$R/s$sid" TZ=UTC LANG=C.UTF-8 \
     nice -n 5 /usr/bin/java $(jvm_flags "$sid") -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$R/s$sid/zoo.cfg" \
     >>"$R/s$sid/stdout" 2>&1 </dev/null &
  echo $! > "$R/s$sid.pid"
  log "started s$sid pid $(cat "$R/s$sid.pid")"
}
ours(){ # sid: true if the pid recorded for sid is a live JVM of this run (its cmdline names our zoo.cfg)
  local pid cmd; pid=$(cat "$R/s$1.pid" 2>/dev/null) || return 1
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"$R/s$1/zoo.cfg"* ]]
}
kill_server(){ # sid (kill -9 by recorded pid after checking it is our JVM)
  local sid=$1 pid; pid=$(cat "$R/s$sid.pid" 2>/dev/null) || { log "s$sid no pid file"; return 0; }
  if ours "$sid"; then
    kill -9 "$pid"; log "kill -9 s$sid (pid $pid)"
    while [ -e "/proc/$pid" ]; do sleep 0.05; done
  else log "s$sid pid $pid not running"; fi
}
lines(){ wc -l < "$R/s$1/server.log" 2>/dev/null || echo 0; }
wait_log(){ # sid from_line regex timeout_s
  local sid=$1 from=$2 re=$3 t=$4 i=0
  while [ $i -lt $((t*10)) ]; do
    # process substitution, not a pipe: grep -q may stop reading early (pipefail would see tail's SIGPIPE)
    if grep -E -q "$re" < <(tail -n +$((from+1)) "$R/s$sid/server.log" 2>/dev/null); then return 0; fi
    sleep 0.1; i=$((i+1))
  done
  log "TIMEOUT waiting for s$sid /$re/"; return 1
}
wait_file(){ # file content timeout_s
  local i=0
  while [ $i -lt $(($3*20)) ]; do [ "$(cat "$1" 2>/dev/null)" = "$2" ] && return 0; sleep 0.05; i=$((i+1)); done
  log "TIMEOUT waiting for $1 = $2 (is: $(cat "$1" 2>/dev/null))"; return 1
}
grab(){ tail -n +$(($2+1)) "$R/s$1/server.log" | grep -E "$3" || true; }  # sid from_line regex; no match is not an error
fourlw(){ nsx bash -c "exec 3<>/dev/tcp/127.0.0.1/$(port_c "$1") && echo $2 >&3 && timeout 5 cat <&3" 2>&1 || true; }
srvr_all(){ local s; for s in 1 2 3; do echo "--- s$s srvr ($(date -u +%H:%M:%S.%3N))"; fourlw $s srvr; done; }
epochs(){ local s; for s in 1 2 3; do echo "s$s acceptedEpoch=$(cat "$R/s$s/data/version-2/acceptedEpoch" 2>/dev/null) currentEpoch=$(cat "$R/s$s/data/version-2/currentEpoch" 2>/dev/null)"; done; }
write(){ # port path...  (a failed write is reported in its output; it never stops the scenario)
  nsx timeout 30 "$PY" "$HERE/write.py" "$@" 2>&1 || true
}
