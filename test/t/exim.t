# Exim as the SMTP side: Debian's exim4-daemon-light (unpacked by
# test/exim-extract, since exim4 and postfix cannot both be installed)
# runs private daemons on loopback with the RCPT ACLs of doc/exim.md,
# which relay for a client whose spool entry is fresh: a regular file,
# mtime within RELAY_CTRL_EXPIRY, not dated in the future. Two recipes:
# Exim's own expansions (section 2 of doc/exim.md), and relay-ctrl-query
# called with ${run} (section 3; only when the build has it). Logins go
# through the POP side of e2e.t (tcpserver, pop3front-auth, cvm-pwfile,
# relay-ctrl-allow). Exim's SMTP processes run as Debian-exim, so the
# spool's parent is 0710 root:Debian-exim instead of 0700 root.
source "$RC_TOP/test/lib.sh"
plan 60
source "$RC_TOP/test/e2e-lib.sh"
e2e_start
if ! EXIM=$("$TOP/test/exim-extract" 2>"$T/.exim"); then
  failed "Debian's exim4 binary unpacked by test/exim-extract" "$(cat "$T/.exim")"
  exit 1
fi
e2e_fixtures 90
EXPIRY=90



# --- the Exim instances -----------------------------------------------
IFACES="127.0.0.1"
[ -n "$HAVE_V6" ] && IFACES="127.0.0.1 ; ::1"

# The two recipes, as shipped: examples/exim/localmacros with the two
# values a site sets (its spool and expiry) edited, and
# examples/exim/localmacros-query with the test's paths (example); each
# with its ACL statement, examples/exim/acl-rcpt and acl-rcpt-query.
MACROS=$(sed -e "s#^RELAY_CTRL_DIR = /var/spool/relay-ctrl/allow\$#RELAY_CTRL_DIR = $SPOOL#" \
  -e "s#^RELAY_CTRL_EXPIRY = 900\$#RELAY_CTRL_EXPIRY = $EXPIRY#" "$TOP/examples/exim/localmacros")
is "$(diff <(echo "$MACROS") "$TOP/examples/exim/localmacros" | grep -c '^<')" 2 "examples/exim/localmacros: two settings edited, nothing else"
QUERY=$(example exim/localmacros-query)

# The shipped deny, copied where Exim, having dropped root, can read it
# (the checkout may be under /root).
cp "$TOP/examples/exim/relay-ctrl-deny.acl" "$T/relay-ctrl-deny.acl" && chmod 644 "$T/relay-ctrl-deny.acl"
# exim_conf NAME PORT MACROS ACL: writes $T/NAME/exim.conf.
exim_conf () {
  local ex=$T/$1
  mkdir -p "$ex/spool" "$ex/log"
  chown Debian-exim:Debian-exim "$ex/spool" "$ex/log"
  cat >"$ex/exim.conf" <<EOF
# relay-ctrl: relay for a client whose login is in the spool and fresh
$3

# a private instance on loopback
primary_hostname = mx.example.org
domainlist local_domains = example.org
daemon_smtp_ports = $2
local_interfaces = <; $IFACES
spool_directory = $ex/spool
log_file_path = $ex/log/%slog
pid_file_path = $ex/exim.pid
keep_environment =
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
queue_only = true

acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_rcpt:
  accept  domains = +local_domains
$(cat "$TOP/examples/exim/$4")
.include $T/relay-ctrl-deny.acl

begin routers

# the test delivers nothing
discard:
  driver = redirect
  data = :blackhole:
EOF
  chmod 644 "$ex/exim.conf"
}

EXIMPIDS=()
stop_exim () {
  local i p
  # On SIGTERM the daemon tries to re-exec /usr/sbin/exim4 to remove its
  # pid file; that binary is not installed here, so it only logs that
  # to stderr and exits.
  for p in "${EXIMPIDS[@]}"; do
    kill "$p" 2>/dev/null
    for ((i = 0; i < 100; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -9 "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  EXIMPIDS=()
}
cleanup stop_exim

# start_exim NAME PORT WHAT: a daemon in the foreground, as root.
start_exim () {
  local ex=$T/$1 pid
  run -- "$EXIM" -C "$ex/exim.conf" -bV
  if [ "$RC" != 0 ] || ! grep -q '^Exim version 4' <<<"$OUT"; then
    failed "$3: exim -bV accepts the configuration" "exit $RC" "$OUT" "$ERR"
    exit 1
  fi
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$EXIM" -C "$ex/exim.conf" -bdf >>"$ex/log/stderr" 2>&1 &
  pid=$!
  EXIMPIDS+=("$pid")
  if wait_listen "$2" "$pid"; then
    pass "$3: Exim daemon ($(head -n 1 <<<"$OUT")) listening on port $2"
  else
    failed "$3: Exim daemon started" "$(cat "$ex/log/"* 2>&1)"
    exit 1
  fi
}

freeport; SMTP=$PORT
exim_conf exim "$SMTP" "$MACROS" acl-rcpt
start_exim exim "$SMTP" "Exim expansions"
HAVE_QUERY=
if [ -x "$BIN/relay-ctrl-query" ]; then
  HAVE_QUERY=1
  freeport; SMTPQ=$PORT
  exim_conf exim-query "$SMTPQ" "$QUERY" acl-rcpt-query
  start_exim exim-query "$SMTPQ" "relay-ctrl-query"
fi

POPLOG=$T/pop.log
serve pop "$POPLOG" 127.0.0.1; POP4=$PORT
POP6=
[ -n "$HAVE_V6" ] && { serve pop "$POPLOG" ::1; POP6=$PORT; }

# Exim's replies, as swaks shows them.
refused () { # WHAT  (the expansions daemon knows the expiry, the query one not)
  local when=' within 90 seconds'
  case $1 in relay-ctrl-query*) when= ;; esac
  if [ "$RC" = 24 ] && grep -qE '^<\*\* +550-5\.7\.1 relaying needs a recent mail check:$' <<<"$OUT" &&
     grep -qE "^<\*\* +550 receive your mail \(POP3/IMAP\) first, then send$when\$" <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT"; fi
}
accepted () { # WHAT
  if [ "$RC" = 0 ] && grep -qE '^<- +250 Accepted' <<<"$OUT" && grep -qE '^<- +250 OK id=' <<<"$OUT"
  then pass "$1"; else failed "$1" "swaks exit $RC, transcript:" "$OUT"; fi
}

# --- the spool's parent shut to Exim: nothing relays --------------------
chmod 0700 "$SPOOLTOP"
pop 127.0.0.1 "$POP4" "$PASSWORD"
popped "POP3 login as bob from 127.0.0.1"
ok "the login is in the spool" test -f "$SPOOL/127.0.0.1"
smtp 127.0.0.1 "$SMTP" x@example.net
refused "Exim expansions: parent 0700 root: Exim (running as Debian-exim) cannot see the entry, relaying refused"
if [ -n "$HAVE_QUERY" ]; then
  smtp 127.0.0.1 "$SMTPQ" x@example.net
  refused "relay-ctrl-query: parent 0700 root: relaying refused"
fi
rm -f "$SPOOL/127.0.0.1"

# --- the documented permissions: parent 0710 root:Debian-exim ----------
chgrp Debian-exim "$SPOOLTOP"
chmod 0710 "$SPOOLTOP"
# relay-ctrl-chdir says at its start what this means (doc/exim.md).
run -- envdir "$ENVDIR" relay-ctrl-chdir true
is "$RC" 0 "relay-ctrl-chdir runs its program with the parent 0710 root:Debian-exim"
has "$ERR" '^relay-ctrl-chdir\[[0-9]+\]: warning: spool .* is writable by other local users through its path' \
  "relay-ctrl-chdir warns that the group Debian-exim can reach the spool"

# scenario NAME PORT WHAT: the same checks against each recipe.
scenario () {
  local port=$2 w=$3 mainlog=$T/$1/log/mainlog m L
  rm -rf "${SPOOL:?}"/*
  smtp 127.0.0.1 "$port" x@example.net
  refused "$w: relaying refused before any login"
  smtp 127.0.0.1 "$port" u@example.org
  accepted "$w: mail to the local domain accepted without any login"

  pop 127.0.0.1 "$POP4" wrong
  denied "$w: POP3 login with a bad password refused"
  smtp 127.0.0.1 "$port" x@example.net
  refused "$w: relaying still refused after the bad password"

  m=$(logpos "$POPLOG")
  pop 127.0.0.1 "$POP4" "$PASSWORD"
  popped "$w: POP3 login as bob from 127.0.0.1"
  L=$(logsince "$POPLOG" "$m")
  logged "$L" "" relay-ctrl-allow "info: recorded login from 127.0.0.1 (user bob)" "$w: allow logs the login from 127.0.0.1"

  m=$(logpos "$mainlog")
  smtp 127.0.0.1 "$port" x@example.net
  accepted "$w: relaying accepted from 127.0.0.1 after the login, whole message queued"
  L=$(logsince "$mainlog" "$m")
  has "$L" 'relay-ctrl: relaying for 127\.0\.0\.1$' "$w: Exim's mainlog: relaying for 127.0.0.1"

  smtp 127.0.0.1 "$port" x@example.net --local-interface 127.0.0.2
  refused "$w: relaying refused from 127.0.0.2, which did not log in"

  age "$SPOOL/127.0.0.1" 80
  smtp 127.0.0.1 "$port" x@example.net
  accepted "$w: relaying accepted 80 s after the login (expiry 90)"
  age "$SPOOL/127.0.0.1" 100
  smtp 127.0.0.1 "$port" x@example.net
  refused "$w: relaying refused 100 s after the login (expiry 90)"
  age "$SPOOL/127.0.0.1" -3600
  smtp 127.0.0.1 "$port" x@example.net
  refused "$w: relaying refused for an entry dated an hour in the future"
  age "$SPOOL/127.0.0.1" -10
  smtp 127.0.0.1 "$port" x@example.net
  accepted "$w: relaying accepted for an entry 10 s in the future (clock skew tolerance, as relay-ctrl-check)"

  rm -f "$SPOOL/127.0.0.1"
  mkdir "$SPOOL/127.0.0.1"
  smtp 127.0.0.1 "$port" x@example.net
  refused "$w: relaying refused when the entry is a directory"
  rmdir "$SPOOL/127.0.0.1"

  pop 127.0.0.1 "$POP4" "$PASSWORD"
  popped "$w: POP3 login again"
  age "$SPOOL/127.0.0.1" 100
  run -- envdir "$ENVDIR" relay-ctrl-age
  notok "$w: relay-ctrl-age removed the expired entry" test -e "$SPOOL/127.0.0.1"
  smtp 127.0.0.1 "$port" x@example.net
  refused "$w: relaying refused once relay-ctrl-age removed the entry"

  if [ -z "$HAVE_V6" ]; then
    skip_part 4 "$w: IPv6: no ::1 on this machine"
    return
  fi
  smtp ::1 "$port" x@example.net -6
  refused "$w: IPv6: relaying refused from ::1 before any login"
  pop ::1 "$POP6" "$PASSWORD"
  popped "$w: IPv6: POP3 login as bob from ::1"
  smtp ::1 "$port" x@example.net -6
  accepted "$w: IPv6: relaying accepted from ::1 after the login"
  age "$SPOOL/::1" 100
  smtp ::1 "$port" x@example.net -6
  refused "$w: IPv6: relaying refused from ::1 once the login expired"
}

scenario exim "$SMTP" "Exim expansions"
if [ -z "$HAVE_QUERY" ]; then
  failed "relay-ctrl-query recipe: $BIN/relay-ctrl-query is built"
else
  scenario exim-query "$SMTPQ" "relay-ctrl-query"
  # relay-ctrl-query refuses what relay-ctrl-check refuses: a symlink.
  pop 127.0.0.1 "$POP4" "$PASSWORD"
  mv "$SPOOL/127.0.0.1" "$SPOOL/real"
  ln -s real "$SPOOL/127.0.0.1"
  smtp 127.0.0.1 "$SMTPQ" x@example.net
  refused "relay-ctrl-query: relaying refused when the fresh entry is a symbolic link"
  rm -f "$SPOOL/127.0.0.1" "$SPOOL/real"
fi

hasnt "$(cat "$POPLOG")" 'relay-ctrl-(allow|check)\[[0-9]+\]: (warning|fatal)|AddressSanitizer|runtime error' \
  "no other relay-ctrl warning, fatal or sanitizer report in the POP log"
for x in exim ${HAVE_QUERY:+exim-query}; do
  is "$(cat "$T/$x/log/paniclog" 2>/dev/null)" "" "$x: Exim's paniclog is empty"
  hasnt "$(cat "$T/$x/log/mainlog")" 'temporarily rejected|expansion of .* failed' \
    "$x: no expansion failure or temporary rejection in Exim's mainlog"
done
pids=("${EXIMPIDS[@]}")
stop_exim
stop_servers
for p in "${pids[@]}"; do notok "Exim daemon $p has exited" kill -0 "$p" 2>/dev/null; done
is "$(procs_in "$T")" "" "no process left running under the test directory"
