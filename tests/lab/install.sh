#!/usr/bin/env bash
# PortAtlas test lab: install every Debian package the lab needs.
# Idempotent: packages already installed are skipped (apt-get is only run for
# the missing ones). Must run as root on Debian 12.
#
# Distribution services must NOT start in the root namespace: during the
# install a policy-rc.d that answers 101 ("action forbidden") is put in place
# (unless one that already does so exists), so invoke-rc.d never starts them.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "install.sh: must run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

PKGS=(
  iproute2 nftables iptables procps psmisc
  gcc libc6-dev make pkg-config libnetfilter-queue-dev libmnl-dev
  openssl ca-certificates
  openssh-server
  nginx-light
  postfix
  vsftpd
  dovecot-imapd dovecot-pop3d
  redis-server
  memcached
  postgresql
  mariadb-server
  dnsmasq-base
  chrony
  snmpd snmp
  inetutils-telnetd inetutils-inetd
  nmap ncat
  iputils-ping
  bind9-dnsutils
  python3
  # pa-svc / pa-svc2 (issue 11: daemons the detector was never tuned on).
  # Not installed: ntpsec (removes chrony), proftpd/pure-ftpd (remove vsftpd),
  # nut-server (upgrades systemd), Java and Erlang servers (too heavy here).
  apache2 lighttpd varnish haproxy squid tinyproxy dante-server privoxy
  bind9 unbound nsd pdns-server pdns-backend-bind knot
  slapd ldap-utils krb5-kdc
  samba rpcbind tftpd-hpa rsync
  cups-daemon
  mosquitto beanstalkd nats-server gearman-job-server redis-sentinel
  prometheus-node-exporter zabbix-agent nagios-nrpe-server munin-node
  openvpn coturn kamailio mumble-server
  ngircd inspircd prosody
  git influxdb etcd-server avahi-daemon
  # TLS comparison (issue 20, bench/compare-tls.sh); the pa-tls daemons are the ones above.
  testssl.sh
)

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  if [[ "$st" != ii* ]]; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install.sh: all ${#PKGS[@]} lab packages already installed"
else
  echo "install.sh: installing: ${missing[*]}"

  # Prevent services from being started by maintainer scripts.
  POLICY=/usr/sbin/policy-rc.d
  created_policy=0
  if ! { [[ -x $POLICY ]] && grep -qE '^[[:space:]]*exit[[:space:]]+101' "$POLICY"; }; then
    if [[ -e $POLICY ]]; then
      cp -a "$POLICY" "$POLICY.pa-lab-saved"
    fi
    printf '#!/bin/sh\n# installed temporarily by PortAtlas tests/lab/install.sh\nexit 101\n' > "$POLICY"
    chmod 755 "$POLICY"
    created_policy=1
  fi
  restore_policy() {
    if [[ $created_policy -eq 1 ]]; then
      rm -f "$POLICY"
      if [[ -e "$POLICY.pa-lab-saved" ]]; then mv "$POLICY.pa-lab-saved" "$POLICY"; fi
    fi
  }
  trap restore_policy EXIT

  # Postfix: no questions, local-only configuration.
  if command -v debconf-set-selections >/dev/null; then
    debconf-set-selections <<'EOF'
postfix postfix/main_mailer_type select Local only
postfix postfix/mailname string lab.portatlas.test
slapd slapd/no_configuration boolean true
krb5-config krb5-config/default_realm string LAB.PORTATLAS.TEST
krb5-config krb5-config/kerberos_servers string
krb5-config krb5-config/admin_server string
krb5-config krb5-config/add_servers_realm string LAB.PORTATLAS.TEST
krb5-config krb5-config/read_conf boolean true
krb5-kdc krb5-kdc/debconf boolean false
mumble-server mumble-server/start_daemon boolean false
mumble-server mumble-server/use_capabilities boolean false
samba-common samba-common/dhcp boolean false
EOF
  fi

  apt-get update
  apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"
fi

# Belt and braces: if some daemon did get started in the root namespace by an
# init system, stop and disable it (the lab runs its own copies in namespaces).
SERVICES=(ssh nginx postfix vsftpd dovecot redis-server memcached postgresql
          mariadb chrony snmpd inetutils-inetd
          apache2 lighttpd varnish varnishncsa haproxy squid tinyproxy danted privoxy
          named bind9 unbound nsd pdns knot slapd krb5-kdc smbd nmbd samba-ad-dc
          rpcbind rpcbind.socket tftpd-hpa rsync cups cups.socket cups-browsed mosquitto beanstalkd
          nats-server gearman-job-server redis-sentinel prometheus-node-exporter
          zabbix-agent nagios-nrpe-server munin-node openvpn coturn kamailio
          mumble-server ngircd inspircd prosody influxdb etcd avahi-daemon avahi-daemon.socket)
if [[ -d /run/systemd/system ]]; then
  for s in "${SERVICES[@]}"; do
    systemctl disable --now "$s" >/dev/null 2>&1 || true
  done
fi

# Report anything still listening in the root namespace (other than the
# sandbox's own listener) so a human can see it.
if command -v ss >/dev/null; then
  extra=$(ss -H -ltnup 2>/dev/null | grep -vE ':2024[[:space:]]' || true)
  if [[ -n "$extra" ]]; then
    echo "install.sh: WARNING: listeners in the root namespace:" >&2
    echo "$extra" >&2
  fi
fi
echo "install.sh: done"
