"""All settings of the service, from the environment (one class, DESIGN.md)."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from capacity.holds import DEFAULT_HOLD_TTL, MAX_HOLD_TTL
from domain.places import DEFAULT_REGION
from domain.regions import shipped_regions

DEFAULT_SECRET = "dev-only-change-me"


class Settings(BaseSettings):
    """Service settings; SQLite and the in-process capacity store unless told otherwise."""

    model_config = SettingsConfigDict(env_prefix="SERVICEPUNT_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    region: str = Field(
        default=DEFAULT_REGION,
        description="de regio die deze installatie bedient: een bestand in domain/data/regions",
    )
    database_url: str = Field(
        default="sqlite:///servicepunt.db",
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL; postgresql+psycopg://... in a real deployment",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias="REDIS_URL",
        description="redis://...; empty means the in-process capacity store",
    )
    redis_prefix: str = Field(
        default="servicepunt:capacity:", description="sleutelprefix; één per regio of omgeving"
    )
    secret_key: str = DEFAULT_SECRET
    hold_ttl_seconds: int = Field(
        default=int(DEFAULT_HOLD_TTL.total_seconds()),
        gt=0,
        le=int(MAX_HOLD_TTL.total_seconds()),
        description="looptijd van een reservering als het verzoek er geen noemt",
    )
    first_best_wait_days: int = Field(
        default=90, ge=0, le=365, description="hoe lang een regulier kind op first-best mag wachten"
    )
    sweep_seconds: float = Field(
        default=30.0, gt=0, description="hoe vaak verlopen reserveringen worden opgeruimd"
    )
    solver_time_limit_seconds: float = Field(default=10.0, gt=0)
    solver_workers: int = Field(default=2, ge=1)
    solver_seed: int = 0
    simulation_runner: Literal["inline", "external"] = Field(
        default="inline",
        description="inline: de API rekent zelf; external: `servicepunt worker` rekent",
    )
    simulation_dir: Path = Field(
        default=Path(tempfile.gettempdir()) / "servicepunt-simulaties",
        description="map voor de resultaatbestanden; API en worker moeten dezelfde map zien",
    )
    simulation_workers: int | None = Field(
        default=None, ge=1, description="processen per simulatie (leeg: alle kernen)"
    )
    simulation_poll_seconds: float = Field(
        default=2.0, gt=0, description="hoe vaak de runner naar nieuwe opdrachten kijkt"
    )
    simulation_stale_seconds: float = Field(
        default=300.0,
        gt=0,
        description="een opdracht zonder teken van leven zo lang heet onderbroken",
    )
    auth_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="zo lang onthoudt een proces een token; intrekken werkt binnen deze tijd",
    )
    request_threads: int = Field(
        default=16,
        ge=1,
        le=200,
        description="threads per proces voor verzoeken; evenveel databaseverbindingen",
    )
    small_count_threshold: int = Field(
        default=5,
        ge=1,
        le=100,
        description="aantallen kinderen onder deze drempel ziet de planner als '<5'",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description="bearer-token voor /metrics; leeg: /metrics staat uit (404)",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        le=64 * 1024 * 1024,
        description="grootste verzoek in bytes; groter krijgt 413 voordat het gelezen wordt",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="JSON-logs op stderr; nooit persoonsgegevens"
    )

    @field_validator("region")
    @classmethod
    def _shipped_region(cls, value: str) -> str:
        name = value.strip().lower()
        if name not in shipped_regions():
            raise ValueError(f"kies uit {', '.join(shipped_regions())}")
        return name

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "secret_key: in productie is een eigen SERVICEPUNT_SECRET_KEY verplicht"
            )
        return self

    @property
    def hold_ttl(self) -> timedelta:
        """The lifetime of a hold when the request names none."""
        return timedelta(seconds=self.hold_ttl_seconds)


@cache
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()
