"""The Kubernetes minors of the lifecycle table, under the names the version rules of
`aksnet/rules/design.py` import. The table itself, with its sources and check dates, is
`aksnet/config/lifecycle.py`: change it there. (This view goes once design.py imports the table
directly; it is kept so that design.py, being split on another branch, need not change here.)
"""

from __future__ import annotations

from aksnet.config.lifecycle import CALENDAR, MINORS, WARN_DAYS, Minor, creatable

CHECKED = CALENDAR.on.isoformat()
"""The day the release calendar was last read."""

__all__ = ["CHECKED", "MINORS", "WARN_DAYS", "Minor", "creatable"]
