#!/usr/bin/env bash
# Back up DutyEval: the PostgreSQL database (pg_dump custom format) and the uploaded files.
#
#   DATABASE_URL=postgres://… BACKUP_DIR=/var/backups/dutyeval bash dutyeval-backup.sh
#
# Run daily by dutyeval-backup.timer (reads /etc/dutyeval/dutyeval.env). Writes
#   $BACKUP_DIR/dutyeval-YYYYMMDD-HHMMSS.dump      the database (restore: deploy/README.md)
#   $BACKUP_DIR/dutyeval-YYYYMMDD-HHMMSS-uploads.tar.gz  $DUTYEVAL_VAR_DIR/uploads, if present
# checks that the dump can be read back (pg_restore --list), and deletes backups older than
# BACKUP_KEEP_DAYS (default 30). Prints the dump's path on the last line. Copy $BACKUP_DIR to
# another machine or medium: a backup on the same disk does not survive that disk.
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL is not set (postgres://user@host:port/dbname)}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/dutyeval}
KEEP_DAYS=${BACKUP_KEEP_DAYS:-30}
PG_DUMP=${PG_DUMP:-pg_dump}
PG_RESTORE=${PG_RESTORE:-pg_restore}
VAR_DIR=${DUTYEVAL_VAR_DIR:-/var/lib/dutyeval}

umask 077
mkdir -p "$BACKUP_DIR"
stamp=$(date +%Y%m%d-%H%M%S)
dump="$BACKUP_DIR/dutyeval-$stamp.dump"

# a consistent snapshot of the whole database, taken while the system keeps running
"$PG_DUMP" --format=custom --compress=6 --no-owner --file="$dump.partial" "$DATABASE_URL"
"$PG_RESTORE" --list "$dump.partial" >/dev/null
mv "$dump.partial" "$dump"

if [ -d "$VAR_DIR/uploads" ]; then
  tar -C "$VAR_DIR" -czf "$BACKUP_DIR/dutyeval-$stamp-uploads.tar.gz.partial" uploads
  mv "$BACKUP_DIR/dutyeval-$stamp-uploads.tar.gz.partial" "$BACKUP_DIR/dutyeval-$stamp-uploads.tar.gz"
fi

find "$BACKUP_DIR" -maxdepth 1 -name 'dutyeval-*' -type f -mtime +"$KEEP_DAYS" -delete
echo "backup: $(du -h "$dump" | cut -f1) written" >&2
echo "$dump"
