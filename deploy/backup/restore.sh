#!/usr/bin/env bash
# Restore the platform into an EMPTY database and a fresh bucket (or folder): pg_restore of
# a dump made by backup.sh, its schema upgraded (flask db upgrade), a new export generation
# (flask filings new-generation: older export cursors are refused), the archive's bucket
# created with object lock (flask archive init), the objects mirrored back from the backup
# store, and the whole archive re-hashed against the restored database (flask archive
# check: exit 1 on any missing or changed object).
#
# Usage: deploy/backup/restore.sh DUMP_FILE [BACKUP_STORE_SETTINGS_FILE]
#   DUMP_FILE                   a laborsign-<time>.dump from backup.sh (its .sha256 beside
#                               it is checked when present)
#   BACKUP_STORE_SETTINGS_FILE  NAME=VALUE lines of the store holding the backup copy;
#                               without it the archive is taken as already in place (MinIO
#                               replication) and only checked
# Environment: DATABASE_URL (the new, empty database: createdb it first) and the app's
#   settings naming the new bucket or folder (ARCHIVE_BACKEND, S3_*, ARCHIVE_ROOT);
#   FLASK (default "flask --app wsgi"); PG_BIN (folder of a pg_restore matching the server).
#
# The keys are not in the backup: SECRET_KEY, PII_KEY / PII_FIELD_KEYS (without them the
# encrypted personal data cannot be read) and the CA keys in PKI_DIR (or the HSM) are kept
# and restored separately, as the README's "Backups and restore" says.
set -euo pipefail
umask 077  # what it writes (a local archive's files) holds personal data: owner only

usage() { sed -n '2,21p' "$0" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
dump=$1
store_file=${2:-}
: "${DATABASE_URL:?DATABASE_URL must name the new, empty PostgreSQL database}"
read -r -a flask <<<"${FLASK:-flask --app wsgi}"
pg_restore=${PG_BIN:+$PG_BIN/}pg_restore
# the URL without its password (PGPASSWORD instead): never on a command line
# shellcheck source=deploy/backup/pg-url.sh
source "$(dirname "${BASH_SOURCE[0]}")/pg-url.sh"

if [[ -f $dump.sha256 ]]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256")
fi
echo "restoring $dump"
"$pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$pg_url" "$dump"
# a dump of an earlier release: bring its schema up to this release's first (what
# new-generation writes is this release's)
"${flask[@]}" db upgrade
# the restored export counter may be behind numbers the bureau systems already received: a
# new export generation makes their older cursors answer cursor_outdated (restart from since)
"${flask[@]}" filings new-generation

"${flask[@]}" archive init
if [[ -n $store_file ]]; then
  echo "mirroring the archive back from the store in $store_file"
  "${flask[@]}" archive mirror --from "@$store_file"
fi
echo "checking every archived object against the restored database"
"${flask[@]}" archive check
echo "restore done"
