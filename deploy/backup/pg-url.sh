# Sourced by backup.sh and restore.sh (bash): the libpq connection of $DATABASE_URL without
# its password, which must never reach a command line (ps, /proc/<pid>/cmdline show it to
# every user of the host).
#
# Sets pg_url: DATABASE_URL as postgresql:// (SQLAlchemy's driver suffix dropped), its
# password removed; and exports PGPASSWORD (percent-decoded) when the URL held one. Without
# a password in the URL, PGPASSWORD or ~/.pgpass (PGPASSFILE) are used as libpq does.

# shellcheck shell=bash
pg_url=$(sed -E 's#^postgres(ql)?(\+[A-Za-z0-9_]+)?://#postgresql://#' <<<"$DATABASE_URL")
_rest=${pg_url#postgresql://}
_authority=${_rest%%[/?]*}       # [user[:password]@]host[:port]
if [[ $_authority == *@* ]]; then
  _userinfo=${_authority%@*}
  if [[ $_userinfo == *:* ]]; then
    _password=${_userinfo#*:}
    _password=${_password//\\/\\\\}  # a literal backslash stays one for printf %b
    PGPASSWORD=$(printf '%b' "${_password//%/\\x}")
    export PGPASSWORD
    pg_url="postgresql://${_userinfo%%:*}@${_authority##*@}${_rest:${#_authority}}"
  fi
fi
unset _rest _authority _userinfo _password
