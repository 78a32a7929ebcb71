"""A pyHanko ``Signer`` that signs through a :class:`~signing.keys.KeyProvider`.

Two things make it cheaper than pyHanko's stock ``SimpleSigner``: the key object is kept
(no PKCS#8 parsing per signature) and the PAdES signed attributes are assembled from
pre-serialized parts (asn1crypto deep-copies and re-serializes nested constructed values).
"""

from __future__ import annotations

from collections.abc import Sequence

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign.general import (
    as_signing_certificate_v2,
    find_cms_attribute_iter,
    simple_cms_attribute,
)
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, Signer
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .keys import KeyProvider

__all__ = ["KeyProviderSigner", "timestamp_certs"]


class KeyProviderSigner(Signer):
    """A pyHanko signer that signs through a :class:`~signing.keys.KeyProvider`.

    The provider keeps its key object (or token session), so nothing is parsed per signature.

    :param key: the key provider.
    :param cert: the signer certificate.
    :param chain: intermediate (and root) certificates to embed.
    """

    def __init__(self, key: KeyProvider, cert: asn1_x509.Certificate,
                 chain: Sequence[asn1_x509.Certificate] = ()) -> None:
        super().__init__(signing_cert=cert,
                         cert_registry=SimpleCertificateStore.from_certs(list(chain)))
        self._key = key
        self._ess_der: bytes | None = None

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        """Sign ``data`` (pyHanko API).

        :param data: the signed attributes to sign.
        :param digest_algorithm: hash name.
        :param dry_run: ignored; sizes are reserved up front.
        """
        return self._key.sign(data, digest_algorithm)

    async def signed_attrs(self, data_digest: bytes, digest_algorithm: str,
                           attr_settings: PdfCMSSignedAttributes | None = None,
                           content_type: str = "data", use_pades: bool = False,
                           timestamper: TimeStamper | None = None, dry_run: bool = False,
                           is_pdf_sig: bool = True) -> cms.CMSAttributes:
        """PAdES signed attributes, assembled from pre-serialized parts (pyHanko API).

        Same attributes as pyHanko's PAdES default (contentType, messageDigest,
        signingCertificateV2); asn1crypto would otherwise deep-copy and re-serialize the
        nested certificate identifiers (~5 ms per signature). Other settings fall back to
        pyHanko.
        """
        plain = attr_settings is None or (attr_settings.cades_signed_attrs is None
                                          and attr_settings.adobe_revinfo_attr is None)
        if not (use_pades and plain and is_pdf_sig and content_type == "data"):
            return await super().signed_attrs(
                data_digest, digest_algorithm, attr_settings=attr_settings,
                content_type=content_type, use_pades=use_pades, timestamper=timestamper,
                dry_run=dry_run, is_pdf_sig=is_pdf_sig)
        if self._ess_der is None:
            ess = tsp.SigningCertificateV2.load(
                as_signing_certificate_v2(self.signing_cert, digest_algorithm).dump())
            self._ess_der = simple_cms_attribute("signing_certificate_v2", ess).dump()
        return cms.CMSAttributes([
            simple_cms_attribute("content_type", "data"),
            simple_cms_attribute("message_digest", data_digest),
            cms.CMSAttribute.load(self._ess_der),
        ])


def timestamp_certs(signer_info: cms.SignerInfo) -> list[asn1_x509.Certificate]:
    """Certificates inside the signature time-stamp token(s) of a SignerInfo.

    :param signer_info: the SignerInfo of a CMS signature.
    """
    certs = []
    for token in find_cms_attribute_iter(signer_info["unsigned_attrs"],
                                         "signature_time_stamp_token"):
        certs += [choice.chosen for choice in token["content"]["certificates"] or ()]
    return certs
