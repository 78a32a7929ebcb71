"""The worker's own space (电子劳动合同订立指引: view, download and print at any time, free):
sign in with name, ID number and a code texted to a phone one of their signed contracts
carries; see every contract they signed with any employer, with its amendments, renewals
and termination certificate, whatever became of the job or the employer; download each
signed PDF; see their pay per project and month and their signing history. Every view and
download is recorded in the document's audit trail as ``person:<id>``.

Its use cases (each one transaction) are listed in ``__all__`` below; reads (the session's
principal, pay, history) are in its modules.
"""

from __future__ import annotations

from app.services.worker_space.documents import download, list_contracts, view_contract
from app.services.worker_space.sign_in import request_code, sign_out, verify_code

__all__ = [
    "request_code",
    "verify_code",
    "sign_out",
    "list_contracts",
    "view_contract",
    "download",
]
