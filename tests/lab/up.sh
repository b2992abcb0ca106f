#!/usr/bin/env bash
# PortAtlas test lab: bring the lab up (see tests/lab/README.md).
#
#   tests/lab/up.sh [--delay 50ms] [--loss 2%] [--no-svc]
#
# --no-svc leaves out the pa-svc / pa-svc2 hosts (issue 11's everyday daemons, tests/lab/svc.sh).
#
# Idempotent: it first runs down.sh to remove any leftovers. Writes
# tests/lab/manifest.tsv from what was verified to be up; exits non-zero if
# any daemon failed (after writing the manifest of what did come up).
#
# SAFETY: everything here addresses only 198.18.0.0/15 inside namespaces the
# lab creates. Namespaces get no default route; the root namespace gets a
# blackhole route for 198.18.0.0/15 so nothing for that range leaves the
# machine even if a more specific lab route is missing.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "up.sh: must run as root" >&2
  exit 1
fi

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$LAB_DIR/daemons.sh"
RUN=$LAB_DIR/run
CACHE=$RUN/cache
SOCK=/run/pa-lab            # short symlink to $RUN, for unix-socket paths
MANIFEST=$LAB_DIR/manifest.tsv
PY=/usr/bin/python3
NS=pa-lab
SWNS=pa-sweep
HOST=198.18.0.2

DELAY_MS=0
LOSS_PCT=0
WITH_SVC=1
usage() { echo "usage: $0 [--delay Nms] [--loss N%] [--no-svc]" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --delay) [[ $# -ge 2 ]] || usage; d=${2%ms}
             [[ "$d" =~ ^[0-9]+$ && "$d" -le 5000 ]] || { echo "up.sh: bad --delay '$2' (want e.g. 50ms, max 5000ms)" >&2; exit 2; }
             DELAY_MS=$d; shift 2 ;;
    --loss)  [[ $# -ge 2 ]] || usage; l=${2%\%}
             [[ "$l" =~ ^[0-9]+$ && "$l" -le 100 ]] || { echo "up.sh: bad --loss '$2' (want e.g. 2%, integer percent)" >&2; exit 2; }
             LOSS_PCT=$l; shift 2 ;;
    --no-svc) WITH_SVC=0; shift ;;
    -h|--help) usage ;;
    *) usage ;;
  esac
done

T0=${EPOCHREALTIME/./}
log() { local t=$(( (${EPOCHREALTIME/./} - T0) / 100000 )); printf 'up.sh: [%d.%ds] %s\n' $((t/10)) $((t%10)) "$*"; }

"$LAB_DIR/down.sh" >/dev/null

mkdir -p "$RUN" "$CACHE"
chmod 755 "$RUN" "$CACHE"
ln -sfn "$RUN" "$SOCK"

nsx() { ip netns exec "$NS" "$@"; }

# Upstream version of an installed Debian package: drop epoch, Debian
# revision and repack suffixes (+dfsg, ~ds...).
upver() {
  local v
  v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null) || { echo "-"; return; }
  v=${v#*:}
  v=${v%-*}
  v=${v%%+dfsg*}
  v=${v%%~ds*}
  v=${v%%+ds*}
  echo "${v:--}"
}

# The second part of the lab (issue 11): pa-svc / pa-svc2.
# shellcheck source=tests/lab/svc.sh
source "$LAB_DIR/svc.sh"

declare -a FAILED=()
declare -A START_FAILED=()
fail_start() { START_FAILED[$1]=1; FAILED+=("$1: $2"); log "FAILED to start $1: $2"; }

# ---------------------------------------------------------------- network
log "creating namespaces and links"
ip netns add "$NS"
ip link add pa-lab-h address 02:50:41:00:00:01 type veth peer name pa-lab-n address 02:50:41:00:00:02 netns "$NS"
ip addr add 198.18.0.1/24 dev pa-lab-h
ip link set pa-lab-h up
nsx ip link set lo up
nsx ip addr add $HOST/24 dev pa-lab-n
nsx ip link set pa-lab-n up

ip netns add "$SWNS"
ip link add pa-sw-h address 02:50:41:00:01:01 type veth peer name pa-sw-n address 02:50:41:00:01:02 netns "$SWNS"
ip addr add 198.18.2.1/30 dev pa-sw-h
ip link set pa-sw-h up
ip netns exec "$SWNS" ip link set lo up
ip netns exec "$SWNS" ip addr add 198.18.2.2/30 dev pa-sw-n
ip netns exec "$SWNS" ip link set pa-sw-n up
# The sweep namespace owns every address 198.18.1.1-254 (as /32s on lo).
for i in $(seq 1 254); do echo "addr add 198.18.1.$i/32 dev lo"; done | ip -n "$SWNS" -batch -
ip route add 198.18.1.0/24 via 198.18.2.2 dev pa-sw-h
[[ $WITH_SVC -eq 1 ]] && svc_network
# Safety net: the rest of the lab range never leaves through the default route.
ip route add blackhole 198.18.0.0/15 2>/dev/null || true

# ---------------------------------------------------------------- firewall
log "installing nftables firewall (inet pa_lab_fw)"
nsx nft -f - <<'EOF'
table inet pa_lab_fw {
  chain input {
    type filter hook input priority filter; policy accept;
    tcp dport { 8001-8005, 9001 } drop
    tcp dport { 8010-8012 } reject with tcp reset
    tcp dport { 8020, 8021 } reject with icmpx type port-unreachable
    tcp dport 8022 reject with icmpx type admin-prohibited
  }
}
EOF

# ---------------------------------------------------------------- impairment
if [[ $LOSS_PCT -gt 0 ]]; then
  log "loss: ${LOSS_PCT}% each direction on pa-lab-n (nft inet pa_lab_impair)"
  nsx nft -f - <<EOF
table inet pa_lab_impair {
  chain in {
    type filter hook prerouting priority -300; policy accept;
    iifname "pa-lab-n" meta nfproto ipv4 numgen random mod 100 < $LOSS_PCT drop
  }
  chain out {
    type filter hook postrouting priority 300; policy accept;
    oifname "pa-lab-n" meta nfproto ipv4 numgen random mod 100 < $LOSS_PCT drop
  }
}
EOF
fi
if [[ $DELAY_MS -gt 0 ]]; then
  log "delay: ${DELAY_MS}ms each direction on pa-lab-n (NFQUEUE 0 -> run/nfq-delay)"
  if [[ ! -x $RUN/nfq-delay || $LAB_DIR/nfq-delay.c -nt $RUN/nfq-delay ]]; then
    gcc -O2 -Wall -o "$RUN/nfq-delay" "$LAB_DIR/nfq-delay.c" -lnetfilter_queue -lnfnetlink -lmnl
  fi
  setsid ip netns exec "$NS" "$RUN/nfq-delay" -q 0 -d "$DELAY_MS" \
    >"$RUN/nfq-delay.log" 2>&1 </dev/null &
  echo $! > "$RUN/nfq-delay.pid"
  sleep 0.2
  # nft on this kernel has no 'queue' expression; the xtables NFQUEUE target
  # (iptables-nft) is available.
  nsx iptables -t mangle -A INPUT  -i pa-lab-n -j NFQUEUE --queue-num 0 --queue-bypass
  nsx iptables -t mangle -A OUTPUT -o pa-lab-n -j NFQUEUE --queue-num 0 --queue-bypass
  kill -0 "$(cat "$RUN/nfq-delay.pid")" 2>/dev/null || fail_start nfq-delay "stage exited (see run/nfq-delay.log)"
fi

# ---------------------------------------------------------------- cached material
# Host keys, TLS cert and database templates survive down.sh (run/cache/).
if [[ ! -s $CACHE/tls/cert.pem || ! -s $CACHE/tls/key.pem ]]; then
  log "generating self-signed certificate (CN lab.portatlas.test)"
  mkdir -p "$CACHE/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
    -subj "/CN=lab.portatlas.test/O=PortAtlas lab" \
    -addext "subjectAltName=DNS:lab.portatlas.test,IP:$HOST" \
    -keyout "$CACHE/tls/key.pem" -out "$CACHE/tls/cert.pem" 2>/dev/null
fi
chmod 755 "$CACHE/tls"; chmod 644 "$CACHE/tls/cert.pem"; chmod 640 "$CACHE/tls/key.pem"
chgrp ssl-cert "$CACHE/tls/key.pem" 2>/dev/null || true
mkdir -p "$CACHE/ssh"
for t in rsa ecdsa ed25519; do
  [[ -s $CACHE/ssh/ssh_host_${t}_key ]] || ssh-keygen -q -t "$t" -N '' -f "$CACHE/ssh/ssh_host_${t}_key" -C pa-lab
done
chmod 600 "$CACHE"/ssh/*_key

PG_BIN=/usr/lib/postgresql/15/bin
PG_VER=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || echo none)
MY_VER=$(dpkg-query -W -f='${Version}' mariadb-server 2>/dev/null || echo none)

# ---------------------------------------------------------------- daemons
# Each start_* prepares config under $RUN/<name>/ and starts the daemon in
# the pa-lab namespace. The slow ones (databases) are started first and in
# the background; readiness is checked afterwards.

start_postgresql() {
  local d=$RUN/postgresql
  mkdir -p "$d" "$RUN/sock-pg"
  if [[ ! -f $CACHE/pg-template/PG_VERSION || "$(cat "$CACHE/pg-template.stamp" 2>/dev/null)" != "$PG_VER" ]]; then
    rm -rf "$CACHE/pg-template"; mkdir -p "$CACHE/pg-template"; chown postgres:postgres "$CACHE/pg-template"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$CACHE/pg-template" -U postgres \
      --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$d/initdb.log" 2>&1 || return 1
    echo "host all all 198.18.0.0/15 scram-sha-256" >> "$CACHE/pg-template/pg_hba.conf"
    echo "$PG_VER" > "$CACHE/pg-template.stamp"
  fi
  cp -a "$CACHE/pg-template" "$d/data"
  chown postgres:postgres "$d" "$RUN/sock-pg"
  nsx runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/postgresql.log" -w -t 30 \
    -o "-c listen_addresses=$HOST -c port=5432 -c unix_socket_directories=$SOCK/sock-pg -c shared_buffers=16MB -c max_connections=20" \
    start >"$d/pg_ctl.log" 2>&1
}

start_mariadb() {
  local d=$RUN/mariadb
  mkdir -p "$d" "$RUN/sock-my"
  if [[ ! -d $CACHE/my-template/mysql || "$(cat "$CACHE/my-template.stamp" 2>/dev/null)" != "$MY_VER" ]]; then
    rm -rf "$CACHE/my-template"; mkdir -p "$CACHE/my-template"
    mariadb-install-db --no-defaults --user=mysql --datadir="$CACHE/my-template" \
      --auth-root-authentication-method=socket --skip-test-db >"$d/install-db.log" 2>&1 || return 1
    echo "$MY_VER" > "$CACHE/my-template.stamp"
  fi
  cp -a "$CACHE/my-template" "$d/data"
  chown -R mysql:mysql "$d" "$RUN/sock-my"
  # A user for remote hosts, so clients from 198.18.0.1 get a real handshake
  # instead of "host not allowed".
  cat > "$d/init.sql" <<'EOF'
CREATE USER IF NOT EXISTS 'lab'@'%' IDENTIFIED BY 'portatlas';
EOF
  chown mysql:mysql "$d/init.sql"
  setsid ip netns exec "$NS" /usr/sbin/mariadbd --no-defaults --user=mysql \
    --datadir="$d/data" --bind-address=$HOST --port=3306 \
    --socket="$SOCK/sock-my/mysqld.sock" --pid-file="$d/mariadbd.pid" \
    --log-error="$d/error.log" --skip-name-resolve --init-file="$d/init.sql" \
    --innodb-buffer-pool-size=16M --skip-log-bin \
    >"$d/stdout.log" 2>&1 </dev/null &
}

start_sshd() {
  local d=$RUN/sshd
  mkdir -p "$d" /run/sshd
  chmod 755 /run/sshd
  cat > "$d/sshd_config" <<EOF
ListenAddress $HOST:22
ListenAddress $HOST:2222
HostKey $CACHE/ssh/ssh_host_rsa_key
HostKey $CACHE/ssh/ssh_host_ecdsa_key
HostKey $CACHE/ssh/ssh_host_ed25519_key
PidFile $d/sshd.pid
UsePAM no
PermitRootLogin no
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile none
X11Forwarding no
PrintMotd no
EOF
  nsx /usr/sbin/sshd -f "$d/sshd_config" -E "$d/sshd.log"
}

start_nginx() {
  local d=$RUN/nginx
  mkdir -p "$d/www" "$d/tmp"
  chown www-data "$d/tmp"
  echo "<html><head><title>PortAtlas lab</title></head><body>PortAtlas lab host 198.18.0.2</body></html>" > "$d/www/index.html"
  cat > "$d/nginx.conf" <<EOF
user www-data;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 256; }
http {
  access_log $d/access.log;
  client_body_temp_path $d/tmp/body;
  default_type text/html;
  server_tokens on;
  server {
    listen $HOST:80;
    listen $HOST:8080;
    server_name lab.portatlas.test;
    root $d/www;
  }
  server {
    listen $HOST:443 ssl;
    server_name lab.portatlas.test;
    ssl_certificate $CACHE/tls/cert.pem;
    ssl_certificate_key $CACHE/tls/key.pem;
    root $d/www;
  }
}
EOF
  nsx /usr/sbin/nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d"
}

start_postfix() {
  local d=$RUN/postfix
  postfix_config "$d" "lab.portatlas.test" "$HOST"
  cat >> "$d/conf/main.cf" <<EOF
smtpd_banner = \$myhostname ESMTP \$mail_name (Debian/GNU)
EOF
  nsx /usr/sbin/postfix -c "$d/conf" start >"$d/start.log" 2>&1
}

start_vsftpd() {
  local d=$RUN/vsftpd
  vsftpd_config "$d" "$HOST"
  echo "PortAtlas lab anonymous FTP" > "$d/anon/README"
  cat >> "$d/vsftpd.conf" <<EOF
xferlog_enable=YES
vsftpd_log_file=$d/vsftpd.log
EOF
  nsx /usr/sbin/vsftpd "$d/vsftpd.conf"
}

start_dovecot() {
  local d=$RUN/dovecot
  dovecot_config "$d" "$HOST" "$SOCK/dovecot-base"
  # Accept old record versions like nginx does, so scanners' SSLv3/TLS1.0-framed probes (nmap TLSSessionReq) get a
  # handshake; same ciphers as nginx.
  cat >> "$d/dovecot.conf" <<EOF
ssl = yes
ssl_cert = <$CACHE/tls/cert.pem
ssl_key = <$CACHE/tls/key.pem
ssl_min_protocol = TLSv1
ssl_cipher_list = HIGH:!aNULL:!MD5
EOF
  nsx /usr/sbin/dovecot -c "$d/dovecot.conf"
}

start_redis() {
  local port d
  for port in 6379 6380; do
    d=$RUN/redis-$port
    mkdir -p "$d/data"
    cat > "$d/redis.conf" <<EOF
bind $HOST
port $port
protected-mode no
daemonize yes
pidfile $d/redis.pid
logfile $d/redis.log
dir $d/data
save ""
appendonly no
EOF
    chown -R redis:redis "$d"
    nsx runuser -u redis -- /usr/bin/redis-server "$d/redis.conf" || return 1
  done
}

start_memcached() {
  local d=$RUN/memcached
  mkdir -p "$d"; chown memcache "$d"
  nsx /usr/bin/memcached -d -u memcache -l $HOST -p 11211 -U 11211 -m 16 -c 256 -P "$d/memcached.pid"
}

start_dnsmasq() {
  local d=$RUN/dnsmasq
  mkdir -p "$d"; chown dnsmasq "$d"
  cat > "$d/dnsmasq.conf" <<EOF
no-resolv
no-hosts
no-poll
port=53
listen-address=$HOST
bind-interfaces
user=dnsmasq
group=nogroup
pid-file=$d/dnsmasq.pid
log-facility=$d/dnsmasq.log
domain-needed
bogus-priv
local=/portatlas.test/
host-record=lab.portatlas.test,$HOST
host-record=www.lab.portatlas.test,$HOST
txt-record=lab.portatlas.test,"PortAtlas test lab"
mx-host=lab.portatlas.test,lab.portatlas.test,10
EOF
  nsx /usr/sbin/dnsmasq --conf-file="$d/dnsmasq.conf"
}

start_chrony() {
  local d=$RUN/chrony
  mkdir -p "$d"; chown _chrony "$d"
  cat > "$d/chrony.conf" <<EOF
# Server only: no upstream sources, serve the local clock.
local stratum 10
allow 198.18.0.0/15
bindaddress $HOST
port 123
cmdport 0
bindcmdaddress /
pidfile $d/chronyd.pid
EOF
  # -x: never adjust the system clock.
  nsx /usr/sbin/chronyd -x -u _chrony -f "$d/chrony.conf" -l "$d/chronyd.log"
}

start_snmpd() {
  local d=$RUN/snmpd
  mkdir -p "$d/persist"
  cat > "$d/snmpd.conf" <<EOF
agentAddress udp:$HOST:161
rocommunity public 198.18.0.0/15
sysLocation PortAtlas test lab
sysContact lab@portatlas.test
sysName lab.portatlas.test
EOF
  nsx env SNMP_PERSISTENT_DIR="$d/persist" MIBS= /usr/sbin/snmpd -C -c "$d/snmpd.conf" \
    -Lf "$d/snmpd.log" -p "$d/snmpd.pid" -I -smux
}

start_telnetd() {
  local d=$RUN/telnetd
  mkdir -p "$d"
  cat > "$d/inetd.conf" <<EOF
$HOST:telnet stream tcp nowait root /usr/sbin/telnetd telnetd
EOF
  nsx /usr/sbin/inetutils-inetd --pidfile="$d/inetd.pid" "$d/inetd.conf"
}

start_sweep() {
  setsid ip netns exec "$SWNS" "$PY" "$LAB_DIR/sweep.py" --serve \
    >"$RUN/sweep.log" 2>&1 </dev/null &
}

run_start() {   # name function
  if ! "$2" >>"$RUN/start-$1.log" 2>&1; then
    fail_start "$1" "start command failed (see run/start-$1.log and run/$1/)"
  fi
}

log "starting databases"
# Background the database starts; they are the slow ones.
( run_start postgresql start_postgresql; [[ -z ${START_FAILED[postgresql]:-} ]] || touch "$RUN/.failed-postgresql" ) &
PG_JOB=$!
( run_start mariadb start_mariadb; [[ -z ${START_FAILED[mariadb]:-} ]] || touch "$RUN/.failed-mariadb" ) &
MY_JOB=$!
# The TLS hosts (issue 20, tests/lab/tls.sh): their own namespace pa-tls, started beside the rest.
( "$LAB_DIR/tls.sh" up >"$RUN/tls-up.log" 2>&1 || touch "$RUN/.failed-tls" ) &
TLS_JOB=$!

log "starting daemons"
run_start sweep start_sweep
run_start sshd start_sshd
run_start nginx start_nginx
run_start postfix start_postfix
run_start vsftpd start_vsftpd
run_start dovecot start_dovecot
run_start redis start_redis
run_start memcached start_memcached
run_start dnsmasq start_dnsmasq
run_start chrony start_chrony
run_start snmpd start_snmpd
run_start telnetd start_telnetd
if [[ $WITH_SVC -eq 1 ]]; then
  log "starting pa-svc / pa-svc2 daemons"
  svc_start_all
fi

wait $PG_JOB $MY_JOB || true
for db in postgresql mariadb; do
  if [[ -e $RUN/.failed-$db ]]; then
    START_FAILED[$db]=1; FAILED+=("$db: start command failed (see run/start-$db.log and run/$db/)")
    log "FAILED to start $db"
  fi
done

# ---------------------------------------------------------------- expected
# daemon address protocol port state service product version notes check
EXP=$RUN/expected.tsv
{
  printf 'daemon\taddress\tprotocol\tport\tstate\tservice\tproduct\tversion\tnotes\tcheck\n'
  row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@"; }
  v_ssh=$(upver openssh-server); v_nginx=$(upver nginx-common); v_pf=$(upver postfix)
  v_ftp=$(upver vsftpd); v_dc=$(upver dovecot-core); v_redis=$(upver redis-server)
  v_mc=$(upver memcached); v_pg=$(upver postgresql-15); v_my=$(upver mariadb-server)
  v_dns=$(upver dnsmasq-base); v_ntp=$(upver chrony); v_snmp=$(upver snmpd)
  v_tel=$(upver inetutils-telnetd)
  row sshd $HOST tcp 22 open ssh OpenSSH "$v_ssh" "-" "banner:SSH-"
  row sshd $HOST tcp 2222 open ssh OpenSSH "$v_ssh" "unusual port" "banner:SSH-"
  row nginx $HOST tcp 80 open http nginx "$v_nginx" "-" "http"
  row nginx $HOST tcp 443 open https nginx "$v_nginx" "TLS, self-signed CN=lab.portatlas.test" "https"
  row nginx $HOST tcp 8080 open http-alt nginx "$v_nginx" "plain HTTP on unusual port" "http"
  row postfix $HOST tcp 25 open smtp "Postfix smtpd" "$v_pf" "banner does not carry the version" "banner:220"
  row vsftpd $HOST tcp 21 open ftp vsftpd "$v_ftp" "anonymous login allowed, read-only" "banner:220"
  row dovecot $HOST tcp 143 open imap Dovecot "$v_dc" "STARTTLS" "banner:* OK"
  row dovecot $HOST tcp 110 open pop3 Dovecot "$v_dc" "STLS" "banner:+OK"
  row dovecot $HOST tcp 993 open imaps Dovecot "$v_dc" "TLS, self-signed CN=lab.portatlas.test" "tls-banner:* OK"
  row dovecot $HOST tcp 995 open pop3s Dovecot "$v_dc" "TLS, self-signed CN=lab.portatlas.test" "tls-banner:+OK"
  row redis $HOST tcp 6379 open redis Redis "$v_redis" "no auth, protected-mode off" "redis"
  row redis $HOST tcp 6380 open redis Redis "$v_redis" "second instance, unusual port" "redis"
  row memcached $HOST tcp 11211 open memcache memcached "$v_mc" "-" "memcache-tcp"
  row memcached $HOST udp 11211 open memcache memcached "$v_mc" "UDP enabled (-U 11211)" memcache-udp
  row postgresql $HOST tcp 5432 open postgresql PostgreSQL "$v_pg" "-" "pg"
  row mariadb $HOST tcp 3306 open mysql MariaDB "$v_my" "-" "banner:ANY"
  row dnsmasq $HOST tcp 53 open domain dnsmasq "$v_dns" "-" tcp-open
  row dnsmasq $HOST udp 53 open domain dnsmasq "$v_dns" "serves lab.portatlas.test A/TXT/MX; no upstream" dns
  row chrony $HOST udp 123 open ntp chrony "$v_ntp" "local stratum 10, no upstream" ntp
  row snmpd $HOST udp 161 open snmp net-snmp "$v_snmp" "SNMPv2c community public, read-only" snmp
  row telnetd $HOST tcp 23 open telnet telnetd "$v_tel" "inetutils telnetd via inetutils-inetd" "banner:ANY"
  for p in 8001 8002 8003 8004 8005 9001; do
    row firewall $HOST tcp $p filtered - - - "nft drop (no response)" fw-drop
  done
  for p in 8010 8011 8012; do
    row firewall $HOST tcp $p closed - - - "nft reject with tcp reset" fw-rst
  done
  for p in 8020 8021; do
    row firewall $HOST tcp $p filtered - - - "reason icmp: nft reject icmp port-unreachable (a connect() scan sees ECONNREFUSED)" fw-icmp
  done
  row firewall $HOST tcp 8022 filtered - - - "reason icmp: nft reject icmp admin-prohibited (connect() sees EHOSTUNREACH)" fw-icmp
  declare -A SVC=([22]=ssh [80]=http [443]=https [8080]=http-alt)
  while IFS=$'\t' read -r a p; do
    row sweep "$a" tcp "$p" open "${SVC[$p]}" - - "sweep listener (python asyncio; 443 is plain TCP, no TLS)" tcp-open
  done < <("$PY" "$LAB_DIR/sweep.py" --plan)
  [[ $WITH_SVC -eq 1 ]] && svc_rows
  true
} > "$EXP"

# ---------------------------------------------------------------- readiness
# Wait (bounded) until every expected listener of a started daemon shows up
# in ss, then verify from the root namespace.
log "waiting for listeners"
want_tcp=$(awk -F'\t' 'NR>1 && $3=="tcp" && $5=="open" && $2=="'$HOST'" {print $1" "$4}' "$EXP")
want_udp=$(awk -F'\t' 'NR>1 && $3=="udp" && $2=="'$HOST'" {print $1" "$4}' "$EXP")
for _ in $(seq 1 150); do        # up to 30 s
  missing=0
  have_tcp=$(nsx ss -Hltn 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
  have_udp=$(nsx ss -Hlun 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
  while read -r dmn p; do
    [[ -n ${START_FAILED[$dmn]:-} ]] && continue
    grep -qx "$p" <<<"$have_tcp" || missing=1
  done <<<"$want_tcp"
  while read -r dmn p; do
    [[ -n ${START_FAILED[$dmn]:-} ]] && continue
    grep -qx "$p" <<<"$have_udp" || missing=1
  done <<<"$want_udp"
  sw=$(ip netns exec "$SWNS" ss -Hltn 2>/dev/null | wc -l)
  [[ $sw -ge $("$PY" "$LAB_DIR/sweep.py" --plan | wc -l) ]] || missing=1
  [[ $missing -eq 0 ]] && break
  sleep 0.2
done
# The same for pa-svc / pa-svc2: one ss and one awk per namespace and round.
svc_missing() {   # namespace host -> prints "daemon proto/port" for each expected listener not yet bound
  { ip netns exec "$1" ss -Hltun 2>/dev/null | awk '{n=split($5,a,":"); print "have", $1, a[n]}'
    awk -F'\t' -v h="$2" 'NR>1 && $2==h {print "want", $3, $4, $1}' "$EXP"; } |
  awk -v failed=" ${!START_FAILED[*]} " '$1=="have" {h[$2" "$3]=1; next}
    $1=="want" && index(failed, " "$4" ")==0 && !(($2" "$3) in h) {print $4" "$2"/"$3}'
}
svc_wait=
for _ in $(seq 1 100); do        # up to ~30 s
  [[ $WITH_SVC -eq 1 ]] || break
  svc_wait=$(svc_missing "$SVC_NS" "$SVC_HOST"; svc_missing "$SVC2_NS" "$SVC2_HOST")
  [[ -z $svc_wait ]] && break
  sleep 0.3
done
[[ -z $svc_wait ]] || log "still not listening: $(echo $svc_wait)"

# ---------------------------------------------------------------- manifest
RATELIMIT=$(nsx sysctl -n net.ipv4.icmp_ratelimit)
RATEMASK=$(nsx sysctl -n net.ipv4.icmp_ratemask)
HDR=$RUN/manifest-header.txt
cat > "$HDR" <<EOF
# PortAtlas test lab manifest, written by tests/lab/up.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) from verified listeners.
# Impairment on the pa-lab link: delay=${DELAY_MS}ms each direction (RTT +$((2*DELAY_MS))ms), loss=${LOSS_PCT}% each direction.
# pa-lab sysctls (kernel defaults, untouched): net.ipv4.icmp_ratelimit=$RATELIMIT net.ipv4.icmp_ratemask=$RATEMASK
# Host 198.18.0.2: every TCP port not listed is closed (RST); UDP ports not listed answer ICMP port-unreachable (rate-limited).
# Hosts 198.18.3.2 (pa-svc) and 198.18.4.2 (pa-svc2): everyday daemons (issue 11); same closed/unreachable rule. Notes "heldout": no signature or fixture is written from that daemon (tests/lab/README.md).
# Sweep 198.18.1.1-254: every address is up (answers ping, RST on closed ports); only the listed ports are open.
# State column = what a SYN scan (nmap -sS) should report. Lines starting with '#' are comments.
EOF

log "verifying listeners from the root namespace"
set +e
"$PY" "$LAB_DIR/labcheck.py" "$EXP" "$MANIFEST" "$HDR" > "$RUN/labcheck.out"
rc=$?
set -e
cat "$RUN/labcheck.out"
while read -r _ dmn rest; do
  [[ -n ${START_FAILED[$dmn]:-} ]] && continue
  START_FAILED[$dmn]=1; FAILED+=("$dmn: not answering ($rest)")
done < <(grep '^FAILED' "$RUN/labcheck.out" | sort -u -k2,2)

# Anything listening in pa-lab that the manifest does not describe?
unexpected=$(nsx ss -Hltun 2>/dev/null | awk '{print $1" "$5}' | while read -r proto la; do
  p=${la##*:}; a=${la%:*}
  [[ $a == 127.0.0.1 || $a == "[::1]" ]] && continue
  awk -F'\t' -v p="$p" -v pr="$proto" '!/^#/ && $3==p && $2==pr {f=1} END{exit !f}' "$MANIFEST" || echo "$proto $la"
done)
[[ -z "$unexpected" ]] || log "note: listeners in pa-lab not in the manifest: $(echo $unexpected)"
for pair in "$SVC_NS $SVC_HOST" "$SVC2_NS $SVC2_HOST"; do
  [[ $WITH_SVC -eq 1 ]] || break
  set -- $pair
  unexpected=$(ip netns exec "$1" ss -Hltun 2>/dev/null | awk '{print $1" "$5}' | while read -r proto la; do
    p=${la##*:}; a=${la%:*}
    [[ $a == 127.0.0.1 || $a == "[::1]" || $a == 127.0.0.53 ]] && continue
    awk -F'\t' -v p="$p" -v pr="$proto" -v h="$2" '!/^#/ && $1==h && $3==p && $2==pr {f=1} END{exit !f}' "$MANIFEST" || echo "$proto $la"
  done)
  [[ -z "$unexpected" ]] || log "note: listeners in $1 not in the manifest: $(echo $unexpected)"
done

# Reverse DNS for the lab hosts (issue 14): a namespace of its own, pa-dns, 198.18.6.2 (tests/lab/dns.sh).
"$LAB_DIR/dns.sh" up >/dev/null || FAILED+=("dns: tests/lab/dns.sh up failed")

# Scaling space (issues 16/17): pa-rst (61,440 closed hosts) and pa-dark (a silent /16), tests/lab/scale.sh.
"$LAB_DIR/scale.sh" up >/dev/null || FAILED+=("scale: tests/lab/scale.sh up failed")

# UDP hosts under the kernel's default ICMP rate limit (issue 16): pa-udp1..3, 198.18.8.2-4 (tests/lab/udp.sh).
"$LAB_DIR/udp.sh" up >/dev/null || FAILED+=("udp: tests/lab/udp.sh up failed")

echo "up.sh: lab up: $(grep -vc '^#' "$MANIFEST") manifest lines (incl. header) in $MANIFEST"
wait $TLS_JOB || true
cat "$RUN/tls-up.log"
[[ -e $RUN/.failed-tls ]] && FAILED+=("tls: tests/lab/tls.sh up failed (see run/tls-up.log and run/tls/)")
log "done"
if [[ ${#FAILED[@]} -gt 0 ]]; then
  echo "up.sh: FAILED daemons:" >&2
  printf '  %s\n' "${FAILED[@]}" >&2
  exit 1
fi
exit 0
