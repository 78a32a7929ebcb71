#!/bin/sh
# Renders the tested site file (deploy/nginx/laborsign.conf, mounted read-only) into nginx's
# conf.d for deploy/compose.yaml; run by the nginx image's entrypoint (/docker-entrypoint.d)
# before nginx starts. The only changes to the tested file:
#   * the two pools' addresses become the compose services (web:8000, signing:8001);
#   * with a certificate in $CERT_DIR (fullchain.pem + privkey.pem) the server listens on 443
#     with TLS, and a second server on port 80 redirects to https.
set -eu
SRC="${LABORSIGN_SITE:-/etc/laborsign/laborsign.conf}"
DEST="${LABORSIGN_SITE_OUT:-/etc/nginx/conf.d/default.conf}"
CERT_DIR="${LABORSIGN_CERT_DIR:-/etc/nginx/certs}"
WEB="${LABORSIGN_WEB_UPSTREAM:-web:8000}"
SIGN="${LABORSIGN_SIGN_UPSTREAM:-signing:8001}"

grep -q 'server 127.0.0.1:8000;' "$SRC" && grep -q 'server 127.0.0.1:8001;' "$SRC" \
  && grep -q 'listen 80;' "$SRC" || { echo "nginx-render: unexpected $SRC" >&2; exit 1; }

if [ -f "$CERT_DIR/fullchain.pem" ] && [ -f "$CERT_DIR/privkey.pem" ]; then
  LISTEN="listen 443 ssl;\n    ssl_certificate $CERT_DIR/fullchain.pem;\n    ssl_certificate_key $CERT_DIR/privkey.pem;\n    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_session_cache shared:laborsign_tls:10m;"
  REDIRECT='server {\n    listen 80;\n    server_name _;\n    location / { return 301 https://$host$request_uri; }\n}\n'
else
  echo "nginx-render: no certificate in $CERT_DIR: serving plain http (no TLS)" >&2
  LISTEN="listen 80;"
  REDIRECT=""
fi

{
  sed -e "s/server 127\.0\.0\.1:8000;/server $WEB;/" \
      -e "s/server 127\.0\.0\.1:8001;/server $SIGN;/" \
      -e "s|^    listen 80;|    $LISTEN|" "$SRC"
  printf '%b' "$REDIRECT"
} > "$DEST.tmp"
mv "$DEST.tmp" "$DEST"
echo "nginx-render: $SRC -> $DEST (web $WEB, signing $SIGN)"
