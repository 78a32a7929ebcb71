"""Filings out to the 人社 systems: the incremental export (JSON Lines, CSV, more formats by
name), the bureau systems' region-scoped keys, filing deadlines per region and the late list.
"""

from app.services.exports.bureau_keys import create_key as create_bureau_key
from app.services.exports.bureau_keys import revoke_key as revoke_bureau_key
from app.services.exports.export import export_filings, new_export_generation
from app.services.exports.late import late_page

__all__ = ["create_bureau_key", "export_filings", "late_page", "new_export_generation",
           "revoke_bureau_key"]
