#!/bin/sh
# Renders the tested site file (deploy/nginx/laborsign.conf, mounted read-only) into nginx's
# conf.d for deploy/compose.yaml; run by the nginx image's entrypoint (/docker-entrypoint.d)
# before nginx starts. The only changes to the tested file:
#   * the two pools' addresses become the compose services (web:8000, signing:8001);
#   * with a certificate in $CERT_DIR (fullchain.pem + privkey.pem) the server listens on 443
#     with TLS, and a second server on port 80 redirects to https. That one logs with the
#     site's redacted format (the image's default log would keep one-time tokens and codes)
#     and answers /healthz (the container's health check) from the web pool.
# POSIX sh and awk only (the alpine image's busybox); the values are handed to awk through
# the environment, never through a sed or awk program, so "/", "&", "|" in them stay as
# they are. Values that would break nginx's syntax are refused.
set -eu
SRC="${LABORSIGN_SITE:-/etc/laborsign/laborsign.conf}"
DEST="${LABORSIGN_SITE_OUT:-/etc/nginx/conf.d/default.conf}"
CERT_DIR="${LABORSIGN_CERT_DIR:-/etc/nginx/certs}"
WEB="${LABORSIGN_WEB_UPSTREAM:-web:8000}"
SIGN="${LABORSIGN_SIGN_UPSTREAM:-signing:8001}"

for value in "$WEB" "$SIGN" "$CERT_DIR"; do
  case $value in
    '' | *[[:space:]\;{}\"\'\$\\#]*)
      echo "nginx-render: refusing '$value' (empty, or a space or one of ;{}\"'\$\\#)" >&2
      exit 1 ;;
  esac
done

if [ -f "$CERT_DIR/fullchain.pem" ] && [ -f "$CERT_DIR/privkey.pem" ]; then
  TLS=1
else
  echo "nginx-render: no certificate in $CERT_DIR: serving plain http (no TLS)" >&2
  TLS=0
fi

R_WEB=$WEB R_SIGN=$SIGN R_CERT_DIR=$CERT_DIR R_TLS=$TLS awk '
$0 == "    server 127.0.0.1:8000;" { print "    server " ENVIRON["R_WEB"] ";"; web++; next }
$0 == "    server 127.0.0.1:8001;" { print "    server " ENVIRON["R_SIGN"] ";"; sign++; next }
$0 == "    listen 80;" {
  listen++
  if (ENVIRON["R_TLS"] != "1") { print; next }
  print "    listen 443 ssl;"
  print "    ssl_certificate " ENVIRON["R_CERT_DIR"] "/fullchain.pem;"
  print "    ssl_certificate_key " ENVIRON["R_CERT_DIR"] "/privkey.pem;"
  print "    ssl_protocols TLSv1.2 TLSv1.3;"
  print "    ssl_session_cache shared:laborsign_tls:10m;"
  next
}
{ print }
END {
  if (web != 1 || sign != 1 || listen != 1) {
    print "nginx-render: unexpected site file (pools or listen line not found once)" > "/dev/stderr"
    exit 1
  }
  if (ENVIRON["R_TLS"] != "1") exit 0
  print ""
  print "# Plain http: only the redirect to https, and /healthz for the health check."
  print "server {"
  print "    listen 80;"
  print "    server_name _;"
  print "    # the site'"'"'s redacted log, not the image'"'"'s default one (full request lines with"
  print "    # one-time tokens and codes, Referers); the error log as quiet as the site'"'"'s"
  print "    access_log /var/log/nginx/laborsign.access.log laborsign;"
  print "    error_log /var/log/nginx/laborsign.error.log crit;"
  print ""
  print "    location = /healthz {"
  print "        access_log off;"
  print "        proxy_pass http://laborsign_web;"
  print "        proxy_http_version 1.1;"
  print "        proxy_set_header Connection \"\";"
  print "        proxy_set_header Host $host;"
  print "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"
  print "        proxy_set_header X-Request-ID $request_id;"
  print "    }"
  print "    location / { return 301 https://$host$request_uri; }"
  print "}"
}' "$SRC" > "$DEST.tmp" || { rm -f "$DEST.tmp"; echo "nginx-render: unexpected $SRC" >&2; exit 1; }
mv "$DEST.tmp" "$DEST"
echo "nginx-render: $SRC -> $DEST (web $WEB, signing $SIGN)"
