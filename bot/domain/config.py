"""Configuration: the environment (`Settings`) and the site's policy file (`Policy`)."""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    SecretStr,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.domain.calendar import BusinessCalendar, check_holiday_region
from bot.domain.channels import Channels
from bot.domain.durations import Duration, parse_duration
from bot.domain.hours import WeeklyHours, parse_hours
from bot.domain.teams import Rule, Team, TeamBook, parse_owner, user_id_of

POLICY_FILE = "frontdesk.toml"
EXAMPLE_POLICY = "frontdesk.example.toml"
ENQUIRY_KINDS = ("complaint", "question", "request", "compliment", "suggestion", "referral")
ENQUIRY_CHANNELS = ("phone", "email", "letter", "in_person", "social", "survey", "teams")
NO_STAGE = "none"  # `acknowledge = "none"` or `resolve = "none"`: a one-stage enquiry
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


def _positive_plain_duration(value: Duration) -> Duration:
    if _plain_duration(value).amount <= 0:
        raise ValueError("must be longer than 0 seconds")
    return value


# Elapsed time longer than zero (how often to sweep, when a visitor is late).
PositivePlainDuration = Annotated[
    Duration,
    PlainValidator(_to_duration),
    AfterValidator(_positive_plain_duration),
    PlainSerializer(str),
]


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
    managers: str | None = None  # its managers' channel (else the shared `channels.managers`)
    staff: tuple[str, ...] = ()  # user IDs who belong to this site, whatever they chose

    _zone = field_validator("timezone")(_known_zone)
    _region = field_validator("holidays")(_known_region)

    def over(self, base: SiteConfig, site_id: str) -> SiteConfig:
        """This site's settings: its own, and the rest from `base` (the `[site]` table)."""
        own = self.model_dump(exclude_none=True, exclude={"desk", "managers", "staff"})
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


def _to_stage(value: object) -> Duration | str:
    if isinstance(value, str) and value.strip().lower() == NO_STAGE:
        return NO_STAGE
    return _to_duration(value)


# A stage of an enquiry: a window, or "none" (the stage is switched off).
StageField = Annotated[Duration | str, PlainValidator(_to_stage), PlainSerializer(str)]


class EnquiryStageSla(_Section):
    """A per-kind or per-channel override of the enquiry windows; what is missing comes from
    `sla.enquiry`."""

    acknowledge: StageField | None = None
    resolve: StageField | None = None
    warn_before: DurationField | None = None
    escalate_after: DurationField | None = None


class EnquirySla(_Section):
    """The acknowledge and resolve windows of enquiries, with overrides per kind
    (`[sla.enquiry.kind.<kind>]`, which wins) and per channel (`[sla.enquiry.channel.<name>]`,
    or the older `[sla.enquiry.<name>]`)."""

    acknowledge: StageField = parse_duration("1 business day")
    resolve: StageField = parse_duration("7 business days")
    warn_before: DurationField | None = None
    escalate_after: DurationField | None = None
    kind: dict[str, EnquiryStageSla] = Field(default_factory=dict)
    channel: dict[str, EnquiryStageSla] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _older_channel_tables(cls, data: Any) -> Any:
        """`[sla.enquiry.letter]` (a table beside the known keys) is `[sla.enquiry.channel.letter]`."""
        if not isinstance(data, dict):
            return data
        known = set(cls.model_fields)
        older = {k: v for k, v in data.items() if k not in known and isinstance(v, dict)}
        if not older:
            return data
        data = {k: v for k, v in data.items() if k not in older}
        channel = data.get("channel")
        merged = {_word(k): v for k, v in older.items()}
        if isinstance(channel, dict):
            merged |= {_word(k): v for k, v in channel.items()}
        data["channel"] = merged
        return data

    @field_validator("kind", "channel", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        return {_word(k): v for k, v in value.items()} if isinstance(value, dict) else value

    def windows(self, kind: str, channel: str) -> tuple[WindowSpec | None, WindowSpec | None]:
        """The (acknowledge, resolve) windows of a `kind` received via `channel`; None for a
        stage switched off. A kind's override wins over a channel's, which wins over the base."""
        layers = [self.kind.get(_word(kind)), self.channel.get(_word(channel))]
        overrides = [layer for layer in layers if layer is not None]

        def pick(name: str) -> Any:
            for layer in overrides:
                value = getattr(layer, name)
                if value is not None:
                    return value
            return getattr(self, name)

        warn_before, escalate_after = pick("warn_before"), pick("escalate_after")
        stages = []
        for name in ("acknowledge", "resolve"):
            respond = pick(name)
            stages.append(
                None if respond == NO_STAGE else window_spec(respond, warn_before, escalate_after)
            )
        return stages[0], stages[1]


def _word(text: str) -> str:
    """A kind or channel as the policy keys it: "in person" → "in_person"."""
    return "_".join(text.strip().lower().replace("-", " ").split())


_WORD = re.compile(r"^[a-z][a-z0-9_]{0,15}$")


class EnquiryConfig(_Section):
    """The kinds of enquiry and the channels they come in by."""

    kinds: tuple[str, ...] = ENQUIRY_KINDS
    channels: tuple[str, ...] = ENQUIRY_CHANNELS

    @field_validator("kinds", "channels")
    @classmethod
    def _plain_words(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        words = tuple(_word(v) for v in value)
        if not words:
            raise ValueError(f"list at least one of the {info.field_name}")
        for word in words:
            if not _WORD.match(word):
                raise ValueError(
                    f'"{word}" must be a word of letters, digits or "_" (at most 16 characters)'
                )
        if len(set(words)) != len(words):
            raise ValueError("a word is listed twice")
        return words

    def kind_of(self, word: str) -> str | None:
        """The policy's kind for a typed word (None: not one of them)."""
        key = _word(word)
        return key if key in self.kinds else None

    def channel_of(self, word: str) -> str | None:
        """The policy's channel for a typed word ("in person" → "in_person"; "e-mail" →
        "email"; None: not one of them)."""
        key = _word(word)
        key = {"e_mail": "email", "in_person": "in_person"}.get(key, key)
        return key if key in self.channels else None


PLACEHOLDERS = (
    "customer",
    "kind",
    "ref",
    "owner",
    "acknowledge_by",
    "resolve_by",
    "revised_by",
)


TEMPLATE_STAGES = ("acknowledge", "resolve", "late", "interim")


def _known_placeholders(value: str | None) -> str | None:
    """A template whose placeholders are all in PLACEHOLDERS (ValueError naming the wrong one)."""
    if value is None:
        return None
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        raise ValueError(f"{exc} (write a brace as {{{{ or }}}})") from None
    for name in fields:
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise ValueError(f'unknown placeholder "{{{name}}}" (use {known})')
    return value


class KindTemplates(_Section):
    """One kind's own texts (`[templates.kind.<kind>]`): each one set wins over the general
    text of the same stage; the ones left out fall back to it."""

    acknowledge: str | None = None
    resolve: str | None = None
    late: str | None = None
    interim: str | None = None

    _placeholders = field_validator(*TEMPLATE_STAGES)(_known_placeholders)


class TemplatesConfig(_Section):
    """What the owner tells the customer, pre-filled in the "Acknowledged", "Resolved" and
    "Running late…" forms and a phone message's "Interim call back…" (placeholders in braces,
    see PLACEHOLDERS); `[templates.kind.<kind>]` overrides them for one kind of enquiry (or
    `message`, a phone message)."""

    acknowledge: str = (
        "Dear {customer}, thank you for your {kind} (our reference {ref}). {owner} is looking "
        "after it and you will hear from us by {resolve_by}."
    )
    resolve: str = (
        "Dear {customer}, about your {kind} (our reference {ref}): [what was decided, and why]. "
        "Thank you for contacting us. {owner}"
    )
    late: str = (
        "Dear {customer}, we are sorry: the answer to your {kind} (our reference {ref}) is "
        "taking longer than we said. You will have it by {revised_by}. {owner}"
    )
    interim: str = (
        "Dear {customer}, thank you for your call. {owner} is looking into it: you will have a "
        "full answer by {revised_by}."
    )
    kind: dict[str, KindTemplates] = Field(default_factory=dict)

    _placeholders = field_validator(*TEMPLATE_STAGES)(_known_placeholders)

    @field_validator("kind", mode="before")
    @classmethod
    def _words(cls, value: Any) -> Any:
        return {_word(k): v for k, v in value.items()} if isinstance(value, dict) else value

    def text(self, stage: str, kind: str) -> str:
        """The `stage` template for `kind`: the kind's own, else the general one."""
        own = self.kind.get(_word(kind))
        found = getattr(own, stage) if own is not None else None
        return found if found is not None else str(getattr(self, stage))


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

    def enquiry_windows(
        self, channel: str, kind: str = ""
    ) -> tuple[WindowSpec | None, WindowSpec | None]:
        """Return the (acknowledge, resolve) windows of an enquiry of `kind` received via
        `channel` (None for a stage the policy switches off)."""
        return self.enquiry.windows(kind, channel)


class SchedulerConfig(_Section):
    """How often the sweep looks for passed deadlines."""

    sweep_every: PositivePlainDuration = parse_duration("30 seconds")


class RetentionConfig(_Section):
    """How long personal data is kept."""

    visitors: DurationField = parse_duration("90 days")

    @field_validator("visitors")
    @classmethod
    def _plain(cls, value: Duration) -> Duration:
        return _plain_duration(value)


class VisitorsConfig(_Section):
    """The visitor record (DESIGN.md "The visitor record")."""

    check_id: StrictBool = False  # the sign-in reply asks which ID was seen (the type only)
    escort: StrictBool = False  # the host who answers escorts the visitor
    late_after: PositivePlainDuration = parse_duration("15 minutes")  # an expected visitor is late


class TeamConfig(_Section):
    """`[teams.<id>]`: its members (user IDs), an optional lead, and its site."""

    members: tuple[str, ...] = Field(min_length=1)
    lead: str | None = None
    site: str | None = None  # a site id; checked against `[sites]` where sites are known

    @field_validator("members")
    @classmethod
    def _user_ids(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(user_id_of(member) for member in value))

    @field_validator("lead")
    @classmethod
    def _lead_id(cls, value: str | None) -> str | None:
        return None if value is None else user_id_of(value)


def _enquiry_channel_key(channel: str) -> str:
    return channel.strip().lower().replace(" ", "_").replace("-", "_")


class RoutingWhen(_Section):
    """What a routing rule matches: every condition given must hold."""

    kind: str | None = None
    channel: str | None = None
    about: str | None = Field(default=None, min_length=1)
    team: str | None = None

    @field_validator("kind")
    @classmethod
    def _kind_key(cls, value: str | None) -> str | None:
        return None if value is None else _enquiry_channel_key(value)

    @field_validator("channel")
    @classmethod
    def _channel_key(cls, value: str | None) -> str | None:
        return None if value is None else _enquiry_channel_key(value)


class RoutingRule(_Section):
    """`[[routing]]`: `when = {…}`, `to = "@U…" | "team:<id>" | "managers" | "desk"`."""

    when: RoutingWhen = RoutingWhen()
    to: str

    @field_validator("to")
    @classmethod
    def _owner_form(cls, value: str) -> str:
        return str(parse_owner(value))


class Policy(_Section):
    """The site's service policy, as read from `frontdesk.toml`."""

    site: SiteConfig = SiteConfig()
    channels: ChannelsConfig = ChannelsConfig()
    roles: RolesConfig = RolesConfig()
    sla: SlaConfig = SlaConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    retention: RetentionConfig = RetentionConfig()
    visitors: VisitorsConfig = VisitorsConfig()
    enquiry: EnquiryConfig = EnquiryConfig()
    templates: TemplatesConfig = TemplatesConfig()
    teams: dict[str, TeamConfig] = Field(default_factory=dict)
    routing: tuple[RoutingRule, ...] = ()

    sites: dict[str, SiteTable] = {}

    _calendars: dict[str, BusinessCalendar] = PrivateAttr(default_factory=dict)
    _team_book: TeamBook | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _known_teams(self) -> Policy:
        known = ", ".join(self.teams) or "none are set"
        for name, team in self.teams.items():
            if team.lead is not None and team.lead not in team.members:
                raise ValueError(f"teams.{name}.lead: {team.lead} is not one of its members")
        for name, team in self.teams.items():
            if team.site is not None and team.site not in self.site_ids():
                raise ValueError(
                    f'teams.{name}.site: no site "{team.site}" (use {", ".join(self.site_ids())})'
                )
        kinds = ("message", *self.enquiry.kinds)
        for number, rule in enumerate(self.routing):
            kind, channel = rule.when.kind, rule.when.channel
            if kind is not None and kind not in kinds:
                raise ValueError(
                    f'routing[{number}].when.kind: unknown kind "{kind}" (use {", ".join(kinds)})'
                )
            if channel is not None and channel not in self.enquiry.channels:
                raise ValueError(
                    f'routing[{number}].when.channel: unknown channel "{channel}" '
                    f"(use {', '.join(self.enquiry.channels)})"
                )
            owner = parse_owner(rule.to)
            for where, team_id in (("to", owner.team), ("when.team", rule.when.team)):
                if team_id is not None and team_id not in self.teams:
                    raise ValueError(
                        f'routing[{number}].{where}: no team "{team_id}" in [teams] ({known})'
                    )
        return self

    def team_book(self) -> TeamBook:
        """The teams and routing rules, as cover and routing use them."""
        if self._team_book is None:
            self._team_book = TeamBook(
                teams={
                    name: Team(name, team.members, team.lead, team.site)
                    for name, team in self.teams.items()
                },
                rules=tuple(
                    Rule(
                        to=parse_owner(rule.to),
                        kind=rule.when.kind,
                        channel=rule.when.channel,
                        about=rule.when.about,
                        team=rule.when.team,
                        number=number,
                    )
                    for number, rule in enumerate(self.routing, start=1)
                ),
            )
        return self._team_book

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
        for site_id, table in self.sites.items():
            if table.managers and table.managers in desks:
                raise KeyedError(
                    f"sites.{site_id}.managers",
                    f"{table.managers} is the desk channel of {desks[table.managers]}: "
                    "give the managers' own channel",
                )
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

    def channels_at(self, site_id: str | None, fallback: Channels | None = None) -> Channels:
        """A site's channels: its own `desk` and `managers` where its table names them, else
        the deployment's (`fallback`: what the runtime was started with), else `[channels]`."""
        table = self.sites.get(site_id or DEFAULT_SITE)
        shared = fallback or Channels(self.channels.desk or "", self.channels.managers or "")
        return Channels(
            desk=(table.desk if table else None) or shared.desk,
            managers=(table.managers if table else None) or shared.managers,
        )

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


def enquiry_policy_error(policy: Policy) -> str | None:
    """What is wrong with the enquiry windows' kinds and channels ("key: why"), if anything:
    an override of a kind or channel the policy does not list, or both stages "none"."""
    sla, enquiry = policy.sla.enquiry, policy.enquiry
    for table, known, words in (
        ("kind", enquiry.kinds, sla.kind),
        ("channel", enquiry.channels, sla.channel),
    ):
        for word in words:
            if word not in known:
                return f"sla.enquiry.{table}.{word}: not one of [enquiry] {table}s ({', '.join(known)})"
    for word in policy.templates.kind:
        if word not in (*enquiry.kinds, "message"):
            kinds = ", ".join((*enquiry.kinds, "message"))
            return f"templates.kind.{word}: not one of [enquiry] kinds, or message ({kinds})"
    for kind in enquiry.kinds:
        for channel in enquiry.channels:
            if sla.windows(kind, channel) == (None, None):
                return (
                    f'sla.enquiry: a {kind} via {channel} has both stages "none": keep at least one'
                )
    return None


def parse_policy(text: str, source: str = POLICY_FILE) -> Policy:
    """Parse policy TOML; `source` names the file in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        keyed = first.get("ctx", {}).get("error")
        where = keyed.key if isinstance(keyed, KeyedError) else _location(first["loc"])
        # A check across sections (a rule naming an unknown team) names its key itself.
        at = f"{where}: " if where else ""
        raise ConfigError(f"{source}: {at}{_message(first)}{more}") from None
    wrong = enquiry_policy_error(policy)
    if wrong is not None:
        raise ConfigError(f"{source}: {wrong}")
    return policy


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
