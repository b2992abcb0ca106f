# PortAtlas test lab, part 2 (issue 11): everyday daemons the detector was never tuned on, in the namespaces
# pa-svc (198.18.3.2) and pa-svc2 (198.18.4.2, for daemons that would clash on a port with pa-svc).
# Sourced by up.sh (uses its RUN, CACHE, SOCK, log, upver, run_start); not a script of its own.
#
# Every daemon runs as a plain process from a config generated under $RUN/<daemon>/; nothing in /etc is edited.
# The namespaces have no default route, so a daemon that tries to reach the outside (a proxy asked for a foreign
# URL, a resolver recursing) gets "network unreachable" inside the namespace.

SVC_NS=pa-svc
SVC_HOST=198.18.3.2
SVC2_NS=pa-svc2
SVC2_HOST=198.18.4.2

svx() { ip netns exec "$SVC_NS" "$@"; }
sv2x() { ip netns exec "$SVC2_NS" "$@"; }
# Start a foreground daemon in the background, detached from this shell.
svbg() { local name=$1; shift; setsid ip netns exec "$SVC_NS" "$@" >"$RUN/$name/stdout.log" 2>&1 </dev/null & }

svc_network() {
  ip netns add "$SVC_NS"
  ip link add pa-svc-h address 02:50:41:00:03:01 type veth peer name pa-svc-n address 02:50:41:00:03:02 netns "$SVC_NS"
  ip addr add 198.18.3.1/24 dev pa-svc-h
  ip link set pa-svc-h up
  svx ip link set lo up
  svx ip addr add $SVC_HOST/24 dev pa-svc-n
  svx ip link set pa-svc-n up
  ip netns add "$SVC2_NS"
  ip link add pa-svc2-h address 02:50:41:00:04:01 type veth peer name pa-svc2-n address 02:50:41:00:04:02 netns "$SVC2_NS"
  ip addr add 198.18.4.1/24 dev pa-svc2-h
  ip link set pa-svc2-h up
  sv2x ip link set lo up
  sv2x ip addr add $SVC2_HOST/24 dev pa-svc2-n
  sv2x ip link set pa-svc2-n up
}

svc_zone() {   # file origin address
  cat > "$1" <<EOF
\$TTL 300
@ IN SOA ns.$2. lab.portatlas.test. 1 3600 600 86400 300
@ IN NS ns.$2.
@ IN A $3
ns IN A $3
www IN A $3
@ IN TXT "PortAtlas test lab"
EOF
}

# ------------------------------------------------------------------ web servers, proxies, caches
start_apache2() {
  local d=$RUN/apache2 m=/usr/lib/apache2/modules
  mkdir -p "$d/www"
  echo "<html><head><title>PortAtlas svc</title></head><body>PortAtlas service host</body></html>" > "$d/www/index.html"
  cat > "$d/apache2.conf" <<EOF
ServerRoot $d
DefaultRuntimeDir $d
PidFile $d/apache2.pid
Mutex file:$d default
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule dir_module $m/mod_dir.so
LoadModule mime_module $m/mod_mime.so
User www-data
Group www-data
Listen $SVC_HOST:80
ServerName svc.portatlas.test
ServerTokens Full
ErrorLog $d/error.log
DocumentRoot $d/www
DirectoryIndex index.html
TypesConfig /etc/mime.types
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
EOF
  svx /usr/sbin/apache2 -f "$d/apache2.conf" -k start
}

start_lighttpd() {
  local d=$RUN/lighttpd
  mkdir -p "$d/www"
  echo "<html><head><title>PortAtlas svc lighttpd</title></head><body>backend</body></html>" > "$d/www/index.html"
  chown www-data "$d"
  cat > "$d/lighttpd.conf" <<EOF
server.document-root = "$d/www"
server.bind = "$SVC_HOST"
server.port = 8081
server.pid-file = "$d/lighttpd.pid"
server.errorlog = "$d/error.log"
server.username = "www-data"
server.groupname = "www-data"
index-file.names = ( "index.html" )
mimetype.assign = ( ".html" => "text/html" )
EOF
  svx /usr/sbin/lighttpd -f "$d/lighttpd.conf"
}

start_varnish() {   # a cache in front of apache2
  local d=$RUN/varnish
  mkdir -p "$d/work"
  svx /usr/sbin/varnishd -a $SVC_HOST:6081 -b $SVC_HOST:80 -n "$d/work" -P "$d/varnishd.pid" \
    -s malloc,16m -T none -p thread_pools=1 -p thread_pool_min=5
}

start_haproxy() {   # a reverse proxy in front of lighttpd, with its stats page on the usual path
  local d=$RUN/haproxy
  mkdir -p "$d"
  cat > "$d/haproxy.cfg" <<EOF
global
  daemon
  pidfile $d/haproxy.pid
  maxconn 256
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe
  bind $SVC_HOST:8090
  stats enable
  stats uri /haproxy?stats
  default_backend be
backend be
  server web1 $SVC_HOST:8081
EOF
  svx /usr/sbin/haproxy -f "$d/haproxy.cfg"
}

start_squid() {
  local d=$RUN/squid
  mkdir -p "$d"; chown proxy:proxy "$d"
  cat > "$d/squid.conf" <<EOF
http_port $SVC_HOST:3128
pid_filename $d/squid.pid
cache_log $d/cache.log
access_log none
cache_store_log none
coredump_dir $d
cache_effective_user proxy
cache deny all
pinger_enable off
icp_port 0
htcp_port 0
shutdown_lifetime 1 seconds
dns_nameservers $SVC_HOST
visible_hostname svc.portatlas.test
acl lab src 198.18.0.0/15
acl labdst dst 198.18.0.0/15
http_access deny !labdst
http_access allow lab
http_access deny all
workers 1
EOF
  svx /usr/sbin/squid -f "$d/squid.conf"
}

start_tinyproxy() {
  local d=$RUN/tinyproxy
  mkdir -p "$d"; chown tinyproxy:tinyproxy "$d"
  cat > "$d/tinyproxy.conf" <<EOF
User tinyproxy
Group tinyproxy
Port 8888
Listen $SVC_HOST
Timeout 30
PidFile "$d/tinyproxy.pid"
LogFile "$d/tinyproxy.log"
MaxClients 20
Allow 198.18.0.0/15
ConnectPort 443
EOF
  svx /usr/bin/tinyproxy -c "$d/tinyproxy.conf"
}

start_privoxy() {
  local d=$RUN/privoxy
  mkdir -p "$d"; chown privoxy "$d" 2>/dev/null || true
  cat > "$d/config" <<EOF
confdir /etc/privoxy
logdir $d
listen-address $SVC_HOST:8118
toggle 1
enable-remote-toggle 0
enable-edit-actions 0
permit-access 198.18.0.0/15
EOF
  svx /usr/sbin/privoxy --pidfile "$d/privoxy.pid" --user privoxy "$d/config"
}

start_dante() {
  local d=$RUN/dante
  mkdir -p "$d"
  cat > "$d/danted.conf" <<EOF
logoutput: $d/danted.log
internal: $SVC_HOST port = 1080
external: $SVC_HOST
socksmethod: none
clientmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 198.18.0.0/15 to: 0.0.0.0/0 }
socks pass { from: 198.18.0.0/15 to: 198.18.0.0/15 }
socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 }
EOF
  svx /usr/sbin/danted -f "$d/danted.conf" -D -p "$d/danted.pid"
}

# ------------------------------------------------------------------ DNS
start_bind9() {
  local d=$RUN/bind9
  mkdir -p "$d"
  svc_zone "$d/svc.zone" svc.portatlas.test $SVC_HOST
  cat > "$d/named.conf" <<EOF
options {
  directory "$d";
  pid-file "$d/named.pid";
  session-keyfile "$d/session.key";
  listen-on port 53 { $SVC_HOST; };
  listen-on-v6 { none; };
  recursion no;
  allow-query { any; };
  dnssec-validation no;
};
controls { };
zone "svc.portatlas.test" { type primary; file "$d/svc.zone"; };
EOF
  chown -R bind:bind "$d"
  svx /usr/sbin/named -c "$d/named.conf" -u bind -n 1
}

start_unbound() {   # DNS on a high port
  local d=$RUN/unbound
  mkdir -p "$d"; chown unbound "$d"
  cat > "$d/unbound.conf" <<EOF
server:
  interface: $SVC_HOST@8053
  port: 8053
  do-ip6: no
  access-control: 198.18.0.0/15 allow
  username: "unbound"
  chroot: ""
  directory: "$d"
  pidfile: "$d/unbound.pid"
  logfile: "$d/unbound.log"
  use-syslog: no
  do-daemonize: yes
  num-threads: 1
  hide-version: no
  hide-identity: no
  identity: "svc.portatlas.test"
  local-zone: "." refuse
  local-zone: "svc.portatlas.test." static
  local-data: "svc.portatlas.test. A $SVC_HOST"
remote-control:
  control-enable: no
EOF
  svx /usr/sbin/unbound -c "$d/unbound.conf"
}

start_nsd() {   # DNS on a high port
  local d=$RUN/nsd
  mkdir -p "$d"
  svc_zone "$d/svc.zone" svc.portatlas.test $SVC_HOST
  cat > "$d/nsd.conf" <<EOF
server:
  ip-address: $SVC_HOST@5053
  port: 5053
  do-ip6: no
  username: nsd
  zonesdir: "$d"
  pidfile: "$d/nsd.pid"
  logfile: "$d/nsd.log"
  database: ""
  xfrdfile: "$d/xfrd.state"
  zonelistfile: "$d/zone.list"
  hide-version: no
  server-count: 1
remote-control:
  control-enable: no
zone:
  name: svc.portatlas.test
  zonefile: svc.zone
EOF
  chown -R nsd "$d"
  svx /usr/sbin/nsd -c "$d/nsd.conf"
}

start_pdns() {
  local d=$RUN/pdns
  mkdir -p "$d"
  svc_zone "$d/svc.zone" svc.portatlas.test $SVC_HOST
  echo "zone \"svc.portatlas.test\" { type master; file \"$d/svc.zone\"; };" > "$d/named.conf"
  cat > "$d/pdns.conf" <<EOF
launch=bind
bind-config=$d/named.conf
local-address=$SVC_HOST
local-port=5301
setuid=pdns
setgid=pdns
socket-dir=$d
daemon=yes
guardian=no
disable-syslog=yes
version-string=full
distributor-threads=1
receiver-threads=1
EOF
  chown -R pdns "$d"
  svx /usr/sbin/pdns_server --config-dir="$d"
}

start_knot() {   # in pa-svc2: port 53 is bind9's in pa-svc
  local d=$RUN/knot
  mkdir -p "$d/db"
  svc_zone "$d/svc2.portatlas.test.zone" svc2.portatlas.test $SVC2_HOST
  cat > "$d/knot.conf" <<EOF
server:
    rundir: "$d"
    user: knot:knot
    pidfile: "$d/knot.pid"
    listen: $SVC2_HOST@53
    background-workers: 1
    udp-workers: 1
    tcp-workers: 1
    version: ""
log:
  - target: "$d/knot.log"
    any: info
database:
    storage: "$d/db"
zone:
  - domain: svc2.portatlas.test
    storage: "$d"
EOF
  # version "" would hide the version; leave the default instead.
  sed -i '/version: ""/d' "$d/knot.conf"
  chown -R knot:knot "$d"
  sv2x /usr/sbin/knotd -c "$d/knot.conf" -d
}

# ------------------------------------------------------------------ directory
start_slapd() {
  local d=$RUN/slapd
  mkdir -p "$d/db"
  cat > "$d/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
pidfile $d/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 16777216
suffix "dc=svc,dc=portatlas,dc=test"
directory $d/db
EOF
  chown -R openldap:openldap "$d"
  svx /usr/sbin/slapd -h "ldap://$SVC_HOST:389/" -f "$d/slapd.conf" -u openldap -g openldap
}

start_krb5kdc() {
  local d=$RUN/krb5kdc c=$CACHE/krb5
  mkdir -p "$d"
  cat > "$d/krb5.conf" <<EOF
[libdefaults]
  default_realm = LAB.PORTATLAS.TEST
[realms]
  LAB.PORTATLAS.TEST = {
    kdc = $SVC_HOST
  }
EOF
  cat > "$d/kdc.conf" <<EOF
[kdcdefaults]
  kdc_listen = $SVC_HOST:88
  kdc_tcp_listen = $SVC_HOST:88
[realms]
  LAB.PORTATLAS.TEST = {
    database_name = $d/principal
    key_stash_file = $d/stash
    acl_file = $d/kadm5.acl
  }
[logging]
  kdc = FILE:$d/kdc.log
EOF
  : > "$d/kadm5.acl"
  export KRB5_CONFIG=$d/krb5.conf KRB5_KDC_PROFILE=$d/kdc.conf
  if [[ ! -s $c/principal ]]; then
    rm -rf "$c"; mkdir -p "$c"
    kdb5_util create -s -r LAB.PORTATLAS.TEST -P portatlas-master >"$d/kdb5_util.log" 2>&1 || return 1
    cp -a "$d"/principal* "$d/stash" "$c/"
  else
    cp -a "$c"/* "$d/"
  fi
  svx /usr/sbin/krb5kdc -P "$d/krb5kdc.pid"
}

# ------------------------------------------------------------------ file sharing
start_samba() {
  local d=$RUN/samba
  mkdir -p "$d"/{pid,lock,state,cache,private,ncalrpc,share}
  echo "PortAtlas lab share" > "$d/share/README"
  cat > "$d/smb.conf" <<EOF
[global]
  workgroup = PORTATLAS
  netbios name = SVC
  server string = PortAtlas lab Samba
  interfaces = pa-svc-n
  bind interfaces only = yes
  smb ports = 445 139
  pid directory = $d/pid
  lock directory = $d/lock
  state directory = $d/state
  cache directory = $d/cache
  private dir = $d/private
  ncalrpc dir = $d/ncalrpc
  log file = $d/log.%m
  server role = standalone server
  disable spoolss = yes
  load printers = no
  printing = bsd
  printcap name = /dev/null
  map to guest = bad user
  disable netbios = no
[public]
  path = $d/share
  guest ok = yes
  read only = yes
EOF
  svx /usr/sbin/smbd -D -s "$d/smb.conf" || return 1
  svx /usr/sbin/nmbd -D -s "$d/smb.conf"
}

start_rpcbind() {
  local d=$RUN/rpcbind
  mkdir -p "$d"
  svbg rpcbind /usr/sbin/rpcbind -f -h $SVC_HOST
}

start_tftpd() {
  local d=$RUN/tftpd
  mkdir -p "$d/root"
  echo "PortAtlas lab" > "$d/root/README"
  chmod -R a+rX "$d"
  svx /usr/sbin/in.tftpd --listen --address $SVC_HOST:69 --secure --user tftp --pidfile "$d/tftpd.pid" "$d/root"
}

start_rsyncd() {
  local d=$RUN/rsyncd
  mkdir -p "$d/pub"
  echo "PortAtlas lab" > "$d/pub/README"
  cat > "$d/rsyncd.conf" <<EOF
pid file = $d/rsyncd.pid
address = $SVC_HOST
port = 873
use chroot = no
uid = nobody
gid = nogroup
[pub]
  path = $d/pub
  read only = yes
  comment = PortAtlas lab
EOF
  svx /usr/bin/rsync --daemon --config="$d/rsyncd.conf"
}

# ------------------------------------------------------------------ printing
start_cups() {
  local d=$RUN/cups
  mkdir -p "$d"/{root,state,cache,spool,tmp,log}
  cp -a /etc/cups/mime.types /etc/cups/mime.convs "$d/root/" 2>/dev/null || true
  cat > "$d/root/cupsd.conf" <<EOF
Listen $SVC_HOST:631
Listen 127.0.0.1:631
ServerName svc.portatlas.test
ServerAlias *
Browsing Off
DefaultAuthType Basic
WebInterface Yes
LogLevel warn
<Location />
  Order allow,deny
  Allow all
</Location>
EOF
  cat > "$d/root/cups-files.conf" <<EOF
ServerRoot $d/root
StateDir $d/state
CacheDir $d/cache
RequestRoot $d/spool
TempDir $d/tmp
AccessLog $d/log/access_log
ErrorLog $d/log/error_log
PageLog $d/log/page_log
EOF
  chmod -R go+rX "$d"; chown root:lp "$d/spool" "$d/tmp" "$d/cache"; chmod 1770 "$d/tmp" "$d/spool"
  svbg cups /usr/sbin/cupsd -f -c "$d/root/cupsd.conf" -s "$d/root/cups-files.conf"
}

# ------------------------------------------------------------------ brokers
start_mosquitto() {
  local d=$RUN/mosquitto
  mkdir -p "$d"; chown mosquitto "$d"
  cat > "$d/mosquitto.conf" <<EOF
listener 1883 $SVC_HOST
allow_anonymous true
pid_file $d/mosquitto.pid
persistence false
log_dest file $d/mosquitto.log
user mosquitto
EOF
  svx /usr/sbin/mosquitto -c "$d/mosquitto.conf" -d
}

start_beanstalkd() {
  local d=$RUN/beanstalkd
  mkdir -p "$d"
  svbg beanstalkd /usr/bin/beanstalkd -l $SVC_HOST -p 11300 -u beanstalkd
}

start_nats() {
  local d=$RUN/nats
  mkdir -p "$d"
  cat > "$d/nats.conf" <<EOF
listen: $SVC_HOST:4222
http: $SVC_HOST:8222
pid_file: "$d/nats.pid"
server_name: svc
EOF
  svbg nats /usr/sbin/nats-server -c "$d/nats.conf"
}

start_gearman() {
  local d=$RUN/gearman
  mkdir -p "$d"; chown gearman "$d"
  svx /usr/sbin/gearmand -d -L $SVC_HOST -p 4730 -P "$d/gearmand.pid" -l "$d/gearmand.log" -u gearman -t 1
}

start_sentinel() {
  local d=$RUN/sentinel
  mkdir -p "$d"
  cat > "$d/sentinel.conf" <<EOF
bind $SVC_HOST
port 26379
daemonize yes
pidfile $d/sentinel.pid
logfile $d/sentinel.log
dir $d
protected-mode no
sentinel monitor lab $SVC_HOST 6379 1
EOF
  chown -R redis:redis "$d"
  svx runuser -u redis -- /usr/bin/redis-server "$d/sentinel.conf" --sentinel
}

# ------------------------------------------------------------------ monitoring
start_node_exporter() {
  local d=$RUN/node-exporter
  mkdir -p "$d"
  svbg node-exporter /usr/bin/prometheus-node-exporter --web.listen-address=$SVC_HOST:9100 \
    --collector.disable-defaults --collector.cpu --collector.meminfo --collector.loadavg --collector.uname
}

start_zabbix() {
  local d=$RUN/zabbix
  mkdir -p "$d"; chown zabbix "$d"
  cat > "$d/zabbix_agentd.conf" <<EOF
PidFile=$d/zabbix_agentd.pid
LogFile=$d/zabbix_agentd.log
ListenIP=$SVC_HOST
ListenPort=10050
Server=198.18.0.0/15
StartAgents=1
Hostname=svc.portatlas.test
EOF
  svx /usr/sbin/zabbix_agentd -c "$d/zabbix_agentd.conf"
}

start_nrpe() {
  local d=$RUN/nrpe
  mkdir -p "$d"; chown nagios "$d"
  cat > "$d/nrpe.cfg" <<EOF
log_file=$d/nrpe.log
pid_file=$d/nrpe.pid
server_port=5666
server_address=$SVC_HOST
nrpe_user=nagios
nrpe_group=nagios
allowed_hosts=198.18.0.0/15
dont_blame_nrpe=0
command[check_true]=/bin/true
EOF
  svx /usr/sbin/nrpe -c "$d/nrpe.cfg" -d
}

start_munin() {
  local d=$RUN/munin
  mkdir -p "$d/plugins" "$d/conf"
  cat > "$d/munin-node.conf" <<EOF
log_level 4
log_file $d/munin-node.log
pid_file $d/munin-node.pid
background 1
setsid 1
user root
group root
host_name svc.portatlas.test
allow ^198\.18\..*\$
host $SVC_HOST
port 4949
EOF
  svx /usr/sbin/munin-node --config "$d/munin-node.conf"
}

# ------------------------------------------------------------------ VPN, voice, chat
svc_pki() {   # a CA and a server certificate for OpenVPN (cached)
  local c=$CACHE/ovpn
  [[ -s $c/server.pem && -s $c/ca.pem ]] && return 0
  mkdir -p "$c"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 -subj "/CN=PortAtlas lab CA" \
    -keyout "$c/ca.key" -out "$c/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=svc.portatlas.test" \
    -keyout "$c/server.key" -out "$c/server.csr" 2>/dev/null
  printf 'extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyAgreement\n' > "$c/ext"
  openssl x509 -req -in "$c/server.csr" -CA "$c/ca.pem" -CAkey "$c/ca.key" -CAcreateserial -days 3650 \
    -extfile "$c/ext" -out "$c/server.pem" 2>/dev/null
}

start_openvpn() {
  local d=$RUN/openvpn c=$CACHE/ovpn
  mkdir -p "$d"
  svc_pki || return 1
  svx /usr/sbin/openvpn --daemon --writepid "$d/openvpn.pid" --log "$d/openvpn.log" \
    --dev null --proto udp4 --local $SVC_HOST --lport 1194 --tls-server \
    --ca "$c/ca.pem" --cert "$c/server.pem" --key "$c/server.key" --dh none --verb 1
}

start_coturn() {
  local d=$RUN/coturn
  mkdir -p "$d"
  svx /usr/bin/turnserver -o --listening-ip=$SVC_HOST --relay-ip=$SVC_HOST --listening-port=3478 \
    --no-tls --no-dtls --no-cli --realm=lab.portatlas.test --pidfile="$d/turnserver.pid" \
    --log-file="$d/turnserver.log" --simple-log --no-stdout-log --allowed-peer-ip=198.18.3.2 \
    --denied-peer-ip=0.0.0.0-255.255.255.255 --relay-threads=1 --min-port=49152 --max-port=49200
}

start_kamailio() {
  local d=$RUN/kamailio
  mkdir -p "$d"
  cat > "$d/kamailio.cfg" <<EOF
#!KAMAILIO
listen=udp:$SVC_HOST:5060
listen=tcp:$SVC_HOST:5060
children=1
tcp_children=1
log_stderror=no
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"
request_route {
  if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
  sl_send_reply("404", "Not Here");
}
EOF
  chown -R kamailio "$d" 2>/dev/null || true
  svx /usr/sbin/kamailio -f "$d/kamailio.cfg" -P "$d/kamailio.pid" -Y "$d" -m 32 -M 8 -u kamailio -g kamailio
}

start_mumble() {
  local d=$RUN/mumble
  mkdir -p "$d"
  cat > "$d/murmur.ini" <<EOF
database=$d/murmur.sqlite
logfile=$d/murmur.log
pidfile=$d/murmur.pid
host=$SVC_HOST
port=64738
bonjour=false
welcometext="PortAtlas lab"
users=10
EOF
  chown -R mumble-server "$d"
  svx /usr/sbin/murmurd -ini "$d/murmur.ini"
}

start_ngircd() {
  local d=$RUN/ngircd
  mkdir -p "$d"; chown irc "$d"
  cat > "$d/ngircd.conf" <<EOF
[Global]
  Name = irc.svc.portatlas.test
  Info = PortAtlas lab
  Listen = $SVC_HOST
  Ports = 6667
  PidFile = $d/ngircd.pid
  ServerUID = irc
  ServerGID = irc
[Options]
  PAM = no
  Ident = no
  DNS = no
EOF
  svx /usr/sbin/ngircd -f "$d/ngircd.conf"
}

start_inspircd() {   # in pa-svc2: port 6667 is ngircd's in pa-svc
  local d=$RUN/inspircd
  mkdir -p "$d/data" "$d/logs"
  cat > "$d/inspircd.conf" <<EOF
<server name="irc.svc2.portatlas.test" description="PortAtlas lab" network="PortAtlas">
<admin name="lab" nick="lab" email="lab@portatlas.test">
<bind address="$SVC2_HOST" port="6667" type="clients">
<connect name="main" allow="*" maxchans="20" timeout="20" pingfreq="120" hardsendq="1M" softsendq="8192" recvq="8K" threshold="10" commandrate="1000" fakelag="on" localmax="10" globalmax="10" resolvehostnames="no" useident="no" limit="100">
<class name="Shutdown" commands="DIE RESTART REHASH LOADMODULE UNLOADMODULE RELOADMODULE">
<pid file="$d/inspircd.pid">
<path configdir="$d" datadir="$d/data" logdir="$d/logs">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="$d/logs/ircd.log">
<dns timeout="1">
<security hidesplits="no" announceinvites="dynamic">
<options prefixquit="Quit: ">
EOF
  chown -R irc "$d"
  sv2x runuser -u irc -- /usr/sbin/inspircd --config="$d/inspircd.conf"
}

start_prosody() {
  local d=$RUN/prosody
  mkdir -p "$d/data"
  cat > "$d/prosody.cfg.lua" <<EOF
pidfile = "$d/prosody.pid"
daemonize = true
interfaces = { "$SVC_HOST" }
c2s_ports = { 5222 }
s2s_ports = { 5269 }
http_ports = { }
https_ports = { }
component_ports = { }
data_path = "$d/data"
log = { info = "$d/prosody.log" }
modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "version"; "uptime"; "time" }
modules_disabled = { "posix_syslog" }
authentication = "internal_hashed"
c2s_require_encryption = false
s2s_require_encryption = false
VirtualHost "svc.portatlas.test"
EOF
  chown -R prosody:prosody "$d"
  svx runuser -u prosody -- /usr/bin/prosody --config "$d/prosody.cfg.lua"
}

# ------------------------------------------------------------------ version control, databases, cloud-native
start_gitd() {
  local d=$RUN/gitd
  mkdir -p "$d/repos"
  git init -q --bare "$d/repos/lab.git"
  chmod -R a+rX "$d"
  svx /usr/bin/git daemon --listen=$SVC_HOST --port=9418 --base-path="$d/repos" --export-all --detach \
    --pid-file="$d/gitd.pid" --user=nobody --group=nogroup --reuseaddr
}

start_influxdb() {
  local d=$RUN/influxdb
  mkdir -p "$d"
  cat > "$d/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:8088"
[meta]
  dir = "$d/meta"
[data]
  dir = "$d/data"
  wal-dir = "$d/wal"
[http]
  bind-address = "$SVC_HOST:8086"
  log-enabled = false
[monitor]
  store-enabled = false
EOF
  chown -R influxdb "$d"
  setsid ip netns exec "$SVC_NS" runuser -u influxdb -- /usr/bin/influxd -config "$d/influxdb.conf" \
    -pidfile "$d/influxd.pid" >"$d/stdout.log" 2>&1 </dev/null &
}

start_etcd() {
  local d=$RUN/etcd
  mkdir -p "$d/data"; chmod 700 "$d/data"
  svbg etcd /usr/bin/etcd --name svc --data-dir "$d/data" \
    --listen-client-urls http://$SVC_HOST:2379 --advertise-client-urls http://$SVC_HOST:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster svc=http://127.0.0.1:2380 --log-outputs stderr
}

start_svc_inetd() {   # inetd's built-in small services (RFC 862, 863, 867, 864, 868)
  local d=$RUN/svc-inetd
  mkdir -p "$d"
  cat > "$d/inetd.conf" <<EOF
$SVC_HOST:echo stream tcp nowait root internal
$SVC_HOST:echo dgram udp wait root internal
$SVC_HOST:discard stream tcp nowait root internal
$SVC_HOST:daytime stream tcp nowait root internal
$SVC_HOST:daytime dgram udp wait root internal
$SVC_HOST:chargen stream tcp nowait root internal
$SVC_HOST:time stream tcp nowait root internal
EOF
  svx /usr/sbin/inetutils-inetd --pidfile="$d/inetd.pid" "$d/inetd.conf"
}

start_avahi() {
  local d=$RUN/avahi
  mkdir -p "$d"
  cat > "$d/avahi-daemon.conf" <<EOF
[server]
host-name=svc
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=pa-svc-n
enable-dbus=no
[publish]
publish-workstation=yes
[reflector]
[rlimits]
EOF
  svx /usr/sbin/avahi-daemon -D -f "$d/avahi-daemon.conf" --no-chroot --no-drop-root --no-rlimits
}

svc_start_all() {
  # In parallel (most of the time is daemons initialising); failures come back as marker files.
  local n m pids=()
  for n in apache2 lighttpd varnish haproxy squid tinyproxy privoxy dante bind9 unbound nsd pdns knot slapd krb5kdc \
           samba rpcbind tftpd rsyncd cups mosquitto beanstalkd nats gearman sentinel node_exporter zabbix nrpe munin \
           openvpn coturn kamailio mumble ngircd inspircd prosody gitd influxdb etcd svc_inetd avahi; do
    m=${n//_/-}
    mkdir -p "$RUN/$m"
    ( run_start "$m" "start_$n"; [[ -z ${START_FAILED[$m]:-} ]] || touch "$RUN/.failed-$m" ) &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  for f in "$RUN"/.failed-*; do
    [[ -e $f ]] || continue
    m=${f##*/.failed-}
    [[ $m == postgresql || $m == mariadb ]] && continue
    START_FAILED[$m]=1; FAILED+=("$m: start command failed (see run/start-$m.log and run/$m/)")
  done
}

# Rows: daemon address protocol port state service product version notes check.
# "heldout" in the notes: no signature or fixture may be written from that daemon's answers (tests/lab/README.md).
svc_rows() {
  local H=$SVC_HOST H2=$SVC2_HOST
  row apache2 $H tcp 80 open http "Apache httpd" "$(upver apache2)" "ServerTokens Full" http
  row lighttpd $H tcp 8081 open http lighttpd "$(upver lighttpd)" "backend of haproxy" http
  row varnish $H tcp 6081 open http "Varnish http accelerator" "$(upver varnish)" "cache in front of apache2 :80" http
  row haproxy $H tcp 8090 open http HAProxy "$(upver haproxy)" "heldout; reverse proxy in front of lighttpd; stats at /haproxy?stats" http
  row squid $H tcp 3128 open http-proxy "Squid http proxy" "$(upver squid)" "forward proxy, lab destinations only" http
  row tinyproxy $H tcp 8888 open http-proxy tinyproxy "$(upver tinyproxy)" "heldout; forward proxy" http
  row privoxy $H tcp 8118 open http-proxy Privoxy "$(upver privoxy)" "forward proxy" http
  row dante $H tcp 1080 open socks5 "Dante socks5" "$(upver dante-server)" "no authentication; lab destinations only" socks5
  row bind9 $H tcp 53 open domain "ISC BIND" "$(upver bind9)" "authoritative svc.portatlas.test, no recursion" tcp-open
  row bind9 $H udp 53 open domain "ISC BIND" "$(upver bind9)" "authoritative svc.portatlas.test, no recursion" dns-any
  row unbound $H tcp 8053 open domain Unbound "$(upver unbound)" "DNS on a high port" tcp-open
  row unbound $H udp 8053 open domain Unbound "$(upver unbound)" "DNS on a high port" dns-any
  row nsd $H tcp 5053 open domain "NLnet Labs NSD" "$(upver nsd)" "heldout; DNS on a high port" tcp-open
  row nsd $H udp 5053 open domain "NLnet Labs NSD" "$(upver nsd)" "heldout; DNS on a high port" dns-any
  row pdns $H tcp 5301 open domain "PowerDNS Authoritative Server" "$(upver pdns-server)" "bind backend; DNS on a high port" tcp-open
  row pdns $H udp 5301 open domain "PowerDNS Authoritative Server" "$(upver pdns-server)" "bind backend; DNS on a high port" dns-any
  row knot $H2 tcp 53 open domain "Knot DNS" "$(upver knot)" "pa-svc2" tcp-open
  row knot $H2 udp 53 open domain "Knot DNS" "$(upver knot)" "pa-svc2" dns-any
  row slapd $H tcp 389 open ldap OpenLDAP "$(upver slapd)" "empty mdb database" tcp-open
  row krb5kdc $H tcp 88 open kerberos-sec "MIT Kerberos" "$(upver krb5-kdc)" "heldout; realm LAB.PORTATLAS.TEST" tcp-open
  row krb5kdc $H udp 88 open kerberos-sec "MIT Kerberos" "$(upver krb5-kdc)" "heldout; realm LAB.PORTATLAS.TEST" udp:krb
  row samba $H tcp 139 open netbios-ssn "Samba smbd" "$(upver samba)" "workgroup PORTATLAS" tcp-open
  row samba $H tcp 445 open microsoft-ds "Samba smbd" "$(upver samba)" "workgroup PORTATLAS" tcp-open
  row samba $H udp 137 open netbios-ns "Samba nmbd" "$(upver samba)" "NetBIOS name SVC" udp:nbstat
  row rpcbind $H tcp 111 open rpcbind rpcbind "$(upver rpcbind)" "-" tcp-open
  row rpcbind $H udp 111 open rpcbind rpcbind "$(upver rpcbind)" "-" udp:rpc
  row tftpd $H udp 69 open tftp tftpd-hpa "$(upver tftpd-hpa | sed "s/+.*//")" "read-only" udp:tftp
  row rsyncd $H tcp 873 open rsync rsync "$(upver rsync)" "heldout; module pub" "banner:@RSYNCD:"
  row cups $H tcp 631 open ipp CUPS "$(upver cups-daemon)" "no printers" http
  row mosquitto $H tcp 1883 open mqtt "Eclipse Mosquitto" "$(upver mosquitto)" "anonymous allowed" tcp-open
  row beanstalkd $H tcp 11300 open beanstalkd beanstalkd "$(upver beanstalkd)" "heldout" tcp-open
  row nats $H tcp 4222 open nats "NATS server" "$(upver nats-server)" "-" "banner:INFO"
  row nats $H tcp 8222 open http "NATS server" "$(upver nats-server)" "monitoring endpoint" http
  row gearman $H tcp 4730 open gearman gearmand "$(upver gearman-job-server)" "-" tcp-open
  row sentinel $H tcp 26379 open redis "Redis key-value store" "$(upver redis-server)" "redis-sentinel (sentinel mode)" redis
  row node-exporter $H tcp 9100 open http "Prometheus node_exporter" "$(upver prometheus-node-exporter)" "-" http
  row zabbix $H tcp 10050 open zabbix-agent "Zabbix agent" "$(upver zabbix-agent)" "passive checks from 198.18.0.0/15" tcp-open
  row nrpe $H tcp 5666 open nrpe "Nagios NRPE" "$(upver nagios-nrpe-server)" "TLS (anonymous DH)" tcp-open
  row munin $H tcp 4949 open munin "Munin" "$(upver munin-node)" "heldout" "banner:# munin node"
  row openvpn $H udp 1194 open openvpn OpenVPN "$(upver openvpn)" "TLS mode, no tls-auth" udp:openvpn
  row coturn $H tcp 3478 open stun coturn "$(upver coturn)" "heldout; STUN/TURN" tcp-open
  row coturn $H udp 3478 open stun coturn "$(upver coturn)" "heldout; STUN/TURN" udp:stun
  row kamailio $H tcp 5060 open sip Kamailio "$(upver kamailio)" "answers OPTIONS 200" tcp-open
  row kamailio $H udp 5060 open sip Kamailio "$(upver kamailio)" "answers OPTIONS 200" udp:sip
  row mumble $H tcp 64738 open mumble "Mumble server" "$(upver mumble-server)" "murmurd; TLS" tcp-open
  row mumble $H udp 64738 open mumble "Mumble server" "$(upver mumble-server)" "murmurd; UDP ping" udp:mumble
  row ngircd $H tcp 6667 open irc ngircd "$(upver ngircd)" "-" tcp-open
  row inspircd $H2 tcp 6667 open irc InspIRCd "$(upver inspircd)" "heldout; pa-svc2" tcp-open
  row prosody $H tcp 5222 open xmpp-client Prosody "$(upver prosody)" "-" tcp-open
  row prosody $H tcp 5269 open xmpp-server Prosody "$(upver prosody)" "-" tcp-open
  row gitd $H tcp 9418 open git "git daemon" "$(upver git)" "-" tcp-open
  row influxdb $H tcp 8086 open http InfluxDB "$(upver influxdb)" "HTTP API" http
  row etcd $H tcp 2379 open http etcd "$(upver etcd-server)" "heldout; client API" tcp-open
  row svc-inetd $H tcp 7 open echo - - "inetutils-inetd internal" tcp-open
  row svc-inetd $H udp 7 open echo - - "inetutils-inetd internal" udp:echo
  row svc-inetd $H tcp 9 open discard - - "inetutils-inetd internal" tcp-open
  row svc-inetd $H tcp 13 open daytime - - "inetutils-inetd internal" banner:ANY
  row svc-inetd $H udp 13 open daytime - - "inetutils-inetd internal" udp:daytime
  row svc-inetd $H tcp 19 open chargen - - "inetutils-inetd internal" banner:ANY
  row svc-inetd $H tcp 37 open time - - "inetutils-inetd internal" banner:ANY
  row avahi $H udp 5353 open mdns "Avahi mDNS" "$(upver avahi-daemon)" "heldout; answers unicast queries from the link" udp:mdns
}
