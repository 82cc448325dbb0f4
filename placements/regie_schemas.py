"""What a client sends and gets back for perspectiefregie: the assignment of a regisseur, a
task done, and a regisseur's children with their tasks (pseudonymous, like every page)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import SQLModel

from domain.fields import PlausibleDate


class RegisseurAssign(BaseModel):
    """The perspectiefregisseur (a user with that role) for a child and its siblings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    regisseur_user_id: str = Field(min_length=1, max_length=64)


class TaskDone(BaseModel):
    """A task done on a day; after an evaluation, optionally when the next one is due."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    done_on: PlausibleDate
    next_evaluation: PlausibleDate | None = None


class TaskBase(SQLModel):
    """What a task's row and its readers share: whose, which, due and done."""

    id: str
    referral_id: str
    kind: str
    due: date
    done_on: date | None


# Built from the row with `model_validate(task, update={...})`, the template's pattern.
class TaskPublic(TaskBase):
    """A task as its readers see it: due, done, status and working days to or past the due
    date (negative: late)."""

    status: str
    working_days: int


# Built from the referral's row with `model_validate(referral, update={...})`.
class RegieChild(SQLModel):
    """A child a regisseur follows: by pseudonym, with where it stands and its tasks."""

    referral_id: str
    child_ref: str
    status: str
    urgency: str
    perspective: str
    placed_form: str | None
    sibling_group: str | None
    regisseur_user_id: str | None
    tasks: list[TaskPublic]


class Assigned(BaseModel):
    """The referrals (the child and its siblings in care) that got the regisseur."""

    referral_ids: list[str]
