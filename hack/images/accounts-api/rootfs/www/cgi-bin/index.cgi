#!/bin/sh
# The api: reports the db stand-in (it answers PONG to PING) and the config and secret files.
reply=$(echo PING | nc -w 2 "$DB_HOST" "$DB_PORT" 2>/dev/null)
case "$reply" in PONG*) db=true ;; *) db=false ;; esac
present() { if [ -f "$1" ]; then echo true; else echo false; fi; }
printf 'Content-Type: application/json\r\n\r\n'
printf '{"service":"accounts-api","hostname":"%s","db":{"address":"%s:%s","answers":%s},"config":{"plain":%s,"secret":%s}}\n' \
  "$(hostname)" "$DB_HOST" "$DB_PORT" "$db" "$(present /config/plain.yaml)" "$(present /config/secret.yaml)"
