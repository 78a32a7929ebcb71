"""Real-time feeds: attendance pushed by site devices or the housing department's platform,
pay-out results pushed by the banks, their scoped keys, and re-reconciliation of the
worker-months they touch.
"""

__all__: list[str] = []
