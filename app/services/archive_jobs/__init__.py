"""The archive over the years: the evidence packages of a search result as one ZIP, and the
batch re-verification of an employer's or a period's filings, each as a job with progress.
"""

__all__: list[str] = []
