# Sourced by up.sh and tls.sh: the parts of private daemons' configurations both labs share, each written into a
# directory of the daemon's own; the caller appends what is its own (TLS, banners, logs) and starts the daemon.

# postfix_config DIR MYHOSTNAME LISTEN_ADDRESS: writes DIR/conf/main.cf and master.cf (the caller appends to main.cf).
postfix_config() {
  local d=$1 name=$2 address=$3
  mkdir -p "$d/conf" "$d/spool" "$d/data"
  chown postfix "$d/data"
  cat > "$d/conf/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $d/spool
data_directory = $d/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = $name
mydomain = portatlas.test
myorigin = \$myhostname
mydestination = \$myhostname, localhost
inet_interfaces = $address
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = no
maillog_file = $d/maillog
maillog_file_prefixes = $d
EOF
  cat > "$d/conf/master.cf" <<'EOF'
smtp      inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# vsftpd_config DIR LISTEN_ADDRESS: an anonymous, read-only FTP server on port 21 (DIR/vsftpd.conf).
vsftpd_config() {
  local d=$1 address=$2
  mkdir -p "$d/empty" "$d/anon"
  chmod 555 "$d/empty" "$d/anon"
  cat > "$d/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$address
listen_port=21
background=YES
anonymous_enable=YES
anon_root=$d/anon
no_anon_password=YES
local_enable=NO
write_enable=NO
ftp_username=ftp
secure_chroot_dir=$d/empty
pam_service_name=vsftpd
seccomp_sandbox=NO
isolate_network=NO
EOF
}

# dovecot_config DIR LISTEN_ADDRESS SOCKET_DIR: IMAP and POP3 with one user, lab:portatlas (DIR/dovecot.conf).
dovecot_config() {
  local d=$1 address=$2 sockets=$3
  mkdir -p "$d/state" "$d/mail"
  chown dovecot:dovecot "$d/mail"
  echo "lab:{PLAIN}portatlas" > "$d/users"
  chmod 644 "$d/users"
  cat > "$d/dovecot.conf" <<EOF
base_dir = $sockets
state_dir = $d/state
log_path = $d/dovecot.log
listen = $address
protocols = imap pop3
default_login_user = dovenull
default_internal_user = dovecot
auth_mechanisms = plain
disable_plaintext_auth = yes
mail_location = maildir:$d/mail/%u
passdb {
  driver = passwd-file
  args = $d/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$d/mail/%u
}
EOF
}
