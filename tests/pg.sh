#!/usr/bin/env bash
# Throwaway PostgreSQL 15 primary + streaming standby on 127.0.0.1, as a non-root user.
#   pg.sh start   DIR   -> primary on a free port, database "news", prints URLs (also DIR/env)
#   pg.sh standby DIR   -> pg_basebackup -R of the primary, started on another free port
#   pg.sh stop    DIR   -> stop both (fast), remove DIR
# Root runs the server as the "postgres" user the Debian package creates (or "nobody" when missing);
# DIR must be writable by that user, so it is created 0700 and chowned.
set -euo pipefail
cmd=${1:?start|standby|stop}; dir=${2:?DIR}
bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 3; }

if [ "$(id -u)" = 0 ]; then
  user=$(getent passwd postgres >/dev/null && echo postgres || echo nobody)
  as() { runuser -u "$user" -- "$@"; }
else
  user=$(id -un); as() { "$@"; }
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_server() {  # datadir port
  as "$bin/pg_ctl" -D "$1" -l "$1/log" -w -t 60 \
     -o "-p $2 -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -k $dir" start >/dev/null
}

case $cmd in
start)
  mkdir -p "$dir"; chmod 0755 "$dir"; [ "$(id -u)" = 0 ] && chown "$user" "$dir"
  port=$(free_port)
  as "$bin/initdb" -D "$dir/primary" -U news -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  cat >>"$dir/primary/postgresql.conf" <<EOF
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = replica
max_wal_senders = 4
shared_buffers = 256MB
max_connections = 100
EOF
  echo "host replication news 127.0.0.1/32 trust" >>"$dir/primary/pg_hba.conf"
  start_server "$dir/primary" "$port"
  as "$bin/createdb" -h 127.0.0.1 -p "$port" -U news news
  echo "PG_PORT=$port" >"$dir/env"
  echo "ARCHIVE_DATABASE_URL=postgresql+psycopg://news@127.0.0.1:$port/news" | tee -a "$dir/env"
  ;;
standby)
  . "$dir/env"; sport=$(free_port)
  as "$bin/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U news -D "$dir/standby" -R -X stream -c fast
  start_server "$dir/standby" "$sport"
  echo "STANDBY_PORT=$sport" >>"$dir/env"
  echo "ARCHIVE_READ_DATABASE_URL=postgresql+psycopg://news@127.0.0.1:$sport/news" | tee -a "$dir/env"
  ;;
stop)
  for d in standby primary; do
    [ -f "$dir/$d/postmaster.pid" ] && as "$bin/pg_ctl" -D "$dir/$d" -m fast -w stop >/dev/null || true
  done
  rm -rf "$dir"
  ;;
*) echo "usage: pg.sh start|standby|stop DIR" >&2; exit 2 ;;
esac
