#!/usr/bin/env bash
# PortAtlas test lab, TLS part (issue 20): real daemons speaking TLS directly or after STARTTLS, in the namespace
# pa-tls (198.18.5.2), with certificates from a CA made here (run/cache/tls-lab/ca.pem, CN "PortAtlas TLS lab CA").
#
#   tests/lab/tls.sh up      bring pa-tls up (runs down first); writes run/tls/up.tsv of what answers
#   tests/lab/tls.sh down    remove pa-tls and everything started in it
#
# Called by up.sh and down.sh; runs alone as well (it touches nothing of the other lab namespaces).
#
#   198.18.5.2  25    postfix      SMTP STARTTLS (RFC 3207)
#               21    vsftpd       FTP AUTH TLS (RFC 4217)
#               389   slapd        LDAP StartTLS (GnuTLS underneath, the one non-OpenSSL stack)
#               5432  postgresql   SSLRequest, ssl=on
#               3306  mariadb      SSL in the MySQL handshake
#               5222  prosody      XMPP STARTTLS
#               143   dovecot      IMAP STARTTLS
#               110   dovecot      POP3 STLS
#               443   nginx        TLS 1.2 + 1.3, ECDHE AES-GCM and ChaCha20 only ("modern")
#               8443  nginx        TLS 1.0 - 1.2, ALL:@SECLEVEL=0 with 1024-bit DH ("legacy")
#
# SAFETY: the namespace has no default route; only 198.18.5.0/24 on its veth is reachable from the root namespace.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "tls.sh: must run as root" >&2
  exit 1
fi

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$LAB_DIR/daemons.sh"
RUN=$LAB_DIR/run/tls
CACHE=$LAB_DIR/run/cache/tls-lab
SOCK=/run/pa-tls            # short symlink to $RUN, for unix-socket paths
NS=pa-tls
HOST=198.18.5.2
NAME=tls.portatlas.test
PG_BIN=/usr/lib/postgresql/15/bin

log() { echo "tls.sh: $*"; }
nsx() { ip netns exec "$NS" "$@"; }
bg() { local name=$1; shift; setsid ip netns exec "$NS" "$@" >"$RUN/$name/stdout.log" 2>&1 </dev/null & }

down() {
  if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$NS"; then
    local pids
    pids=$(ip netns pids "$NS" 2>/dev/null || true)
    if [[ -n $pids ]]; then
      # shellcheck disable=SC2086
      kill -TERM $pids 2>/dev/null || true
      for _ in $(seq 1 50); do
        pids=$(ip netns pids "$NS" 2>/dev/null || true)
        [[ -z $pids ]] && break
        sleep 0.1
      done
      # shellcheck disable=SC2086
      [[ -z $pids ]] || { kill -KILL $pids 2>/dev/null || true; sleep 0.2; }
    fi
    ip netns delete "$NS" 2>/dev/null || true
  fi
  ip link show pa-tls-h >/dev/null 2>&1 && ip link delete pa-tls-h 2>/dev/null
  rm -rf "$RUN" "$SOCK"
}

# ---------------------------------------------------------------- certificates
make_certs() {
  mkdir -p "$CACHE"
  if [[ ! -s $CACHE/ca.pem || ! -s $CACHE/cert.pem || ! -s $CACHE/dh1024.pem ]]; then
    log "making the lab CA and the server certificate for $NAME"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=PortAtlas TLS lab CA/O=PortAtlas lab" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
      -keyout "$CACHE/ca.key" -out "$CACHE/ca.pem" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$NAME/O=PortAtlas lab" -keyout "$CACHE/key.pem" -out "$CACHE/req.pem" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s,IP:%s\n' "$NAME" "$HOST" > "$CACHE/ext.cnf"
    openssl x509 -req -in "$CACHE/req.pem" -CA "$CACHE/ca.pem" -CAkey "$CACHE/ca.key" -CAcreateserial -days 3650 -sha256 \
      -extfile "$CACHE/ext.cnf" -out "$CACHE/cert.pem" 2>/dev/null
    openssl dhparam -out "$CACHE/dh1024.pem" 1024 2>/dev/null
  fi
  chmod 755 "$CACHE"; chmod 644 "$CACHE/ca.pem" "$CACHE/cert.pem" "$CACHE/dh1024.pem"; chmod 600 "$CACHE/key.pem" "$CACHE/ca.key"
}

# A copy of the key a daemon's own user may read (PostgreSQL insists on 0600 and its owner).
key_for() {   # dir user
  cp "$CACHE/key.pem" "$1/key.pem"; cp "$CACHE/cert.pem" "$1/cert.pem"; cp "$CACHE/ca.pem" "$1/ca.pem"
  chown "$2" "$1/key.pem" "$1/cert.pem" "$1/ca.pem"; chmod 600 "$1/key.pem"
}

# ---------------------------------------------------------------- daemons
start_postfix() {
  local d=$RUN/postfix
  postfix_config "$d" "$NAME" "$HOST"
  key_for "$d" root
  cat >> "$d/conf/main.cf" <<EOF
smtpd_tls_security_level = may
smtpd_tls_cert_file = $d/cert.pem
smtpd_tls_key_file = $d/key.pem
smtpd_tls_protocols = >=TLSv1.2
EOF
  nsx /usr/sbin/postfix -c "$d/conf" start >"$d/start.log" 2>&1
}

start_vsftpd() {
  local d=$RUN/vsftpd
  vsftpd_config "$d" "$HOST"
  key_for "$d" root
  cat >> "$d/vsftpd.conf" <<EOF
ssl_enable=YES
allow_anon_ssl=YES
force_anon_logins_ssl=NO
force_anon_data_ssl=NO
require_ssl_reuse=NO
ssl_tlsv1=YES
ssl_sslv2=NO
ssl_sslv3=NO
ssl_ciphers=HIGH:!aNULL:!MD5
rsa_cert_file=$d/cert.pem
rsa_private_key_file=$d/key.pem
vsftpd_log_file=$d/vsftpd.log
EOF
  nsx /usr/sbin/vsftpd "$d/vsftpd.conf"
}

start_slapd() {
  local d=$RUN/slapd
  mkdir -p "$d/db"
  key_for "$d" openldap
  cat > "$d/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
pidfile $d/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile $d/ca.pem
TLSCertificateFile $d/cert.pem
TLSCertificateKeyFile $d/key.pem
database mdb
maxsize 16777216
suffix "dc=tls,dc=portatlas,dc=test"
directory $d/db
EOF
  chown -R openldap:openldap "$d"
  nsx /usr/sbin/slapd -h "ldap://$HOST:389/" -f "$d/slapd.conf" -u openldap -g openldap
}

start_postgresql() {
  local d=$RUN/postgresql
  mkdir -p "$d" "$RUN/sock-pg"
  if [[ ! -f $CACHE/pg-template/PG_VERSION ]]; then
    rm -rf "$CACHE/pg-template"; mkdir -p "$CACHE/pg-template"; chown postgres:postgres "$CACHE/pg-template"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$CACHE/pg-template" -U postgres \
      --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$d/initdb.log" 2>&1 || return 1
    echo "hostssl all all 198.18.0.0/15 scram-sha-256" >> "$CACHE/pg-template/pg_hba.conf"
  fi
  cp -a "$CACHE/pg-template" "$d/data"
  key_for "$d" postgres
  chown postgres:postgres "$d" "$RUN/sock-pg"
  nsx runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$d/data" -l "$d/postgresql.log" -w -t 30 \
    -o "-c listen_addresses=$HOST -c port=5432 -c unix_socket_directories=$SOCK/sock-pg -c shared_buffers=16MB -c max_connections=40 -c ssl=on -c ssl_cert_file=$d/cert.pem -c ssl_key_file=$d/key.pem -c ssl_min_protocol_version=TLSv1.2" \
    start >"$d/pg_ctl.log" 2>&1
}

start_mariadb() {
  local d=$RUN/mariadb
  mkdir -p "$d" "$RUN/sock-my"
  if [[ ! -d $CACHE/my-template/mysql ]]; then
    rm -rf "$CACHE/my-template"; mkdir -p "$CACHE/my-template"
    mariadb-install-db --no-defaults --user=mysql --datadir="$CACHE/my-template" \
      --auth-root-authentication-method=socket --skip-test-db >"$d/install-db.log" 2>&1 || return 1
  fi
  cp -a "$CACHE/my-template" "$d/data"
  key_for "$d" mysql
  # A user for remote hosts, so clients from 198.18.5.1 get a handshake instead of "host not allowed".
  echo "CREATE USER IF NOT EXISTS 'lab'@'%' IDENTIFIED BY 'portatlas';" > "$d/init.sql"
  chown -R mysql:mysql "$d" "$RUN/sock-my"
  bg mariadb /usr/sbin/mariadbd --no-defaults --user=mysql \
    --datadir="$d/data" --bind-address=$HOST --port=3306 \
    --socket="$SOCK/sock-my/mysqld.sock" --pid-file="$d/mariadbd.pid" \
    --log-error="$d/error.log" --skip-name-resolve --init-file="$d/init.sql" \
    --innodb-buffer-pool-size=16M --skip-log-bin \
    --ssl-cert="$d/cert.pem" --ssl-key="$d/key.pem" --ssl-ca="$d/ca.pem" --tls-version=TLSv1.2,TLSv1.3
}

start_prosody() {
  local d=$RUN/prosody
  mkdir -p "$d/data"
  key_for "$d" prosody
  cat > "$d/prosody.cfg.lua" <<EOF
pidfile = "$d/prosody.pid"
daemonize = true
interfaces = { "$HOST" }
c2s_ports = { 5222 }
s2s_ports = { }
http_ports = { }
https_ports = { }
component_ports = { }
data_path = "$d/data"
log = { info = "$d/prosody.log" }
modules_enabled = { "tls"; "saslauth"; "disco"; "ping" }
modules_disabled = { "posix_syslog" }
authentication = "internal_hashed"
c2s_require_encryption = false
ssl = { certificate = "$d/cert.pem"; key = "$d/key.pem" }
VirtualHost "$NAME"
  ssl = { certificate = "$d/cert.pem"; key = "$d/key.pem" }
EOF
  chown -R prosody:prosody "$d"
  nsx runuser -u prosody -- /usr/bin/prosody --config "$d/prosody.cfg.lua" >"$d/start.log" 2>&1
}

start_dovecot() {
  local d=$RUN/dovecot
  dovecot_config "$d" "$HOST" "$SOCK/dovecot-base"
  key_for "$d" root
  # TLS only on the STARTTLS ports: the implicit-TLS listeners are switched off.
  cat >> "$d/dovecot.conf" <<EOF
ssl = yes
ssl_cert = <$d/cert.pem
ssl_key = <$d/key.pem
ssl_min_protocol = TLSv1.2
ssl_cipher_list = ECDHE+AESGCM:ECDHE+CHACHA20
ssl_prefer_server_ciphers = yes
service imap-login {
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3s {
    port = 0
  }
}
EOF
  nsx /usr/sbin/dovecot -c "$d/dovecot.conf"
}

start_nginx() {
  local d=$RUN/nginx
  mkdir -p "$d/www" "$d/tmp"
  chown www-data "$d/tmp"
  key_for "$d" root
  echo "<html><head><title>PortAtlas TLS lab</title></head><body>PortAtlas TLS lab</body></html>" > "$d/www/index.html"
  cat > "$d/nginx.conf" <<EOF
user www-data;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $d/tmp/body;
  default_type text/html;
  ssl_certificate $d/cert.pem;
  ssl_certificate_key $d/key.pem;
  server {
    listen $HOST:443 ssl;
    server_name $NAME;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20;
    ssl_prefer_server_ciphers on;
    add_header Strict-Transport-Security "max-age=31536000" always;
    root $d/www;
  }
  server {
    listen $HOST:8443 ssl;
    server_name $NAME;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers ALL:@SECLEVEL=0;
    ssl_dhparam $d/dh1024.pem;
    ssl_prefer_server_ciphers off;
    root $d/www;
  }
}
EOF
  cp "$CACHE/dh1024.pem" "$d/dh1024.pem"
  nsx /usr/sbin/nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d"
}

# protocol (s_client -starttls name or "tls"), port, daemon
SERVICES=(
  "smtp 25 postfix"
  "ftp 21 vsftpd"
  "ldap 389 slapd"
  "postgres 5432 postgresql"
  "mysql 3306 mariadb"
  "xmpp 5222 prosody"
  "imap 143 dovecot"
  "pop3 110 dovecot"
  "tls 443 nginx"
  "tls 8443 nginx"
)

up() {
  down
  mkdir -p "$RUN"
  ln -sfn "$RUN" "$SOCK"
  make_certs
  log "creating namespace $NS ($HOST)"
  ip netns add "$NS"
  ip link add pa-tls-h address 02:50:41:00:05:01 type veth peer name pa-tls-n address 02:50:41:00:05:02 netns "$NS"
  ip addr add 198.18.5.1/24 dev pa-tls-h
  ip link set pa-tls-h up
  nsx ip link set lo up
  nsx ip addr add $HOST/24 dev pa-tls-n
  nsx ip link set pa-tls-n up
  ip route add blackhole 198.18.0.0/15 2>/dev/null || true

  local failed=() dmn
  declare -A started=()
  for dmn in postgresql mariadb postfix vsftpd slapd prosody dovecot nginx; do
    mkdir -p "$RUN/$dmn"
    if "start_$dmn" >>"$RUN/$dmn/start.out" 2>&1; then started[$dmn]=1; else failed+=("$dmn: start failed (see run/tls/$dmn/)"); fi
  done

  # Ready when every port answers a TLS handshake (after its upgrade) from the root namespace; up to ~30 s.
  printf 'protocol\tport\tdaemon\n' > "$RUN/up.tsv.tmp"
  local entry proto port ok
  for entry in "${SERVICES[@]}"; do
    read -r proto port dmn <<<"$entry"
    [[ -n ${started[$dmn]:-} ]] || continue
    ok=0
    for _ in $(seq 1 60); do
      local args=(-connect "$HOST:$port" -servername "$NAME" -CAfile "$CACHE/ca.pem" -verify_return_error)
      [[ $proto == tls ]] || args+=(-starttls "$proto")
      [[ $proto == xmpp ]] && args+=(-xmpphost "$NAME")
      if timeout 5 openssl s_client "${args[@]}" </dev/null 2>/dev/null | grep -q "Verify return code: 0"; then ok=1; break; fi
      sleep 0.5
    done
    if [[ $ok -eq 1 ]]; then
      printf '%s\t%s\t%s\n' "$proto" "$port" "$dmn" >> "$RUN/up.tsv.tmp"
    else
      failed+=("$dmn: no verified TLS on $port ($proto)")
    fi
  done
  mv "$RUN/up.tsv.tmp" "$RUN/up.tsv"
  log "up: $(($(wc -l < "$RUN/up.tsv") - 1)) TLS ports verified (run/tls/up.tsv); CA $CACHE/ca.pem"
  if [[ ${#failed[@]} -gt 0 ]]; then
    printf 'tls.sh: FAILED %s\n' "${failed[@]}" >&2
    return 1
  fi
}

case "${1:-}" in
  up) up ;;
  down) down; log "down" ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
