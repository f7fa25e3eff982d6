# Sourced after lib.sh and e2e-lib.sh by the tests that run Debian's
# Postfix as a private instance (postfix.t, postfix-socketmap.t): its own
# configuration, queue and log under $T/postfix, on loopback ports.

# pf_instance: PF, SMTP4 (and SMTP6, LISTEN6 with IPv6), and
# $PF/conf/main.cf with the instance's own settings; the test appends
# its relay restriction, then writes master.cf with pf_services.
pf_instance () {
  PF=$T/postfix
  mkdir -p "$PF/conf" "$PF/queue" "$PF/data"
  chown postfix "$PF/data"
  freeport; SMTP4=$PORT
  INET_PROTOCOLS=ipv4 LISTEN6=
  if [ -n "$HAVE_V6" ]; then freeport; SMTP6=$PORT; INET_PROTOCOLS=all; LISTEN6="[::1]:$SMTP6 inet n - n - - smtpd"; fi
  cat >"$PF/conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
maillog_file = $PF/maillog
maillog_file_prefixes = $PF
myhostname = mx.example.org
mydomain = example.org
mydestination = example.org
mynetworks = 192.0.2.0/24
inet_interfaces = loopback-only
inet_protocols = $INET_PROTOCOLS
disable_dns_lookups = yes
smtp_dns_support_level = disabled
alias_maps =
alias_database =
local_recipient_maps =
local_transport = discard
default_transport = discard
relay_transport = discard
smtpd_banner = \$myhostname ESMTP
CF
}

# pf_services: master.cf's lines for Postfix's own services.
pf_services () {
  cat <<CF
pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000 0 flush
proxymap unix - - n - - proxymap
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
discard unix - - n - - discard
error unix - - n - - error
retry unix - - n - - error
postlog unix-dgram n - n - 1 postlogd
CF
}

pfstop () { postfix -c "$PF/conf" stop >/dev/null 2>&1; local i; for ((i = 0; i < 50; i++)); do [ -z "$(procs_in "$PF")" ] && break; sleep 0.1; done; }

# pf_start PORT...: starts the instance; fails the test unless it
# listens on every PORT.
pf_start () {
  local out p
  cleanup pfstop
  out=$(postfix -c "$PF/conf" start 2>&1)
  for p; do
    wait_listen "$p" && continue
    failed "postfix started" "$out" "$(cat "$PF/maillog" 2>&1)"
    exit 1
  done
}
