#!/usr/bin/env bash
# Blind detection check on daemons outside the lab (bench/blind/plan.md): `ports scan --detect` vs `nmap -sV`.
#
#   bench/blind/run.sh [LABEL]      # writes bench/blind/results-LABEL.md (LABEL defaults to "run")
#
# Starts the 24 daemons of bench/blind/manifest.tsv inside a network namespace of its own (h-blind-ns, loopback
# only: no route anywhere, so nothing can leave it), each on 127.0.0.1 at the manifest's port, then scans them there
# with the CLI and with nmap, split into the plan's tuning and held-out sets, and scores them with
# bench/blind/score.py. The report prints the tools' answers for tuning ports only; held-out ports show marks only.
# Every daemon runs in the foreground under this script; on exit it kills them and deletes the namespace.
# KEEP_WORK=DIR keeps the raw XML and daemon logs there. Needs root, the packages in plan.md, and the CLI built (dotnet build PortAtlas.slnx -c Release).
set -euo pipefail
export PORTATLAS_SAFE_TARGETS=1 PORTATLAS_DNS_SERVERS=198.18.6.2
cd "$(dirname "$0")/../.."
ROOT=$PWD
LABEL=${1:-run}
NS=h-blind-ns
MANIFEST=$ROOT/bench/blind/manifest.tsv
DLL=$ROOT/src/PortAtlas.Cli/bin/Release/net10.0/ports.dll
[[ -f $DLL ]] || { echo "build the CLI first: $DLL missing" >&2; exit 2; }
if ip netns list | grep -qw "$NS"; then echo "namespace $NS exists already (another run?)" >&2; exit 2; fi

W=$(mktemp -d /tmp/h-blind-run.XXXXXX)
chmod 755 "$W"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -- -"$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 -- -"$p" 2>/dev/null || kill -9 "$p" 2>/dev/null || true; done
  # Anything left in the namespace was started by this script (the namespace is ours alone).
  for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$NS" 2>/dev/null || true
  [[ -z ${MADE_XRDP_RUN:-} ]] || rm -rf /run/xrdp
  if [[ -n ${KEEP_WORK:-} ]]; then rm -rf "$KEEP_WORK"; cp -r "$W" "$KEEP_WORK"; fi
  rm -rf "$W"
}
trap cleanup EXIT

ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
in_ns() { ip netns exec "$NS" "$@"; }
# start NAME CMD...: runs CMD in the namespace, in its own process group, logging to $W/NAME.log.
start() {
  local name=$1; shift
  setsid ip netns exec "$NS" "$@" >"$W/$name.log" 2>&1 </dev/null &
  PIDS+=($!)
}
# as USER: the start of a command line that drops to USER (daemons that refuse root, or need not have it).
as() { echo setpriv --reuid="$1" --regid="$(id -g "$1")" --clear-groups; }

mkdir -p "$W/www" && echo "<html><head><title>blind</title></head><body>hello</body></html>" >"$W/www/index.html"

# --- the daemons (ports as in manifest.tsv) ---
dropbearkey -t ed25519 -f "$W/dropbear.key" >/dev/null 2>&1
start dropbear dropbear -F -E -s -p 127.0.0.1:2222 -r "$W/dropbear.key"

tinysshd-makekey "$W/tinyssh" >/dev/null 2>&1
start tinysshd tcpserver -HRDl0 127.0.0.1 2223 tinysshd "$W/tinyssh"

start pyftpdlib /usr/bin/python3 -m pyftpdlib -i 127.0.0.1 -p 2121 -d "$W/www"

cat >"$W/mailutils.conf" <<EOF
mailbox { mailbox-pattern "$W/mail/\${user}"; };
server 127.0.0.1:1143 { };
EOF
cat >"$W/pop3d.conf" <<EOF
mailbox { mailbox-pattern "$W/mail/\${user}"; };
server 127.0.0.1:1110 { };
EOF
start imap4d imap4d --daemon --foreground --config-file="$W/mailutils.conf"
start pop3d pop3d --daemon --foreground --config-file="$W/pop3d.conf"

# dictd wants one database: a one-word dictionary (index line: word, base64 offset, base64 length).
printf 'blind\n  a word for the blind test\n' >"$W/blind.dict"
printf 'blind\tA\tc\n' >"$W/blind.index"
printf 'database blind { data "%s/blind.dict"\n index "%s/blind.index" }\n' "$W" "$W" >"$W/dictd.conf"
mkdir -p "$W/dictd" && chmod 777 "$W/dictd"
start dictd dictd -d nodetach -c "$W/dictd.conf" --listen-to 127.0.0.1 -p 2628 --pid-file "$W/dictd/pid"

# xrdp wants its socket directory (systemd makes it); removed on exit if this script made it.
[[ -d /run/xrdp ]] || MADE_XRDP_RUN=1
mkdir -p /run/xrdp/sockdir
sed -e 's/^port=3389/port=tcp:\/\/127.0.0.1:3389/' /etc/xrdp/xrdp.ini >"$W/xrdp.ini"
start xrdp xrdp --nodaemon --config "$W/xrdp.ini"

start tigervnc Xvnc :51 -rfbport 5901 -interface 127.0.0.1 -SecurityTypes None -nolisten tcp -nolisten unix

mkdir -p "$W/bitlbee" && chown nobody "$W/bitlbee"
printf '[settings]\nRunMode = ForkDaemon\nUser = nobody\nDaemonInterface = 127.0.0.1\nDaemonPort = 6667\nConfigDir = %s\n' "$W/bitlbee" >"$W/bitlbee.conf"
start bitlbee bitlbee -F -n -c "$W/bitlbee.conf" -d "$W/bitlbee" -P "$W/bitlbee.pid"

mkdir -p "$W/icecast-log" && chown icecast2 "$W/icecast-log"
sed -e "s|<logdir>/var/log/icecast2</logdir>|<logdir>$W/icecast-log</logdir>|" \
    -e 's|<!-- <bind-address>127.0.0.1</bind-address> -->|<bind-address>127.0.0.1</bind-address>|' \
    /etc/icecast2/icecast.xml >"$W/icecast.xml"
chmod 644 "$W/icecast.xml"
start icecast2 $(as icecast2) icecast2 -c "$W/icecast.xml"

mkdir -p "$W/transmission" && chown nobody "$W/transmission"
start transmission $(as nobody) transmission-daemon -f -g "$W/transmission" -p 9091 -r 127.0.0.1 -i 127.0.0.1 -P 51413 --no-portmap --no-dht --no-lpd

printf 'def app(environ, start_response):\n    start_response("200 OK", [("Content-Type", "text/plain")])\n    return [b"hello\\n"]\n' >"$W/app.py"
start gunicorn $(as nobody) gunicorn --chdir "$W" -b 127.0.0.1:8001 app:app

start mini-httpd mini_httpd -D -h 127.0.0.1 -p 8002 -d "$W/www" -u nobody -l "$W/mini-httpd.access"

start webfs webfsd -F -i 127.0.0.1 -p 8003 -r "$W/www" -u nobody -g nogroup

printf 'set daemon 60\nset httpd port 2812 and use address 127.0.0.1\n  allow 127.0.0.1\n' >"$W/monitrc"
chmod 600 "$W/monitrc"
start monit monit -I -c "$W/monitrc" -s "$W/monit.state" -p "$W/monit.pid" -l "$W/monit.log2"

start php-cli-server $(as nobody) php -S 127.0.0.1:8004 -t "$W/www"

start twisted-web $(as nobody) twistd3 -n --pidfile= --logfile=- web --listen tcp:8005:interface=127.0.0.1 --path "$W/www"

printf 'listen:\n  host: 127.0.0.1\n  port: 8006\nhosts:\n  default:\n    paths:\n      /:\n        file.dir: %s\n' "$W/www" >"$W/h2o.conf"
start h2o $(as nobody) h2o -c "$W/h2o.conf"

mkdir -p "$W/caddy" && chown nobody "$W/caddy"
start caddy $(as nobody) env HOME="$W/caddy" XDG_DATA_HOME="$W/caddy" XDG_CONFIG_HOME="$W/caddy" \
  caddy file-server --listen 127.0.0.1:8007 --root "$W/www"

mkdir -p "$W/pgbouncer" && chown nobody "$W/pgbouncer"
printf '"blind" "md5deadbeef"\n' >"$W/pgbouncer/users.txt"
printf '[databases]\n* = host=127.0.0.1 port=5432\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = 6432\nunix_socket_dir =\nauth_type = md5\nauth_file = %s/users.txt\nlogfile = %s/pgbouncer.log\n' \
  "$W/pgbouncer" "$W/pgbouncer" >"$W/pgbouncer/pgbouncer.ini"
chown nobody "$W/pgbouncer"/*
start pgbouncer $(as nobody) pgbouncer "$W/pgbouncer/pgbouncer.ini"

svnadmin create "$W/svn"
start svnserve svnserve -d --foreground --listen-host 127.0.0.1 --listen-port 3690 -r "$W/svn"

start microsocks $(as nobody) microsocks -i 127.0.0.1 -p 1080

mkdir -p "$W/pdns" && chown nobody "$W/pdns"
start pdns-recursor pdns_recursor --daemon=no --local-address=127.0.0.1 --local-port=53 --socket-dir="$W/pdns" \
  --setuid=nobody --setgid=nogroup --config-dir="$W/pdns" --forward-zones-recurse=.=127.0.0.1:5399 --disable-syslog

start distccd distccd --daemon --no-detach --allow 127.0.0.1 --listen 127.0.0.1 -p 3632 --user nobody --log-stderr

# Wait (bounded) until every manifest port listens in the namespace.
want=$(awk -F'\t' '!/^#/ && NR>1 && $2=="tcp" {print $3}' "$MANIFEST" | sort)
for _ in $(seq 1 60); do
  listening=$(in_ns ss -Hltn | awk '{print $4}' | sed 's/.*://' | sort -u)
  missing=$(comm -23 <(echo "$want") <(echo "$listening") | paste -sd' ' -)
  [[ -z $missing ]] && break
  sleep 0.5
done
[[ -n $missing ]] && echo "not listening after 30 s: $missing (scored as missed)" >&2

now() { date +%s.%N; }
: >"$W/times"
for set in tuning heldout; do
  ports=$(awk -F'\t' -v s="$set" '!/^#/ && NR>1 && $2=="tcp" && $8 ~ "^"s {print $3}' "$MANIFEST" | sort -n | paste -sd, -)
  t0=$(now)
  in_ns dotnet "$DLL" scan 127.0.0.1 -p "$ports" --detect -n -f xml --no-save --no-assess --no-progress \
    >"$W/ours-$set.xml" 2>"$W/ours-$set.err" || true
  t1=$(now)
  echo "ours $set $(echo "$t1 - $t0" | bc)" >>"$W/times"
  t0=$(now)
  (cd "$W" && in_ns nmap -sV -n -Pn -p "$ports" 127.0.0.1 -oX "nmap-$set.xml" >/dev/null 2>&1) || true
  t1=$(now)
  echo "nmap $set $(echo "$t1 - $t0" | bc)" >>"$W/times"
  echo "$set: $(tail -2 "$W/times" | awk '{printf "%s %.1fs  ", $1, $3}')" >&2
done

OUT=$ROOT/bench/blind/results-$LABEL.md
{
  echo "# Blind detection check ($LABEL): ports scan --detect vs nmap -sV on daemons outside the lab"
  echo
  echo "One run on $(date -u +%Y-%m-%dT%H:%MZ), $(git rev-parse --short HEAD); namespace $NS, 127.0.0.1."
  echo "$(nmap --version | head -1 | sed 's/ (.*//'); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  [[ -n ${missing:-} ]] && echo && echo "Ports not listening when the scans began: $missing."
  echo
  python3 "$ROOT/bench/blind/score.py" "$MANIFEST" "$W" "$W/times"
} >"$OUT"
echo "wrote $OUT" >&2
