# /etc/cron.d/relay-ctrl: remove expired POP-before-SMTP authorizations
# every minute (relay-ctrl-age(8)). Where systemd's relay-ctrl-age.timer
# is active it does this job, and this line does nothing; it also does
# nothing once the package is removed.
SHELL=/bin/sh
PATH=/usr/bin:/bin
* * * * * root [ -x /usr/bin/relay-ctrl-age ] && ! systemctl --quiet is-active relay-ctrl-age.timer 2>/dev/null && /usr/bin/envdir /etc/relay-ctrl /usr/bin/relay-ctrl-age
