#!/usr/bin/env bash
# Back up the platform: a logical dump of PostgreSQL (pg_dump -Fc), then a mirror of the
# archive's objects into a second store (flask archive mirror: SHA-256 checked, retention
# kept, objects already there skipped).
#
# Usage: deploy/backup/backup.sh BACKUP_DIR [TARGET_STORE_SETTINGS_FILE]
#   BACKUP_DIR                  where the dump goes (laborsign-<UTC time>.dump)
#   TARGET_STORE_SETTINGS_FILE  NAME=VALUE lines of the backup store (ARCHIVE_BACKEND,
#                               S3_ENDPOINT, S3_BUCKET, … or ARCHIVE_ROOT); without it only
#                               the database is dumped (e.g. the bucket is replicated by
#                               MinIO itself: mc replicate)
# Environment: DATABASE_URL and the app's own settings (the same .env as the app);
#   FLASK: the flask command (default "flask --app wsgi"); PG_BIN: folder of pg_dump
#   matching the server's major version (default: the one on PATH).
#
# Order matters: the dump first, then the objects. Every object a row refers to was written
# before its row committed, so a mirror taken after the dump holds all the dump refers to.
set -euo pipefail
umask 077  # dumps and copies hold personal data: for the backup's owner only

usage() { sed -n '2,16p' "$0" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
backup_dir=$1
store_file=${2:-}
: "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database}"
read -r -a flask <<<"${FLASK:-flask --app wsgi}"
pg_dump=${PG_BIN:+$PG_BIN/}pg_dump

# the URL without its password (PGPASSWORD instead): never on a command line
# shellcheck source=deploy/backup/pg-url.sh
source "$(dirname "${BASH_SOURCE[0]}")/pg-url.sh"
mkdir -p "$backup_dir"
dump="$backup_dir/laborsign-$(date -u +%Y%m%dT%H%M%SZ).dump"

echo "dumping the database to $dump"
"$pg_dump" --format=custom --no-owner --no-privileges --file="$dump.partial" "$pg_url"
mv "$dump.partial" "$dump"
(cd "$backup_dir" && sha256sum "$(basename "$dump")" >"$(basename "$dump").sha256")

if [[ -n $store_file ]]; then
  echo "mirroring the archive to the store in $store_file"
  "${flask[@]}" archive mirror --to "@$store_file"
fi
echo "backup done: $dump"
