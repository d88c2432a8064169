"""Configuration: the environment (`Settings`) and the site's policy file (`Policy`)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.calendar import BusinessCalendar, check_holiday_region
from bot.durations import Duration, parse_duration
from bot.hours import WeeklyHours, parse_hours

POLICY_FILE = "frontdesk.toml"
EXAMPLE_POLICY = "frontdesk.example.toml"
ENQUIRY_CHANNELS = ("phone", "email", "letter", "in_person", "social", "survey")
DEFAULT_SITE = "default"  # the id of the site `[site]` describes
SITE_ID = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class ConfigError(Exception):
    """A setting or policy that stops start-up; `str()` is one line naming the offending key."""


class KeyedError(ValueError):
    """A policy check across tables: `key` is the dotted key the message is about."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


# --- the environment ------------------------------------------------------------------------


class Settings(BaseSettings):
    """Process settings from the environment and `.env`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = "sqlite:///frontdesk.db"
    frontdesk_config: Path | None = None
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _log_words(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        word = value.strip()
        if info.field_name == "log_format":
            return word.lower()
        if word.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f'"{value}" is not a log level (DEBUG, INFO, WARNING, ERROR)')
        return word.upper()

    @field_validator("database_url")
    @classmethod
    def _database_url_parses(cls, value: str) -> str:
        try:
            make_url(value)
        except ArgumentError as exc:
            raise ValueError(
                f'"{value}" is not a database URL'
                ' (e.g. "sqlite:///frontdesk.db" or "postgresql+psycopg://user@host/db")'
            ) from exc
        return value

    @field_validator("frontdesk_config")
    @classmethod
    def _policy_file_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f'no such file "{value}"')
        return value


def load_settings() -> Settings:
    """Read the settings, turning a bad one into a one-line ConfigError naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "environment"
        raise ConfigError(f"{name}: {_message(error)}") from None


# --- policy value types ---------------------------------------------------------------------


def _to_duration(value: object) -> Duration:
    if isinstance(value, Duration):
        return value
    if not isinstance(value, str):
        raise ValueError(f'expected a duration in quotes such as "1 business day", got {value!r}')
    return parse_duration(value)


def _to_hours(value: object) -> WeeklyHours:
    if isinstance(value, WeeklyHours):
        return value
    if not isinstance(value, str):
        raise ValueError(f'expected opening hours such as "mon-fri 09:00-17:00", got {value!r}')
    return parse_hours(value)


DurationField = Annotated[Duration, PlainValidator(_to_duration), PlainSerializer(str)]
HoursField = Annotated[WeeklyHours, PlainValidator(_to_hours), PlainSerializer(str)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _plain_duration(value: Duration) -> Duration:
    if value.unit != "plain":
        raise ValueError(f'"{value}" must be elapsed time such as "30 seconds", not business time')
    return value


@dataclass(frozen=True)
class WindowSpec:
    """One response window: how long, when to warn, and how long after the breach to escalate."""

    respond: Duration
    warn_before: Duration
    escalate_after: Duration


def window_spec(
    respond: Duration, warn_before: Duration | None, escalate_after: Duration | None
) -> WindowSpec:
    """Fill in the defaults: warn a quarter of the window before, escalate a window after."""
    if escalate_after is None:
        # "end of N business days" counted from a closing would skip a day; its length is N days.
        escalate_after = (
            Duration("business_days", respond.amount)
            if respond.unit == "end_of_business_days"
            else respond
        )
    return WindowSpec(respond, warn_before or respond.quarter(), escalate_after)


# --- policy sections ------------------------------------------------------------------------


def _known_zone(value: str | None) -> str | None:
    if value is None:
        return value
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f'unknown time zone "{value}"') from exc
    return value


def _known_region(value: str | None) -> str | None:
    if value:
        check_holiday_region(value)
    return value


class SiteConfig(_Section):
    """Where and when the desk works."""

    name: str = ""
    timezone: str = "UTC"
    holidays: str = ""
    holiday_categories: tuple[str, ...] = ("public",)
    hours: HoursField = Field(default_factory=lambda: parse_hours("mon-fri 09:00-17:00"))
    closures: tuple[date, ...] = ()
    hours_per_business_day: float = Field(default=8, gt=0, le=24)
    date_order: Literal["DMY", "MDY", "YMD"] = "MDY"

    _zone = field_validator("timezone")(_known_zone)
    _region = field_validator("holidays")(_known_region)

    @field_validator("holiday_categories")
    @classmethod
    def _known_categories(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        region = info.data.get("holidays")
        if region:
            check_holiday_region(region, value)
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone."""
        return ZoneInfo(self.timezone)


class SiteTable(_Section):
    """A `[sites.<id>]` table: another site; what it does not set comes from `[site]`."""

    name: str | None = None
    timezone: str | None = None
    holidays: str | None = None
    holiday_categories: tuple[str, ...] | None = None
    hours: HoursField | None = None
    closures: tuple[date, ...] | None = None
    date_order: Literal["DMY", "MDY", "YMD"] | None = None
    desk: str | None = None  # its desk channel (else the shared `channels.desk`)
    staff: tuple[str, ...] = ()  # user IDs who belong to this site, whatever they chose

    _zone = field_validator("timezone")(_known_zone)
    _region = field_validator("holidays")(_known_region)

    def over(self, base: SiteConfig, site_id: str) -> SiteConfig:
        """This site's settings: its own, and the rest from `base` (the `[site]` table)."""
        own = self.model_dump(exclude_none=True, exclude={"desk", "staff"})
        own.setdefault("name", site_id)
        return base.model_copy(update={**own, "hours": self.hours or base.hours})


class ChannelsConfig(_Section):
    """Slack channel IDs the bot posts to."""

    desk: str | None = None
    managers: str | None = None


class RolesConfig(_Section):
    """Slack user IDs by role."""

    managers: tuple[str, ...] = ()
    reception: tuple[str, ...] = ()


class PhoneMessageSla(_Section):
    """Windows for phone messages.

    `warn_before` and `escalate_after` are for the ordinary window; the urgent one takes
    `urgent_warn_before` and `urgent_escalate_after`, which default to a quarter of
    `urgent_respond` and its own length (warning two hours before a two-hour window would
    warn at once).
    """

    respond: DurationField = parse_duration("1 business day")
    urgent_respond: DurationField = parse_duration("2 business hours")
    warn_before: DurationField = parse_duration("2 business hours")
    escalate_after: DurationField = parse_duration("1 business day")
    urgent_warn_before: DurationField | None = None
    urgent_escalate_after: DurationField | None = None


class VisitorSla(_Section):
    """The window for a host to answer a visitor's arrival."""

    acknowledge: DurationField = parse_duration("5 minutes")
    warn_before: DurationField | None = None
    escalate_after: DurationField | None = None


class EnquiryChannelSla(_Section):
    """A per-channel override of the enquiry windows; what is missing comes from `sla.enquiry`."""

    acknowledge: DurationField | None = None
    resolve: DurationField | None = None
    warn_before: DurationField | None = None
    escalate_after: DurationField | None = None


class EnquirySla(_Section):
    """The acknowledge and resolve windows of complaints, questions and requests."""

    acknowledge: DurationField = parse_duration("1 business day")
    resolve: DurationField = parse_duration("7 business days")
    warn_before: DurationField | None = None
    escalate_after: DurationField | None = None
    phone: EnquiryChannelSla = EnquiryChannelSla()
    email: EnquiryChannelSla = EnquiryChannelSla()
    letter: EnquiryChannelSla = EnquiryChannelSla()
    in_person: EnquiryChannelSla = EnquiryChannelSla()
    social: EnquiryChannelSla = EnquiryChannelSla()
    survey: EnquiryChannelSla = EnquiryChannelSla()


class SlaConfig(_Section):
    """Every response window of the policy."""

    phone_message: PhoneMessageSla = PhoneMessageSla()
    visitor: VisitorSla = VisitorSla()
    enquiry: EnquirySla = EnquirySla()

    def phone_message_window(self, urgent: bool) -> WindowSpec:
        """Return the window for a phone message, urgent or not."""
        sla = self.phone_message
        if urgent:
            return window_spec(
                sla.urgent_respond, sla.urgent_warn_before, sla.urgent_escalate_after
            )
        return window_spec(sla.respond, sla.warn_before, sla.escalate_after)

    def visitor_window(self) -> WindowSpec:
        """Return the window for a host to answer a visitor's arrival."""
        sla = self.visitor
        return window_spec(sla.acknowledge, sla.warn_before, sla.escalate_after)

    def enquiry_windows(self, channel: str) -> tuple[WindowSpec, WindowSpec]:
        """Return the (acknowledge, resolve) windows for an enquiry received via `channel`."""
        key = channel.strip().lower().replace(" ", "_").replace("-", "_")
        if key not in ENQUIRY_CHANNELS:
            raise ValueError(
                f'unknown enquiry channel "{channel}" (use {", ".join(ENQUIRY_CHANNELS)})'
            )
        base = self.enquiry
        override: EnquiryChannelSla = getattr(base, key)
        warn_before = override.warn_before or base.warn_before
        escalate_after = override.escalate_after or base.escalate_after
        return (
            window_spec(override.acknowledge or base.acknowledge, warn_before, escalate_after),
            window_spec(override.resolve or base.resolve, warn_before, escalate_after),
        )


class SchedulerConfig(_Section):
    """How often the sweep looks for passed deadlines."""

    sweep_every: DurationField = parse_duration("30 seconds")

    @field_validator("sweep_every")
    @classmethod
    def _plain_and_positive(cls, value: Duration) -> Duration:
        if _plain_duration(value).amount <= 0:
            raise ValueError("must be longer than 0 seconds")
        return value


class RetentionConfig(_Section):
    """How long personal data is kept."""

    visitors: DurationField = parse_duration("90 days")

    @field_validator("visitors")
    @classmethod
    def _plain(cls, value: Duration) -> Duration:
        return _plain_duration(value)


class Policy(_Section):
    """The site's service policy, as read from `frontdesk.toml`."""

    site: SiteConfig = SiteConfig()
    channels: ChannelsConfig = ChannelsConfig()
    roles: RolesConfig = RolesConfig()
    sla: SlaConfig = SlaConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    retention: RetentionConfig = RetentionConfig()
    sites: dict[str, SiteTable] = {}

    _calendars: dict[str, BusinessCalendar] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _sites_fit(self) -> Policy:
        staff_of: dict[str, str] = {}
        desks = {self.channels.desk: DEFAULT_SITE} if self.channels.desk else {}
        for site_id, table in self.sites.items():
            where = f"sites.{site_id}"
            if site_id == DEFAULT_SITE:
                raise KeyedError(where, f'"{DEFAULT_SITE}" is the [site] table: use another id')
            if not SITE_ID.fullmatch(site_id):
                raise KeyedError(
                    where, "a site id is a short lower-case word (letters, digits, - or _)"
                )
            region = self.site.holidays if table.holidays is None else table.holidays
            categories = table.holiday_categories or self.site.holiday_categories
            if region and (table.holidays or table.holiday_categories):
                try:
                    check_holiday_region(region, categories)
                except ValueError as exc:
                    key = "holiday_categories" if table.holiday_categories else "holidays"
                    raise KeyedError(f"{where}.{key}", str(exc)) from None
            if table.desk:
                if table.desk in desks:
                    raise KeyedError(
                        f"{where}.desk", f"{table.desk} is already the desk of {desks[table.desk]}"
                    )
                desks[table.desk] = site_id
            for user_id in table.staff:
                if user_id in staff_of:
                    raise KeyedError(
                        f"{where}.staff", f"{user_id} is already staff of {staff_of[user_id]}"
                    )
                staff_of[user_id] = site_id
        return self

    @property
    def multi_site(self) -> bool:
        """More than the one `[site]`."""
        return bool(self.sites)

    def site_ids(self) -> tuple[str, ...]:
        """Every site's id, the default first."""
        return (DEFAULT_SITE, *self.sites)

    def known_site(self, site_id: str | None) -> str:
        """The id itself if the policy has that site, else the default site's."""
        return site_id if site_id in self.sites else DEFAULT_SITE

    def site_config(self, site_id: str | None = None) -> SiteConfig:
        """A site's settings, with what its table does not set taken from `[site]`."""
        table = self.sites.get(site_id or DEFAULT_SITE)
        return table.over(self.site, str(site_id)) if table else self.site

    def site_name(self, site_id: str | None) -> str:
        """How a site is called in posts: its name, else its id."""
        return self.site_config(site_id).name or self.known_site(site_id)

    def desk_of(self, site_id: str | None) -> str | None:
        """A site's desk channel (the shared `channels.desk` unless its table names one)."""
        table = self.sites.get(site_id or DEFAULT_SITE)
        return (table.desk if table else None) or self.channels.desk

    def site_of_channel(self, channel_id: str | None) -> str | None:
        """The site whose desk channel this is (None: not a desk channel)."""
        for site_id, table in self.sites.items():
            if table.desk and table.desk == channel_id:
                return site_id
        return DEFAULT_SITE if channel_id and channel_id == self.channels.desk else None

    def staff_site(self, user_id: str) -> str | None:
        """The site whose `staff` list names this person (None: no list does)."""
        for site_id, table in self.sites.items():
            if user_id in table.staff:
                return site_id
        return None

    def calendar(self, site_id: str | None = None) -> BusinessCalendar:
        """Return a site's business calendar (one per site and policy, so run-time closures
        stick); an unknown id (a site since removed) is the default site's."""
        key = self.known_site(site_id)
        if key not in self._calendars:
            site = self.site_config(key)
            self._calendars[key] = BusinessCalendar(
                site.tz,
                site.hours,
                holiday_region=site.holidays,
                holiday_categories=site.holiday_categories,
                closures=site.closures,
                hours_per_business_day=site.hours_per_business_day,
            )
        return self._calendars[key]


# --- loading --------------------------------------------------------------------------------


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    # TOML has arrays, not tuples.
    message = str(error["msg"]).removeprefix("Value error, ").replace("valid tuple", "valid array")
    if error["type"] != "value_error":
        message += f" (got {error['input']!r})"
    return message


def parse_policy(text: str, source: str = POLICY_FILE) -> Policy:
    """Parse policy TOML; `source` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        keyed = first.get("ctx", {}).get("error")
        where = keyed.key if isinstance(keyed, KeyedError) else _location(first["loc"]) or "policy"
        raise ConfigError(f"{source}: {where}: {_message(first)}{more}") from None


def load_policy(path: Path | None = None) -> Policy:
    """Load the policy from `path`, else ./frontdesk.toml, else the built-in example policy."""
    if path is None and Path(POLICY_FILE).is_file():
        path = Path(POLICY_FILE)
    if path is None:
        example = resources.files("bot").joinpath(EXAMPLE_POLICY)
        return parse_policy(example.read_text(encoding="utf-8"), f"{EXAMPLE_POLICY} (built-in)")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from None
    return parse_policy(text, str(path))
