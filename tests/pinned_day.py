"""The day the whole suite judges support windows on, so that `make test` never turns red on the
calendar alone: `tests/conftest.py` sets `AKSNET_TODAY` to it for every test and every process a
test starts. Move it forward when the lifecycle table is refreshed (docs/lifecycle.md); whether
the table itself is still fresh is `make check-dates`'s question, asked weekly by its workflow."""

import datetime

PINNED_DAY = datetime.date(2026, 12, 7)
