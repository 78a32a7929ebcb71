"""Webhook addresses: one reading of the URL for the check and for the connection, and the
address that was checked is the address connected to.

* :func:`parse` reads the URL with urllib3's parser (the one the connection uses) and refuses
  anything another reader could take differently: characters outside RFC 3986 (spaces,
  backslashes, control characters, non-ASCII), a ``#`` fragment, user info (``user:pass@``),
  a URL that urllib3 would rewrite (``/a/../b``, percent-encoding) — it must round-trip,
  up to the case of scheme and host —, a reading that differs from :func:`urllib.parse.urlsplit`,
  and IPv4 hosts in any notation but four decimal parts (``2130706433``, ``0x7f.1``,
  ``127.1``, ``0177.0.0.1``).
* :func:`resolve` looks the host name up once and checks every address it answers
  (private, loopback, link-local, multicast, reserved, unspecified, shared, IPv4-mapped,
  6to4, Teredo and NAT64 forms are not public); the delivery connects to the address it
  returns (:mod:`app.services.platform.webhook_delivery`), with the name in the Host header,
  the TLS SNI and the certificate check, so a name that answers differently the second time
  (DNS rebinding) is never asked a second time.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from app.domain.typed import Msg

MAX_LENGTH = 500
BAD_URL = "地址应为 http:// 或 https:// 开头的完整网址（最多 500 字符）"
HTTPS_ONLY = "生产环境的地址必须使用 https://"
PRIVATE_URL = "该地址指向内网或本机，不能作为 Webhook 地址"
UNRESOLVED = "无法解析该地址的域名"
CREDENTIALS = "地址不能包含用户名或密码（user:pass@）；接收方请用签名密钥验证请求"
NOT_CANONICAL = "地址须为规范写法：不能含空格、反斜杠、# 片段、中文或“..”路径（中文域名请写成 xn-- 形式）"
BAD_IP = "IP 地址须写成四段十进制，如 203.0.113.5"
BAD_HOST = "主机名有误：只能由字母、数字、连字符和点组成"

_RFC3986 = re.compile(r"[A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]+")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_NUMERIC_LABEL = re.compile(r"(0x[0-9a-f]*|[0-9]+)")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """A checked webhook URL: where to connect and what to say there."""

    scheme: str
    host: str  # lower case, IPv6 without brackets: the name for TLS (SNI, certificate)
    port: int
    host_header: str  # host[:port] as given (IPv6 in brackets)
    request_uri: str  # path and query
    literal: IPAddress | None  # the host is an IP address


def parse(url: object, *, production: bool = False) -> tuple[Target | None, Msg | None]:
    """The URL read once, or what is wrong with it (no DNS here)."""
    text = url.strip() if isinstance(url, str) else ""
    if not text or len(text) > MAX_LENGTH or "://" not in text:
        return None, Msg(BAD_URL)
    if not _RFC3986.fullmatch(text):
        return None, Msg(NOT_CANONICAL)
    try:
        ours, theirs = parse_url(text), urlsplit(text)
        their_port = theirs.port
    except (LocationParseError, ValueError):
        return None, Msg(BAD_URL)
    if ours.scheme not in ("http", "https") or not ours.host:
        return None, Msg(BAD_URL)
    if ours.auth is not None or "@" in theirs.netloc:
        return None, Msg(CREDENTIALS)
    scheme, _, rest = text.partition("://")
    netloc, tail = re.fullmatch(r"([^/?]*)(.*)", rest).groups()
    as_given = f"{scheme.lower()}://{netloc.lower()}{tail}"
    host = ours.host.strip("[]")
    if ours.url != as_given or (theirs.hostname, their_port, theirs.path or "/", theirs.query) \
            != (host, ours.port, ours.path or "/", ours.query or "") or ours.port == 0:
        return None, Msg(NOT_CANONICAL)
    literal, problem = _host(ours.host)
    if problem:
        return None, problem
    if production and ours.scheme != "https":
        return None, Msg(HTTPS_ONLY)
    port = ours.port or (443 if ours.scheme == "https" else 80)
    return Target(scheme=ours.scheme, host=host, port=port, host_header=netloc.lower(),
                  request_uri=ours.request_uri, literal=literal), None


def _host(host: str) -> tuple[IPAddress | None, Msg | None]:
    """An IP literal in its one accepted notation, or a host name of letters, digits and
    hyphens (the last label not a number: that is an IPv4 address in another notation)."""
    if "%" in host:  # an IPv6 zone, or an encoded name
        return None, Msg(BAD_HOST)
    if host.startswith("["):
        try:
            return ipaddress.IPv6Address(host[1:-1]), None
        except ValueError:
            return None, Msg(BAD_IP)
    labels = host.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            return None, Msg(BAD_IP)
        return (address, None) if str(address) == host else (None, Msg(BAD_IP))
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None, Msg(BAD_HOST)
    return None, None


def public(address: IPAddress) -> bool:
    """Whether ``address`` is a public unicast address of the internet (tunnelled and
    translated IPv6 forms of IPv4 addresses are refused outright)."""
    if isinstance(address, ipaddress.IPv6Address) and (
            address.ipv4_mapped or address.sixtofour or address.teredo
            or any(address in net for net in _NAT64)):
        return False
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified)


def resolve(target: Target, *, allow_private: bool) -> tuple[str | None, Msg | None]:
    """The one address to connect to (the first the name answers), or why there is none:
    the name does not resolve, or any of its addresses is not public (unless
    ``allow_private``). The name is looked up exactly once."""
    if target.literal is not None:
        addresses = [target.literal]
    else:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
            addresses = list(dict.fromkeys(ipaddress.ip_address(i[4][0]) for i in infos))
        except (OSError, UnicodeError, ValueError):
            return None, Msg(UNRESOLVED)
    if not addresses:
        return None, Msg(UNRESOLVED)
    if not allow_private and not all(public(a) for a in addresses):
        return None, Msg(PRIVATE_URL)
    return str(addresses[0]), None
