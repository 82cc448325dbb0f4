"""All settings of the service, from the environment (one class, DESIGN.md)."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-only-change-me"


class Settings(BaseSettings):
    """Service settings; SQLite and the in-process capacity store unless told otherwise."""

    model_config = SettingsConfigDict(env_prefix="SERVICEPUNT_", extra="ignore")

    environment: Literal["development", "production"] = "development"
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
    hold_ttl_seconds: int = Field(default=4 * 3600, gt=0)
    first_best_wait_days: int = Field(
        default=90, ge=0, le=365, description="hoe lang een regulier kind op first-best mag wachten"
    )
    sweep_seconds: float = Field(
        default=30.0, gt=0, description="hoe vaak verlopen reserveringen worden opgeruimd"
    )
    solver_time_limit_seconds: float = Field(default=10.0, gt=0)
    solver_workers: int = Field(default=2, ge=1)
    solver_seed: int = 0
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="JSON-logs op stderr; nooit persoonsgegevens"
    )

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError(
                "secret_key: in productie is een eigen SERVICEPUNT_SECRET_KEY verplicht"
            )
        return self


@cache
def get_settings() -> Settings:
    """The settings of this process (read once)."""
    return Settings()
