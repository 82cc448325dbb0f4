"""The one place that imports every table module, so metadata is complete for migrations.

A later issue that adds tables imports its models module here.
"""

from __future__ import annotations

from sqlmodel import SQLModel

import api.accounts
import api.audit
import api.idempotency  # idempotency records
import api.jobs.models
import api.notifications  # noqa: F401  (when a user last read their notifications)
import capacity.models  # noqa: F401  (registers the capacity tables)
import placements.lifecycle_models
import placements.models  # noqa: F401  (referrals, decisions, deviations)

metadata = SQLModel.metadata
