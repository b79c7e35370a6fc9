# shellcheck shell=bash
# lib.sh: helpers for the "a kill during the NEWLEADER fsync leaves a server that cannot start"
# reproduction (docs/FINDINGS.md, finding 5), sourced by run.sh and stop.sh.
# The caller sets N (the run number) and its own shell options, then sources this file; run.sh
# also sets V (39 = ZooKeeper 3.9.3 from $ZK39_LIB, 38 = Debian's 3.8.0) and calls set_classpath.
# Three voters on the host's loopback (client port 3181<sid>, quorum 3182<sid>, election 3183<sid>),
# all run as the calling user (root). Run directory R: $RUN_DIR, default
# target/real-findings/epoch-after-kill/run<N>. Processes are ended only by their recorded pid,
# after checking that /proc/<pid>/cmdline names this run's zoo.cfg.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
die(){ echo "$(basename "$0"): $*" >&2; exit 1; }
[[ ${N:-} =~ ^[0-9]+$ ]] || die "the run number N must be a non-negative integer (got '${N:-}')"
R=$(realpath -m "${RUN_DIR:-$REPO/target/real-findings/epoch-after-kill/run$N}")
ZK39_LIB=$(realpath -m "${ZK39_LIB:-$REPO/target/real-findings/epoch-after-kill/lib39}")
DELAY_US=${DELAY_US:-3000000}
JAVA=(nice -n 5 java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
PORTS="31811 31812 31813 31821 31822 31823 31831 31832 31833"
# Debian 3.8.0: the classpath zkEnv.sh builds (log4j 1.2 through slf4j); jars that are absent are left out
DEB38=(/usr/share/java/zookeeper.jar /usr/share/java/zookeeper-jute.jar /usr/share/java/slf4j-api.jar
  /usr/share/java/slf4j-log4j12.jar /usr/share/java/log4j-1.2.jar /usr/share/java/netty-*.jar
  /usr/share/java/commons-io.jar /usr/share/java/jline.jar /usr/share/java/audience-annotations.jar
  /usr/share/java/metrics-core.jar /usr/share/java/snappy-java.jar /usr/share/java/commons-cli.jar)
# jars that must be in $ZK39_LIB (one match each); a log4j 2 slf4j binding is checked separately
NEED39=('zookeeper-3.9.3.jar' 'zookeeper-jute-3.9.3.jar' 'slf4j-api-*.jar' 'log4j-api-2*.jar' 'log4j-core-2*.jar'
  'netty-common-*.jar' 'netty-buffer-*.jar' 'netty-codec-[0-9]*.jar' 'netty-handler-[0-9]*.jar' 'netty-resolver-[0-9]*.jar'
  'netty-transport-[0-9]*.jar' 'netty-transport-native-unix-common-*.jar' 'commons-cli-*.jar' 'commons-io-*.jar' 'metrics-core-*.jar')
declare -A PID

log(){ echo "[$(date +%T.%3N)] $*"; }
set_classpath(){ # sets CP and LOGPROP for version V
  local j keep=()
  if [ "$V" = 39 ]; then
    CP=""; for j in "$ZK39_LIB"/*.jar; do CP+="$j:"; done; CP+="$HERE/conf39"
    LOGPROP="-Dlog4j2.configurationFile=$HERE/conf39/log4j2.properties"
  else
    for j in "${DEB38[@]}"; do [ -e "$j" ] && keep+=("$j"); done
    CP="$(printf '%s\n' "${keep[@]}" | sort | tr '\n' ':')$HERE/conf38"
    LOGPROP="-Dlog4j.configuration=file:$HERE/conf38/log4j.properties"
  fi
}
preflight(){ # what run.sh needs before it creates anything
  local j p n
  [ "$(uname -s)" = Linux ] || die "Linux only (strace, /proc)"
  [ "$(id -u)" = 0 ] || die "must run as root (strace attaches to the JVM; the recorded runs were as root)"
  for j in java strace pgrep timeout realpath sort; do command -v "$j" >/dev/null || die "missing $j"; done
  strace -f -qq --seccomp-bpf -o /dev/null -e trace=fdatasync,fsync -e inject=fdatasync:delay_enter=1 true 2>/dev/null ||
    die "strace cannot trace with --seccomp-bpf and -e inject=fdatasync:delay_enter (needs strace >= 5.3 and ptrace)"
  if [ "$V" = 39 ]; then
    [ -d "$ZK39_LIB" ] || die "no ZooKeeper 3.9.3 jar directory $ZK39_LIB: fill it (README.md) or set ZK39_LIB"
    for p in "${NEED39[@]}"; do
      n=$(compgen -G "$ZK39_LIB/$p" | wc -l)
      [ "$n" = 1 ] || die "$ZK39_LIB must hold exactly one $p (it holds $n); see README.md"
    done
    compgen -G "$ZK39_LIB/log4j-slf4j*-impl-2*.jar" >/dev/null ||
      die "$ZK39_LIB has no log4j 2 slf4j binding (log4j-slf4j2-impl or log4j-slf4j-impl); see README.md"
    ! compgen -G "$ZK39_LIB/logback-*.jar" >/dev/null ||
      die "$ZK39_LIB holds logback jars: remove them (the servers must log through log4j 2 to their zk.log)"
  else
    for j in zookeeper zookeeper-jute slf4j-api slf4j-log4j12 log4j-1.2; do
      [ -e "/usr/share/java/$j.jar" ] || die "missing /usr/share/java/$j.jar (apt-get install zookeeper)"; done
  fi
  for p in $PORTS; do
    if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then die "port $p on 127.0.0.1 is in use"; fi
  done
}
ours(){ # sid pid: true if pid is a live process of this run's server sid (its cmdline names our zoo.cfg)
  local cmd; [ -n "${2:-}" ] || return 1
  cmd=$(tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"$R/s$1/zoo.cfg"* ]]
}
setup(){
  rm -rf "$R"; mkdir -p "$R"
  for i in 1 2 3; do
    mkdir -p "$R/s$i/data"; echo "$i" > "$R/s$i/data/myid"
    cat > "$R/s$i/zoo.cfg" <<EOF
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$R/s$i/data
clientPort=3181$i
admin.enableServer=false
4lw.commands.whitelist=srvr,stat
server.1=127.0.0.1:31821:31831
server.2=127.0.0.1:31822:31832
server.3=127.0.0.1:31823:31833
EOF
  done
}
start(){ # sid [strace]; records the JVM's pid in PID[sid] and $R/s<sid>.pid
  local i=$1
  if [ "${2:-}" = strace ]; then
    strace -f -qq --seccomp-bpf -o /dev/null -e trace=fdatasync,fsync -e inject=fdatasync:delay_enter="$DELAY_US" \
      "${JAVA[@]}" -Dzk.log.file="$R/s$i/zk.log" "$LOGPROP" -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$R/s$i/zoo.cfg" >>"$R/s$i/out.log" 2>&1 &
    STRACE_PID=$!; echo "$STRACE_PID" > "$R/s$i.strace.pid"
    sleep 1; PID[$i]=$(pgrep -P "$STRACE_PID" | head -1)
    # nice execs java in place, so the child of strace is the JVM
    echo "${PID[$i]}" > "$R/s$i.pid"
    log "s$i started under strace (strace pid $STRACE_PID, jvm pid ${PID[$i]})"
  else
    "${JAVA[@]}" -Dzk.log.file="$R/s$i/zk.log" "$LOGPROP" -cp "$CP" org.apache.zookeeper.server.quorum.QuorumPeerMain "$R/s$i/zoo.cfg" >>"$R/s$i/out.log" 2>&1 &
    PID[$i]=$!; echo "${PID[$i]}" > "$R/s$i.pid"
    log "s$i started pid ${PID[$i]}"
  fi
}
kill9(){ # sid: kill -9 by recorded pid (if it is still our JVM), then reap it
  if ours "$1" "${PID[$1]}"; then kill -9 "${PID[$1]}" 2>/dev/null; fi
  wait "${PID[$1]}" 2>/dev/null; log "s$1 kill -9 (pid ${PID[$1]})"
}
srvr(){ timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/3181$1; echo srvr >&3; cat <&3" 2>/dev/null | grep -E 'Mode|Zxid' | tr '\n' ' '; }
waitmode(){ local _ i; for _ in $(seq 1 60); do for i in "$@"; do srvr "$i" | grep -q Mode || { sleep 0.5; continue 2; }; done; return 0; done; return 1; }
zkcli(){ "${JAVA[@]}" "$LOGPROP" -Dzk.log.file="$R/cli.log" -cp "$CP" org.apache.zookeeper.ZooKeeperMain -server "127.0.0.1:3181$1" "${@:2}" >>"$R/cli.out" 2>&1; }
