"""A fix for pyHanko's past (B-LTA) validation under a two-level CA (root -> issuing CA).

When a time-stamp in the chain of document time-stamps has an expired TSA certificate,
pyHanko (0.38, ``ades._find_revinfo_data_for_leaf_in_past``) looks for the leaf's CRL along
a path cut short at the leaf's issuer: ``ValidationPath(anchor=<issuing CA>, leaf=<TSA>)``.
The issuing CA's own CRL is then looked up with ``truncate_to_issuer_and_append(<issuing
CA>)``, which searches the path for the *issuing CA's issuer* (the root, absent from the cut
path) and raises ``LookupError``: no CRL is ever found, and every document time-stamp older
than the newest one fails (REVOCATION_OUT_OF_BOUNDS_NO_POE) once its TSA certificate has
expired, although the DSS holds the CRLs. A root-issued leaf is not affected (the root
issues itself), which is why pyHanko's own tests pass.

:func:`install` teaches ``truncate_to_issuer_and_append`` the missing case: asked for the
path's own anchor certificate, it answers the anchor alone (as pyHanko already does for a
self-signed anchor). Nothing else changes: in every other path the anchor is the self-signed
root, handled before this case is reached.

The patch is installed only for the pyhanko-certvalidator versions it was written against
(:data:`PATCHED_VERSIONS`, where the original method has exactly that gap); with any other
version pyHanko is left alone and a warning is logged, so that an upgrade is checked again
(tests/signing/test_renewal_fixes.py shows whether the gap is still there).
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

from pyhanko_certvalidator.authority import CertTrustAnchor
from pyhanko_certvalidator.path import ValidationPath

log = logging.getLogger(__name__)
#: pyhanko-certvalidator versions (major.minor) whose method has the gap fixed here
PATCHED_VERSIONS = ("0.33",)
_original = ValidationPath.truncate_to_issuer_and_append


def truncate_to_issuer_and_append(self: ValidationPath, cert):  # type: ignore[no-untyped-def]
    """pyHanko's method, plus: ``cert`` is the anchor's own certificate -> the anchor alone."""
    anchor = self.trust_anchor
    if (isinstance(anchor, CertTrustAnchor) and not anchor.authority.is_potential_issuer_of(cert)
            and anchor.certificate.dump() == cert.dump()):
        return ValidationPath(anchor, interm=[], leaf=None)
    return _original(self, cert)


def applies(installed: str | None = None) -> bool:
    """Whether the fix is for ``installed`` (default: the installed pyhanko-certvalidator).

    :param installed: a version string such as ``"0.33.0"``.
    """
    if installed is None:
        try:
            installed = version("pyhanko-certvalidator")
        except PackageNotFoundError:
            return False
    return ".".join(installed.split(".")[:2]) in PATCHED_VERSIONS


def install() -> bool:
    """Swap the fixed method in when :func:`applies` (idempotent); whether it is in."""
    if not applies():
        log.warning("pyhanko-certvalidator %s is not one of %s: its ValidationPath is left "
                    "unpatched; check past (B-LTA) validation under the two-level CA",
                    _installed(), ", ".join(PATCHED_VERSIONS))
        return False
    ValidationPath.truncate_to_issuer_and_append = truncate_to_issuer_and_append  # type: ignore[method-assign]
    return True


def _installed() -> str:
    try:
        return version("pyhanko-certvalidator")
    except PackageNotFoundError:
        return "(not installed)"
