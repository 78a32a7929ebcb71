"""Backup and restore, end to end: contracts signed and filed on PostgreSQL + S3 (moto over
HTTP), backed up by deploy/backup/backup.sh (pg_dump -Fc, the bucket mirrored), restored by
deploy/backup/restore.sh into a fresh database and a fresh bucket; ``flask archive check``
finds every object, a signed PDF verifies offline against the platform root alone; a changed
or deleted object in the restored archive (S3 and local) makes the check fail.

The scripts run for real (pg_dump, pg_restore, their checksums); their ``flask`` commands are
recorded by a stand-in and replayed in-process on the matching app (a ``flask`` process
costs seconds to start), so the commands tested are exactly the scripts'.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.extensions import archive_ext, db
from app.models import Filing
from archive import LocalObjectStore, S3ObjectStore
from tests.app.test_archive_check import remove, sign_and_file, tamper
from tests.conftest import config_for, scratch_database

SCRIPTS = Path(__file__).resolve().parents[2] / "deploy" / "backup"
RECORDER = "import json, sys; open(sys.argv[1], 'a').write(json.dumps(sys.argv[2:]) + '\\n')"


@pytest.mark.parametrize("script", ["backup.sh", "restore.sh"])
def test_the_scripts_parse_and_explain_themselves(script):
    assert subprocess.run(["bash", "-n", SCRIPTS / script]).returncode == 0
    usage = subprocess.run(["bash", SCRIPTS / script], capture_output=True, text=True)
    assert usage.returncode == 2 and "Usage:" in usage.stderr


def pg_bin(url: str) -> str:
    """The folder of a pg_dump/pg_restore matching the server's major version ("" = PATH)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        server = int(conn.execute(sa.text("SHOW server_version_num")).scalar()) // 10000
    engine.dispose()
    found = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True).stdout
    if re.search(rf"\b{server}\.", found):
        return ""
    return f"/usr/lib/postgresql/{server}/bin"


def run_script(script: str, *args: str, database: str, log: Path, tmp: Path) -> None:
    """Run a backup script with ``flask`` recorded into ``log``."""
    recorder = tmp / "flask-recorder.py"
    recorder.write_text(RECORDER)
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": database, "PG_BIN": pg_bin(database),
           "FLASK": f"{sys.executable} {recorder} {log}"}
    done = subprocess.run(["bash", SCRIPTS / script, *args], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def replay(app, log: Path) -> list[str]:
    """Run the recorded ``flask`` commands on ``app``; each must succeed. Their outputs."""
    outputs = []
    for line in log.read_text().splitlines():
        with app.app_context():  # the command runs in the current app's context
            result = app.test_cli_runner().invoke(args=json.loads(line))
        assert result.exit_code == 0, (line, result.output)
        outputs.append(result.output)
    log.unlink()
    return outputs


def store_file(path: Path, server, bucket: str) -> Path:
    path.write_text(f"# the backup store\nARCHIVE_BACKEND=s3\nS3_ENDPOINT={server.url}\n"
                    f"S3_ACCESS_KEY={server.access_key}\nS3_SECRET_KEY={server.secret_key}\n"
                    f"S3_BUCKET={bucket}\n")
    return path


@pytest.mark.postgresql_only
def test_sign_back_up_restore_check_and_verify_offline(client, world, outbox, s3_server,
                                                       s3_bucket, tmp_path):
    from app import create_app
    from signing import verify

    source = S3ObjectStore(s3_server.endpoint, s3_server.access_key, s3_server.secret_key,
                           s3_bucket)
    source.ensure_bucket()
    archive_ext.use(source)
    filed = [sign_and_file(client, world, outbox, key).number  # two employers: one worker
             for key in ("api_key", "api_key_other")]
    cursor = export_cursor(client.application)  # a bureau system's position before the backup
    root_pem = client.get("/ca/root.pem").data  # the platform root, kept with the keys

    # back up: the database dumped, the bucket mirrored to the backup bucket
    log, backups = tmp_path / "flask.jsonl", tmp_path / "backups"
    backup_store = store_file(tmp_path / "backup-store.env", s3_server, f"{s3_bucket}-backup")
    database = client.application.config["SQLALCHEMY_DATABASE_URI"]
    run_script("backup.sh", str(backups), str(backup_store), database=database, log=log,
               tmp=tmp_path)
    mirrored = replay(client.application, log)
    assert "0 failed" in mirrored[0] and " 0 already there" in mirrored[0]
    dump = next(backups.glob("laborsign-*.dump"))

    # restore into a fresh database and a fresh bucket, then check it all
    with scratch_database("laborsign_restore") as fresh:
        restored = create_app(config_for(
            tmp_path / "restored", fresh, ARCHIVE_BACKEND="s3", S3_ENDPOINT=s3_server.url,
            S3_ACCESS_KEY=s3_server.access_key, S3_SECRET_KEY=s3_server.secret_key,
            S3_BUCKET=f"{s3_bucket}-restored"))
        try:
            run_script("restore.sh", str(dump), str(backup_store), database=fresh, log=log,
                       tmp=tmp_path)
            _upgraded, generation, init, mirror, check = replay(restored, log)
            assert "new export generation" in generation
            assert f"{s3_bucket}-restored" in init and "created" in init
            assert "object lock: on" in init and "versioning: Enabled" in init
            assert "0 failed" in mirror
            assert "filing_manifest 2, filing_pdf 2" in check
            assert "0 missing, 0 changed, 0 unreadable; 0 unreferenced" in check
            _verify_offline_and_break(restored, backup_store, root_pem, filed, tmp_path, verify)
            _old_export_cursors_are_outdated(restored, cursor)
        finally:
            with restored.app_context():
                db.engine.dispose()


def export_cursor(app) -> str:
    """The filings export's cursor after every filing, as the command line prints it."""
    with app.app_context():
        out = app.test_cli_runner().invoke(args=["filings", "export", "--limit", "100"])
    assert out.exit_code == 0, out.output
    return out.stderr.strip().splitlines()[-1].removeprefix("next-cursor: ")


def _old_export_cursors_are_outdated(restored, cursor: str) -> None:
    """The restore started a new export generation: a cursor from before answers
    ``cursor_outdated`` (its number may lie past filings the restored counter gives again);
    a new start works."""
    with restored.app_context():
        runner = restored.test_cli_runner()
        old = runner.invoke(args=["filings", "export", "--cursor", cursor])
        assert old.exit_code == 1 and "since" in old.output, old.output
        again = runner.invoke(args=["filings", "export", "--since", "2000-01-01"])
        assert again.exit_code == 0 and len(again.stdout.splitlines()) == 2


def _verify_offline_and_break(restored, backup_store, root_pem, filed, tmp_path, verify):
    with restored.app_context():
        filings = list(db.session.scalars(select(Filing).order_by(Filing.id)))
        assert [f.number for f in filings] == filed
        store = S3ObjectStore(*_s3(restored), restored.config["S3_BUCKET"])
        pdf = store.get(filings[0].pdf_key)
        report = verify(pdf, trust_roots=[root_pem])  # offline: embedded CRLs, one root
        assert report.ok, report.summary_en
        assert len(report.signatures) == 2 and len(report.timestamps) == 1

        runner = restored.test_cli_runner()
        local_root = tmp_path / "restored-local"
        to_local = runner.invoke(args=["archive", "mirror", "--from", f"@{backup_store}",
                                       "--to", "ARCHIVE_BACKEND=local",
                                       "--to", f"ARCHIVE_ROOT={local_root}"])
        assert to_local.exit_code == 0, to_local.output
        server = _Server(*_s3(restored)[1:3])
        for broken, backend in ((store, server), (LocalObjectStore(local_root), None)):
            archive_ext.use(broken, app=restored)
            tamper(broken, filings[0].pdf_key, b"%PDF-1.7 changed", backend)
            remove(broken, filings[1].manifest_key, backend)
            result = runner.invoke(args=["archive", "check"])
            assert result.exit_code == 1, result.output
            assert f"changed filing_pdf {filings[0].pdf_key}" in result.output
            assert f"missing filing_manifest {filings[1].manifest_key}" in result.output


def _s3(app) -> tuple[str, str, str]:
    host = app.config["S3_ENDPOINT"].removeprefix("http://")
    return host, app.config["S3_ACCESS_KEY"], app.config["S3_SECRET_KEY"]


class _Server:
    """The credentials :func:`tests.app.test_archive_check.tamper` needs."""

    def __init__(self, access_key: str, secret_key: str) -> None:
        self.access_key, self.secret_key = access_key, secret_key


STAND_IN = """#!/bin/sh
# records how it was called; writes the --file= it was given (pg_dump)
{ printf '%s\\n' "$@"; echo "PGPASSWORD=${PGPASSWORD-<unset>}"; } > "$CALLS/$(basename "$0")"
for arg in "$@"; do case $arg in --file=*) echo dump > "${arg#--file=}";; esac; done
"""


@pytest.mark.parametrize("password", ["s3cr3t-Pw", "p@ss/w%rd\\x"])
def test_the_password_stays_off_the_command_line_and_the_dump_is_private(tmp_path, password):
    """pg_dump and pg_restore get the URL without its password (PGPASSWORD carries it, so
    ``ps`` never shows it), and the dump, its checksum and its folder are the owner's only."""
    from urllib.parse import quote

    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    calls.mkdir()
    for name in ("pg_dump", "pg_restore"):
        (bin_dir / name).write_text(STAND_IN)
        (bin_dir / name).chmod(0o755)
    url = f"postgresql+psycopg://laborsign:{quote(password, safe='')}@db.internal:5432/lab"
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": url, "PG_BIN": str(bin_dir),
           "CALLS": str(calls), "FLASK": "true"}
    backups = tmp_path / "backups"
    done = subprocess.run(["bash", SCRIPTS / "backup.sh", str(backups)], env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    (dump,) = backups.glob("laborsign-*.dump")
    done = subprocess.run(["bash", SCRIPTS / "restore.sh", str(dump)], env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    for name in ("pg_dump", "pg_restore"):
        *args, secret = (calls / name).read_text().splitlines()
        assert secret == f"PGPASSWORD={password}", name
        assert not [a for a in args if password in a or quote(password, safe="") in a], args
        assert any(a.endswith("postgresql://laborsign@db.internal:5432/lab") for a in args)
    for path in (backups, dump, dump.with_name(dump.name + ".sha256")):
        assert path.stat().st_mode & 0o077 == 0, (path, oct(path.stat().st_mode))
