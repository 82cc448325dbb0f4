"""The simulation_job table and the shapes of its requests and answers.

A job holds the request (shipped scenario names, replications), its progress, and when it
is done a summary of the key metrics; the output files lie in Settings.simulation_dir/<id>/.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from api.jobs import catalogue
from api.jobs.catalogue import MAX_REPLICATIONS, ScenarioInfo
from capacity.models import UTCDateTime, new_id
from domain.errors import InvalidInput
from domain.fields import WholeNumber
from domain.vocabulary import JobStatus

__all__ = ["MAX_REPLICATIONS", "ScenarioInfo"]
# The files write_outputs may leave; a download names one of these, nothing else.
OUTPUT_FILES: dict[str, str] = {
    "rapport.html": "text/html; charset=utf-8",
    "resultaat.json": "application/json",
    "totalen.csv": "text/csv; charset=utf-8",
    "verschillen.csv": "text/csv; charset=utf-8",
    "reeksen.csv": "text/csv; charset=utf-8",
    "kerncijfers.png": "image/png",
    "verloop.png": "image/png",
}


class SimulationJob(SQLModel, table=True):
    """One requested simulation run, its progress and its summary."""

    __tablename__ = "simulation_job"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    created_by: str = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: str = Field(default=JobStatus.WACHTEND.value, max_length=16, index=True)
    scenario: str = Field(max_length=64)
    compare_with: str | None = Field(default=None, max_length=64)
    replications: int
    progress_done: int = 0
    progress_total: int = 0
    attempts: int = Field(default=0, description="how often a runner took the job")
    claimed_by: str | None = Field(default=None, max_length=128)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    summary_json: str | None = Field(default=None, sa_type=Text)
    error: str | None = Field(default=None, max_length=500)


class SimulationRequest(BaseModel):
    """What a planner asks: a shipped scenario, optionally a second one to compare with."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"scenario": "flevoland", "compare_with": "flevoland-greedy", "replications": 10}
            ]
        },
    )

    scenario: str = PydanticField(
        min_length=1, max_length=64, description="naam uit GET /api/v1/simulations/scenarios"
    )
    compare_with: str | None = PydanticField(
        default=None,
        min_length=1,
        max_length=64,
        description="tweede scenario, zelfde toevalsgetallen; looptijd en seed van het eerste",
    )
    replications: WholeNumber | None = PydanticField(
        default=None,
        ge=1,
        le=MAX_REPLICATIONS,
        description="aantal replicaties (standaard: wat het scenario zelf aangeeft)",
    )

    @field_validator("scenario")
    @classmethod
    def _known_scenario(cls, value: str) -> str:
        return catalogue.find(value, field="scenario").name

    @field_validator("compare_with")
    @classmethod
    def _known_comparison(cls, value: str | None) -> str | None:
        return None if value is None else catalogue.find(value, field="compare_with").name

    @model_validator(mode="after")
    def _two_different_scenarios(self) -> SimulationRequest:
        if self.compare_with == self.scenario:
            raise InvalidInput("kies een ander scenario dan bij 'scenario'", field="compare_with")
        return self


class MetricEstimate(BaseModel):
    """A mean with its 95% interval (null where undefined, e.g. one replication)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int


class MetricRow(BaseModel):
    """One key metric: per scenario, and the paired difference (second minus first)."""

    key: str
    label: str
    values: list[MetricEstimate | None]
    difference: MetricEstimate | None = None


class SimulationSummary(BaseModel):
    """The key metrics of a finished job, as in `servicepunt simulate`'s summary."""

    scenarios: list[str]
    replications: int
    seed: int
    horizon_days: float
    warmup_days: float
    metrics: list[MetricRow]
    files: list[str]
    methods: list[str] = PydanticField(
        default_factory=list, description="hoe de 95%-intervallen berekend zijn (Nederlands)"
    )


# Built from the row with `model_validate(job, update={...})` (see `of`).
class SimulationJobPublic(SQLModel):
    """A job as the planner sees it."""

    id: str
    status: JobStatus
    scenario: str
    compare_with: str | None
    replications: int
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    progress_done: int
    progress_total: int
    progress: float = Field(ge=0, le=1, description="fractie gereed, 0 tot 1")
    summary: SimulationSummary | None
    error: str | None = Field(description="Nederlandse foutmelding als het mislukte")
    files: list[str] = Field(description="te downloaden via .../files/{name}")

    @classmethod
    def of(cls, job: SimulationJob) -> SimulationJobPublic:
        """Build from the table row."""
        summary = (
            SimulationSummary.model_validate(json.loads(job.summary_json))
            if job.summary_json
            else None
        )
        done, total = job.progress_done, job.progress_total
        if job.status == JobStatus.KLAAR.value:
            fraction = 1.0
        else:
            fraction = min(1.0, done / total) if total > 0 else 0.0
        files = summary.files if summary else []
        return cls.model_validate(
            job, update={"progress": fraction, "summary": summary, "files": files}
        )
