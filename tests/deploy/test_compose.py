"""deploy/compose.yaml checked against the code, without docker: every command is one of our
CLI commands (or gunicorn on our config and app), every variable it sets is a setting the app
reads (or a documented one of gunicorn, prometheus-client, MinIO, PostgreSQL), every setting
config.py reads is in deploy/env.template, the bucket-init step runs the app's own
ensure_bucket, MinIO runs as 4 erasure-coded nodes, and every long-running service has a
health check."""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import shlex
import subprocess
import time
from pathlib import Path

import click
import pytest
import requests
import yaml

from archive import S3ObjectStore
from tests.needs import need_tool
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
SERVICES: dict[str, dict] = COMPOSE["services"]
APP_IMAGE = "${LABORSIGN_IMAGE:-laborsign:local}"
APP = {name: s for name, s in SERVICES.items() if s.get("image") == APP_IMAGE}
#: variables the other programs document (gunicorn, prometheus-client, the images)
DOCUMENTED = {
    "app": {"PROMETHEUS_MULTIPROC_DIR", "GUNICORN_CMD_ARGS", "FLASK_APP",
            "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"},  # the last two blanked for the app
    "postgres": {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "PGDATA"},
    "minio": {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_STORAGE_CLASS_STANDARD"},
}
#: a setting holding a secret (not an id, label or access-key name)
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|PASSPHRASE|_PIN|SECRET_KEY|PII_KEY|_KEYS)$")


def is_secret(name: str) -> bool:
    """Whether ``name`` holds a secret (SECRET_KEY, S3_SECRET_KEY, PKCS11_USER_PIN, …)."""
    return bool(SECRET_NAME.search(name))


def config_settings(path: Path = ROOT / "config.py") -> set[str]:
    """Every environment variable config.py reads: the first argument of each
    ``os.environ.get``/``os.getenv``/``_bool``/``_optional_bool`` call (read with ast)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called in {"get", "getenv", "_bool", "_optional_bool"}:
            names.add(node.args[0].value)
    return names


SETTINGS = config_settings()


def interpolate(text: str) -> str:
    """Compose's ``${VAR:-default}`` / ``${VAR:?error}`` / ``$$`` as a deploy would see them
    with defaults (a required variable stands for a dummy value)."""
    text = re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", text)
    text = re.sub(r"\$\{[A-Z0-9_]+:\?[^}]*\}", "x", text)
    return text.replace("$$", "$")


def command(service: dict) -> list[str]:
    cmd = service["command"]
    return [interpolate(a) for a in (cmd if isinstance(cmd, list) else shlex.split(cmd))]


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


# -- the file and its commands ----------------------------------------------------------------

def test_the_compose_file_has_every_role():
    assert {"nginx", "web", "signing", "jobs", "scheduler", "postgres", "init-db", "init-ca",
            "init-archive", "minio1", "minio2", "minio3", "minio4"} <= set(SERVICES)
    assert set(APP) == {"web", "signing", "jobs", "scheduler", "init-db", "init-ca",
                        "init-archive"}


@pytest.fixture(scope="module")
def flask_app(tmp_path_factory):
    """The app (test configuration) whose command tree and routes compose.yaml names."""
    from app import create_app
    from tests.conftest import config_for

    base = tmp_path_factory.mktemp("compose-cli")
    return create_app(config_for(base, f"sqlite:///{base / 'cli.db'}"))


@pytest.fixture(scope="module")
def cli(flask_app):
    """The real click command tree of ``flask --app wsgi``."""
    return flask_app.cli


def _resolve(cli: click.Group, args: list[str]) -> click.Command:
    """The command ``args`` names, its options parsed by click (a wrong one fails)."""
    group: click.Command = cli
    ctx = click.Context(cli, info_name="flask")
    while isinstance(group, click.Group):
        name, args = args[0], args[1:]
        found = group.get_command(ctx, name)
        assert found is not None, f"no command {name!r} under {group.name!r}"
        group = found
    group.make_context(group.name, list(args), parent=ctx)  # raises on unknown options
    return group


@pytest.mark.parametrize("name", sorted(APP))
def test_every_app_service_runs_our_cli_or_gunicorn_on_our_app(cli, name):
    args = command(APP[name])
    if args[0] == "flask":
        assert args[1:3] == ["--app", "wsgi"], args
        assert callable(_resolve(cli, args[3:]).callback)
        return
    assert args[0] == "gunicorn", args
    from gunicorn.config import Config

    parsed = Config().parser().parse_args(args[1:])  # gunicorn's own parser: exits if wrong
    assert parsed.config and (ROOT / parsed.config).is_file()
    assert parsed.args == ["wsgi:app"] and parsed.workers >= 1
    module, attr = parsed.args[0].split(":")
    from flask import Flask

    assert isinstance(getattr(importlib.import_module(module), attr), Flask)


def test_a_wrong_command_would_fail_the_check(cli):
    with pytest.raises(AssertionError, match="no command 'wrok'"):
        _resolve(cli, ["jobs", "wrok"])
    with pytest.raises(click.UsageError):
        _resolve(cli, ["jobs", "work", "--pol", "1"])


# -- settings ---------------------------------------------------------------------------------

def test_every_variable_compose_sets_is_read_by_the_app_or_documented():
    assert len(SETTINGS) > 60 and {"SECRET_KEY", "DATABASE_URL", "S3_OBJECT_LOCK"} <= SETTINGS
    unknown = {}
    for name, service in SERVICES.items():
        image = service.get("image", "")
        kind = ("app" if name in APP else "postgres" if "postgres" in image
                else "minio" if "minio/minio" in image else "other")
        allowed = SETTINGS | DOCUMENTED.get(kind, set()) | DOCUMENTED["minio"]
        if extra := set(environment(service)) - allowed:
            unknown[name] = sorted(extra)
    assert unknown == {}


def _template() -> tuple[dict[str, str], set[str]]:
    """env.template: the set names with their values, and the names shown commented out."""
    active, commented = {}, set()
    for line in (DEPLOY / "env.template").read_text("utf-8").splitlines():
        if match := re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line):
            active[match[1]] = match[2]
        elif match := re.match(r"^#([A-Z][A-Z0-9_]*)=", line):
            commented.add(match[1])
    return active, commented


def test_every_setting_config_reads_is_in_the_env_template():
    active, commented = _template()
    assert SETTINGS - set(active) - commented == set()
    # and nothing there is a setting nobody reads: config.py's, or compose's own variables
    compose_vars = set(re.findall(r"\$\{([A-Z0-9_]+)", (DEPLOY / "compose.yaml").read_text()))
    assert (set(active) | commented) - SETTINGS - compose_vars - DOCUMENTED["app"] == set()
    # each setting (or a group of them) has its comment above it
    lines = (DEPLOY / "env.template").read_text("utf-8").splitlines()
    for above, line in zip(lines, lines[1:], strict=False):
        if re.match(r"^#?[A-Z][A-Z0-9_]*=", line):
            assert re.match(r"^#|[A-Z][A-Z0-9_]*=", above), f"no comment above {line}"


def test_secrets_come_only_from_the_env_file():
    active, _ = _template()
    secrets = {n for n in active if is_secret(n)}
    assert {"SECRET_KEY", "PII_KEY", "CA_KEY_PASSPHRASE", "S3_SECRET_KEY", "POSTGRES_PASSWORD",
            "MINIO_ROOT_PASSWORD", "METRICS_TOKEN"} <= secrets
    assert {n: active[n] for n in secrets if active[n]} == {}  # left blank in the template
    for name, service in SERVICES.items():
        for key, value in environment(service).items():
            if is_secret(key) or "://" in value and "@" in value:
                assert value == "" or re.fullmatch(r".*\$\{[A-Z0-9_]+:\?[^}]+\}.*", value), \
                    (name, key)
    for service in APP.values():
        assert service["env_file"] == [".env"]


# -- the bucket -------------------------------------------------------------------------------

def test_the_bucket_init_step_is_the_app_s_ensure_bucket(tmp_path, s3_server, s3_bucket,
                                                          monkeypatch):
    """``flask archive init`` (the init-archive service) against an S3 server: the bucket
    comes out with versioning and object lock, made by S3ObjectStore.ensure_bucket."""
    from app import create_app
    from tests.conftest import config_for

    assert command(SERVICES["init-archive"]) == ["flask", "--app", "wsgi", "archive", "init"]
    env = environment(SERVICES["init-archive"])
    assert env["ARCHIVE_BACKEND"] == "s3" and env["S3_OBJECT_LOCK"] == "true"
    calls = []
    original = S3ObjectStore.ensure_bucket

    def spy(self):
        calls.append(self.bucket)
        return original(self)

    monkeypatch.setattr(S3ObjectStore, "ensure_bucket", spy)
    app = create_app(config_for(tmp_path, f"sqlite:///{tmp_path / 'a.db'}", ARCHIVE_BACKEND="s3",
                                S3_ENDPOINT=s3_server.url, S3_ACCESS_KEY=s3_server.access_key,
                                S3_SECRET_KEY=s3_server.secret_key, S3_BUCKET=s3_bucket,
                                S3_OBJECT_LOCK=True))
    result = app.test_cli_runner().invoke(args=["archive", "init"])
    assert result.exit_code == 0, result.output
    assert calls == [s3_bucket]
    store = S3ObjectStore(s3_server.endpoint, s3_server.access_key, s3_server.secret_key,
                          s3_bucket)
    described = store.describe_bucket()
    assert described.object_lock and described.versioning == "Enabled"


#: what each MinIO client call of archive/s3.py needs (S3 policy actions); ``make_bucket``
#: is not the app user's: the init step makes the bucket with the root credentials
CLIENT_ACTIONS = {
    "bucket_exists": {"s3:ListBucket"},  # HEAD bucket
    "get_bucket_versioning": {"s3:GetBucketVersioning"},
    "get_object_lock_config": {"s3:GetBucketObjectLockConfiguration"},
    "get_object": {"s3:GetObject", "s3:GetObjectVersion"},
    "presigned_get_object": {"s3:GetObject"},
    "stat_object": {"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectRetention"},
    "list_objects": {"s3:ListBucket", "s3:ListBucketVersions"},
    "put_object": {"s3:PutObject", "s3:PutObjectRetention"},  # retention given on upload
    "set_object_retention": {"s3:PutObjectRetention"},
    "remove_object": {"s3:DeleteObject", "s3:DeleteObjectVersion"},  # by version id
}
BUCKET_ACTIONS = {"s3:ListBucket", "s3:ListBucketVersions", "s3:GetBucketVersioning",
                  "s3:GetBucketObjectLockConfiguration", "s3:GetBucketLocation"}


def _run_minio_init(tmp_path: Path) -> tuple[list[str], dict]:
    """The init-minio-user step's shell, with a stand-in ``mc`` recording its calls: the
    calls, and the policy it created."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mc").write_text(
        '#!/bin/sh\necho "$*" >> "$CALLS"\n'
        'if [ "$1 $2 $3" = "admin policy create" ]; then cp "$6" "$POLICY"; fi\n')
    (bin_dir / "mc").chmod(0o755)
    service = SERVICES["init-minio-user"]
    env = {k: interpolate(v) for k, v in environment(service).items()}
    env.update(PATH=f"{bin_dir}:/usr/bin:/bin", CALLS=str(tmp_path / "calls"),
               POLICY=str(tmp_path / "policy.json"))
    assert service["entrypoint"] == ["/bin/sh", "-c"]
    subprocess.run(["sh", "-c", command(service)[0]], env=env, check=True, timeout=30)
    calls = (tmp_path / "calls").read_text().splitlines()
    return calls, json.loads((tmp_path / "policy.json").read_text())


def test_the_app_s_minio_user_may_use_only_its_bucket_as_the_app_does(tmp_path):
    """The init step makes the bucket with object lock (root credentials), then gives the
    app's user a policy on that bucket alone with exactly the actions archive/s3.py's calls
    need: no readwrite, no bucket creation or configuration, no other bucket."""
    calls, policy = _run_minio_init(tmp_path)
    bucket = environment(SERVICES["init-minio-user"])["S3_BUCKET"]
    assert bucket == "${S3_BUCKET:-laborsign-archive}"  # config.py's default
    assert "mb --with-lock --ignore-existing cluster/laborsign-archive" in calls
    assert "admin policy attach cluster laborsign-app --user x" in calls
    assert not [c for c in calls if "readwrite" in c and not c.startswith("admin policy detach")]
    assert calls.index("mb --with-lock --ignore-existing cluster/laborsign-archive") < \
        calls.index("admin policy attach cluster laborsign-app --user x")
    granted: dict[str, set[str]] = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        for resource in statement["Resource"]:
            granted.setdefault(resource, set()).update(statement["Action"])
    assert set(granted) == {"arn:aws:s3:::laborsign-archive", "arn:aws:s3:::laborsign-archive/*"}
    assert granted["arn:aws:s3:::laborsign-archive"] == BUCKET_ACTIONS
    # every client call of the store is accounted for: a new one must be added here and to
    # the policy (make_bucket is the init step's, with the root credentials)
    source = (ROOT / "archive" / "s3.py").read_text("utf-8")
    assert set(re.findall(r"self\._client\.(\w+)\(", source)) == set(CLIENT_ACTIONS) | {
        "make_bucket"}
    needed = set().union(*CLIENT_ACTIONS.values()) | {"s3:GetBucketLocation"}  # the region
    assert set().union(*granted.values()) == needed
    assert granted["arn:aws:s3:::laborsign-archive/*"] == needed - BUCKET_ACTIONS


# -- MinIO, health checks, nginx, the image ---------------------------------------------------

def test_minio_runs_distributed_on_four_nodes():
    nodes = {n: s for n, s in SERVICES.items() if "minio/minio" in s.get("image", "")}
    assert len(nodes) == 4
    volumes = set()
    for service in nodes.values():
        args = command(service)
        assert args[0] == "server"
        endpoints = [a for a in args if a.startswith("http://")]
        assert endpoints == ["http://minio{1...4}/data"]  # MinIO's ellipsis: 4 hosts
        start, end = map(int, re.search(r"\{(\d+)\.\.\.(\d+)\}", endpoints[0]).groups())
        hosts = {f"minio{i}" for i in range(start, end + 1)}
        assert hosts == {s["hostname"] for s in nodes.values()}
        (volume,) = service["volumes"]
        assert volume.endswith(":/data")
        volumes.add(volume.split(":")[0])
        assert environment(service)["MINIO_STORAGE_CLASS_STANDARD"] == "EC:2"
        assert "minio" in service["networks"]["default"]["aliases"]
    assert len(volumes) == 4 and volumes <= set(COMPOSE["volumes"])  # a drive per node
    assert environment(APP["web"])["S3_ENDPOINT"] == "http://minio:9000"


def test_every_long_running_service_has_a_health_check():
    long_running = {n for n, s in SERVICES.items() if s.get("restart") != "no"}
    assert {"nginx", "web", "signing", "jobs", "scheduler", "postgres"} <= long_running
    for name in long_running:
        test = SERVICES[name].get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), name
    joined = {n: " ".join(SERVICES[n]["healthcheck"]["test"]) for n in long_running}
    for pool in ("web", "signing"):
        # the process and its database, not /readyz: a job backlog (its queue-age check)
        # would mark every instance unhealthy at once; monitoring asks /readyz
        assert "/healthz" in joined[pool] and "psycopg.connect" in joined[pool]
        assert "/readyz" not in joined[pool]
    assert "pg_isready" in joined["postgres"]
    assert all("/minio/health/live" in joined[f"minio{i}"] for i in range(1, 5))
    # the long-running app services start only after the one-time init
    for name in ("web", "signing", "jobs", "scheduler"):
        assert SERVICES[name]["depends_on"]["init-archive"]["condition"] == \
            "service_completed_successfully"


def test_the_health_check_paths_are_routes_of_the_app(flask_app):
    rules = {r.rule for r in flask_app.url_map.iter_rules()}
    assert {"/healthz", "/readyz"} <= rules


def test_nginx_mounts_the_tested_site_file_and_reaches_both_pools():
    nginx = SERVICES["nginx"]
    mounts = {m.split(":")[0]: m.split(":")[1] for m in nginx["volumes"]}
    assert (DEPLOY / "nginx/laborsign.conf").resolve() == \
        (ROOT / "deploy" / "nginx" / "laborsign.conf")  # tests/deploy/test_nginx.py's CONF
    assert mounts["./nginx/laborsign.conf"] == "/etc/laborsign/laborsign.conf"
    assert mounts["./nginx-render.sh"].startswith("/docker-entrypoint.d/")
    script = (DEPLOY / "nginx-render.sh").read_text("utf-8")
    web = re.search(r"LABORSIGN_WEB_UPSTREAM:-([\w-]+):(\d+)", script).groups()
    sign = re.search(r"LABORSIGN_SIGN_UPSTREAM:-([\w-]+):(\d+)", script).groups()
    for (service, port) in (web, sign):
        args = command(SERVICES[service])
        assert args[args.index("--bind") + 1] == f"0.0.0.0:{port}"


def _certificate(certs: Path) -> None:
    """A self-signed certificate for localhost / 127.0.0.1 in ``certs``."""
    certs.mkdir(parents=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", certs / "privkey.pem",
                    "-out", certs / "fullchain.pem", "-subj", "/CN=localhost", "-days", "1",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)


def _render(tmp_path: Path, certs: Path, web: str = "127.0.0.1:18000",
            sign: str = "127.0.0.1:18001") -> str:
    """Run the nginx container's render step; the site file it writes, its logs in
    ``tmp_path`` instead of /var/log/nginx."""
    env = {"PATH": "/usr/bin:/bin", "LABORSIGN_SITE": str(DEPLOY / "nginx/laborsign.conf"),
           "LABORSIGN_SITE_OUT": str(tmp_path / "site.conf"), "LABORSIGN_CERT_DIR": str(certs),
           "LABORSIGN_WEB_UPSTREAM": web, "LABORSIGN_SIGN_UPSTREAM": sign}
    subprocess.run(["sh", str(DEPLOY / "nginx-render.sh")], env=env, check=True,
                   capture_output=True)
    return (tmp_path / "site.conf").read_text("utf-8").replace("/var/log/nginx/", f"{tmp_path}/")


def _nginx_conf(folder: Path, site: str) -> Path:
    """A main nginx.conf around ``site`` like the nginx image's: a default access log with
    full request lines (the "combined" format) for every server that names none."""
    (folder / "site.conf").write_text(site, "utf-8")
    temp = " ".join(f"{k}_temp_path {folder}/{k};" for k in
                    ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = folder / "nginx.conf"
    conf.write_text(("user root;\n" if os.geteuid() == 0 else "") +
                    f"pid {folder}/nginx.pid;\nerror_log {folder}/main.error.log;\n"
                    f"daemon off;\nevents {{}}\nhttp {{ {temp}\n"
                    f" access_log {folder}/default.access.log combined;\n"
                    f" include {folder}/site.conf; }}\n", "utf-8")
    return conf


@pytest.mark.parametrize("tls", [True, False])
def test_the_rendered_site_file_is_valid_nginx(tmp_path, tls):
    """The render step the nginx container runs, on the tested file: nginx -t accepts it,
    with TLS on 443 (and a redirect from 80) when a certificate is there, plain 80 without;
    a certificate folder or pool address with "/", "&" or "|" is written as it is."""
    nginx = need_tool("nginx")
    certs = tmp_path / "a&b|c" / "certs"
    if tls:
        _certificate(certs)
    site = _render(tmp_path, certs, web="web&x|y:18000", sign="[::1]:18001")
    assert "server web&x|y:18000;" in site and "server [::1]:18001;" in site
    assert ("listen 443 ssl;" in site and "return 301 https://" in site) == tls
    assert (f"ssl_certificate {certs}/fullchain.pem;" in site) == tls
    assert site.count("laborsign_sign;") == (DEPLOY / "nginx/laborsign.conf").read_text().count(
        "laborsign_sign;")  # the signing route is the tested one, untouched
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c",
                           str(_nginx_conf(tmp_path, site.replace("web&x|y", "127.0.0.1")))],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("value", ["web;8000", "web 8000", "$host:1", "web}", 'we"b'])
def test_the_render_step_refuses_a_value_that_would_break_the_site_file(tmp_path, value):
    done = subprocess.run(
        ["sh", str(DEPLOY / "nginx-render.sh")], capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin", "LABORSIGN_SITE": str(DEPLOY / "nginx/laborsign.conf"),
             "LABORSIGN_SITE_OUT": str(tmp_path / "site.conf"),
             "LABORSIGN_CERT_DIR": str(tmp_path), "LABORSIGN_WEB_UPSTREAM": value})
    assert done.returncode == 1 and "refusing" in done.stderr
    assert not (tmp_path / "site.conf").exists()


def test_with_tls_the_port_80_server_redirects_answers_healthz_and_logs_no_token(tmp_path):
    """nginx running the rendered TLS site on loopback: plain http redirects to https and
    answers /healthz from the web pool (the container's health check); no request line with
    a one-time token or code, nor a Referer, reaches any log (the image's default one
    included); the https site serves and logs redacted."""
    from tests.deploy.test_nginx import TOKEN, _pool

    nginx = need_tool("nginx")
    _certificate(tmp_path / "certs")
    web, sign = _pool("web"), _pool("sign")
    plain, tls = free_port(), free_port()
    site = _render(tmp_path, tmp_path / "certs", web=f"127.0.0.1:{web.server_address[1]}",
                   sign=f"127.0.0.1:{sign.server_address[1]}")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{plain};").replace(
        "listen 443 ssl;", f"listen 127.0.0.1:{tls} ssl;")
    conf = _nginx_conf(tmp_path, site)
    errors = (tmp_path / "stderr.txt").open("w")
    proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf)], stderr=errors)
    try:
        base = f"http://127.0.0.1:{plain}"
        for _ in range(100):
            try:
                health = requests.get(base + "/healthz", timeout=1, allow_redirects=False)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, (tmp_path / "stderr.txt").read_text()
                time.sleep(0.05)
        assert health.status_code == 200 and health.json()["pool"] == "web"
        secret_ref = f"https://ht.example.gov.cn/s/{TOKEN}?code=914725"
        moved = requests.get(base + f"/s/{TOKEN}?code=914725", timeout=5,
                             allow_redirects=False, headers={"Referer": secret_ref})
        assert moved.status_code == 301
        assert moved.headers["Location"] == f"https://127.0.0.1/s/{TOKEN}?code=914725"
        served = requests.get(f"https://127.0.0.1:{tls}/s/{TOKEN}?code=914725", timeout=5,
                              verify=str(tmp_path / "certs" / "fullchain.pem"),
                              headers={"Referer": secret_ref})
        assert served.status_code == 200 and served.json()["proto"] == "https"
    finally:
        proc.terminate()
        proc.wait(10)
        errors.close()
        for server in (web, sign):
            server.shutdown()
            server.server_close()
    logs = {p.name: p.read_text("utf-8") for p in tmp_path.glob("*.log")}
    assert logs["laborsign.access.log"].count('"GET /s/<redacted>"') == 2  # http and https
    for name, text in logs.items():
        assert TOKEN not in text and "914725" not in text, (name, text)


def test_the_app_image_installs_from_the_lock_as_a_non_root_user():
    dockerfile = (DEPLOY / "app.Dockerfile").read_text("utf-8")
    assert re.search(r"^FROM python:3\.11[\w.]*-slim", dockerfile, re.M)
    assert "uv sync --locked" in dockerfile and "--extra" not in dockerfile
    assert "fonts-wqy-microhei" in dockerfile
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user and user[-1] not in ("root", "0")
    for needed in ("gunicorn.conf.py", "wsgi.py", "config.py", "app", "signing", "archive",
                   "templates", "migrations", "uv.lock"):
        assert re.search(rf"^COPY .*\b{re.escape(needed)}\b", dockerfile, re.M), needed
    assert APP["web"]["build"]["dockerfile"] == "deploy/app.Dockerfile"
    for name, service in SERVICES.items():  # every image pinned by a tag
        image = interpolate(service.get("image", ""))
        assert ":" in image and not image.endswith((":latest", ":edge")), name
