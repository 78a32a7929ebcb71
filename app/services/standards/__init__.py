"""Labor standards by region and date: the minimum-wage table the rule engine checks against
and the county's wage-arrears warning thresholds, both history tables read by a region
code's most specific prefix in force.

Its use cases (each one transaction; job handlers and event subscribers run in the
transaction of the job or event) are listed in ``__all__`` below; reads and helpers are
in its modules.
"""

from __future__ import annotations

from app.services.standards.minimum_wages import add_minimum_wage
from app.services.standards.wage_thresholds import add_wage_threshold

__all__ = [
    "add_minimum_wage",
    "add_wage_threshold",
]
