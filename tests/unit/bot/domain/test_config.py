"""Settings from the environment and the policy file."""

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.config import (
    ConfigError,
    Policy,
    Settings,
    WindowSpec,
    load_policy,
    load_settings,
    parse_policy,
)
from bot.domain.durations import Duration, parse_duration
from bot.domain.hours import parse_hours

DESIGN_EXAMPLE = """
[site]
timezone = "America/Toronto"
holidays = "CA-ON"
holiday_categories = ["public"]
hours = "mon-fri 09:00-17:00"
closures = ["2026-12-24"]
hours_per_business_day = 8
date_order = "MDY"

[channels]
desk = "C0DESK"
managers = "C0MGRS"

[roles]
managers = ["U0MANAGER"]
reception = ["U0RECEPTION"]

[sla.phone_message]
respond = "1 business day"
urgent_respond = "2 business hours"
warn_before = "2 business hours"
escalate_after = "1 business day"

[sla.visitor]
acknowledge = "5 minutes"

[sla.enquiry]
acknowledge = "1 business day"
resolve = "7 business days"
[sla.enquiry.letter]
acknowledge = "3 business days"
resolve = "15 business days"

[scheduler]
sweep_every = "30 seconds"

[retention]
visitors = "90 days"
"""


def d(text: str) -> Duration:
    return parse_duration(text)


# --- the policy file --------------------------------------------------------------------------


def test_the_built_in_example_policy_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no frontdesk.toml here

    policy = load_policy()

    assert policy.site.tz == ZoneInfo("America/Toronto")
    assert policy.site.holidays == "CA-ON"
    assert policy.site.closures == (date(2026, 12, 24),)
    assert policy.channels.desk == "C0DESK"
    assert policy.channels.managers == "C0MGRS"
    assert policy.roles.managers == ("U0MANAGER",)
    assert policy.roles.reception == ("U0RECEPTION",)
    assert policy.sla.enquiry.channel["letter"].resolve == d("15 business days")


def test_the_design_example_reads_as_written() -> None:
    policy = parse_policy(DESIGN_EXAMPLE)

    assert policy.site.hours == parse_hours("mon-fri 09:00-17:00")
    assert policy.site.hours_per_business_day == 8
    assert policy.site.date_order == "MDY"
    assert policy.sla.phone_message.respond == d("1 business day")
    assert policy.scheduler.sweep_every.plain.total_seconds() == 30
    assert policy.retention.visitors.plain.days == 90


def test_a_frontdesk_toml_in_the_current_directory_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "frontdesk.toml").write_text('[site]\ntimezone = "Europe/Jersey"\n')
    monkeypatch.chdir(tmp_path)

    assert load_policy().site.timezone == "Europe/Jersey"


def test_an_explicit_path_is_read(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\nhours = "24x7"\n')

    assert load_policy(path).site.hours.always_open


def test_every_section_is_optional() -> None:
    policy = parse_policy("")

    assert policy == Policy()
    assert policy.site.timezone == "UTC"
    assert policy.site.holidays == ""
    assert policy.site.holiday_categories == ("public",)
    assert policy.site.hours == parse_hours("mon-fri 09:00-17:00")
    assert policy.site.closures == ()
    assert policy.site.hours_per_business_day == 8
    assert policy.site.date_order == "MDY"
    assert policy.channels.desk is None and policy.channels.managers is None
    assert policy.roles.managers == () and policy.roles.reception == ()
    assert policy.scheduler.sweep_every == d("30 seconds")
    assert policy.retention.visitors == d("90 days")


# --- windows ----------------------------------------------------------------------------------


def test_phone_message_windows_by_default() -> None:
    sla = parse_policy("").sla

    assert sla.phone_message_window(urgent=False) == WindowSpec(
        d("1 business day"), d("2 business hours"), d("1 business day")
    )


def test_an_urgent_message_warns_a_quarter_of_its_own_window_before() -> None:
    sla = parse_policy(DESIGN_EXAMPLE).sla

    assert sla.phone_message_window(urgent=True) == WindowSpec(
        d("2 business hours"), d("0.5 business hours"), d("2 business hours")
    )


def test_urgent_warning_and_escalation_can_be_set() -> None:
    sla = parse_policy(
        '[sla.phone_message]\nurgent_warn_before = "15 minutes"\n'
        'urgent_escalate_after = "1 business hour"\n'
    ).sla

    assert sla.phone_message_window(urgent=True) == WindowSpec(
        d("2 business hours"), d("15 minutes"), d("1 business hour")
    )


def test_a_visitor_is_warned_a_quarter_of_the_window_before_and_escalated_a_window_after() -> None:
    assert parse_policy("").sla.visitor_window() == WindowSpec(
        d("5 minutes"), d("75 seconds"), d("5 minutes")
    )


def test_a_letter_takes_its_own_enquiry_windows() -> None:
    acknowledge, resolve = parse_policy(DESIGN_EXAMPLE).sla.enquiry_windows("letter")

    assert acknowledge == WindowSpec(
        d("3 business days"), d("0.75 business days"), d("3 business days")
    )
    assert resolve == WindowSpec(
        d("15 business days"), d("3.75 business days"), d("15 business days")
    )


def test_other_enquiry_channels_take_the_general_windows() -> None:
    sla = parse_policy(
        DESIGN_EXAMPLE + '[sla.enquiry.email]\nwarn_before = "1 business hour"\n'
    ).sla

    acknowledge, resolve = sla.enquiry_windows("in person")
    email_acknowledge, _ = sla.enquiry_windows("email")

    assert acknowledge == WindowSpec(
        d("1 business day"), d("0.25 business days"), d("1 business day")
    )
    assert resolve.respond == d("7 business days")
    assert email_acknowledge.warn_before == d("1 business hour")


def test_an_enquiry_channel_the_policy_does_not_list_takes_the_general_windows() -> None:
    acknowledge, resolve = parse_policy("").sla.enquiry_windows("pigeon")
    assert acknowledge is not None and acknowledge.respond == d("1 business day")
    assert resolve is not None and resolve.respond == d("7 business days")


def test_end_of_day_windows_escalate_a_whole_number_of_business_days_after() -> None:
    sla = parse_policy('[sla.visitor]\nacknowledge = "end of 1 business day"\n').sla

    assert sla.visitor_window().escalate_after == d("1 business day")


# --- the calendar -----------------------------------------------------------------------------


def test_the_policy_calendar_is_built_once_and_keeps_run_time_closures() -> None:
    policy = parse_policy(DESIGN_EXAMPLE)

    calendar = policy.calendar()
    calendar.add_closure(date(2026, 11, 25))

    assert policy.calendar() is calendar
    assert not policy.calendar().is_working_day(date(2026, 11, 25))
    assert not calendar.is_working_day(date(2026, 12, 24))
    assert not calendar.is_working_day(date(2026, 12, 25))
    assert calendar.tz == ZoneInfo("America/Toronto")


# --- errors: one line naming the key ----------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[sla.phone_message]\nrespond = "1 bizness day"',
            'frontdesk.toml: sla.phone_message.respond: "1 bizness day" is not a duration (use'
            ' "N business days", "end of N business days", "N business hours" or'
            ' "N minutes/hours/days")',
        ),
        (
            '[site]\ntimezone = "Mars/Base"',
            'frontdesk.toml: site.timezone: unknown time zone "Mars/Base"',
        ),
        (
            '[site]\nholidays = "XX-YY"',
            'frontdesk.toml: site.holidays: unknown holiday region "XX-YY"',
        ),
        (
            '[site]\nholidays = "CA-XX"',
            'frontdesk.toml: site.holidays: unknown holiday region "CA-XX"',
        ),
        ("[sla.visitor]\ncolour = 1", "frontdesk.toml: sla.visitor.colour: unknown key"),
        (
            "[sla.enquiry.pigeon]\nresolve = '1 day'",
            "frontdesk.toml: sla.enquiry.channel.pigeon: not one of [enquiry] channels",
        ),
        ("[slaa]", "frontdesk.toml: slaa: unknown key"),
        ("[roles]\ninterns = ['U1']", "frontdesk.toml: roles.interns: unknown key"),
        (
            '[site]\nhours = "mon-fri 9-5"',
            'frontdesk.toml: site.hours: "mon-fri 9-5": expected HH:MM-HH:MM, got "9-5"',
        ),
        (
            '[scheduler]\nsweep_every = "1 business hour"',
            'frontdesk.toml: scheduler.sweep_every: "1 business hour" must be elapsed time such as'
            ' "30 seconds", not business time',
        ),
        (
            '[retention]\nvisitors = "end of 3 business days"',
            'frontdesk.toml: retention.visitors: "end of 3 business days" must be elapsed time such'
            ' as "30 seconds", not business time',
        ),
        (
            "[sla.visitor]\nacknowledge = 5",
            "frontdesk.toml: sla.visitor.acknowledge: expected a duration",
        ),
        ("[site]\nclosures = ['2026-13-01']", "frontdesk.toml: site.closures[0]: Input should be"),
        (
            "[site]\nhours_per_business_day = 0",
            "frontdesk.toml: site.hours_per_business_day: Input",
        ),
        ("[site]\ndate_order = 'DDMM'", "frontdesk.toml: site.date_order: Input should be 'DMY'"),
        ("[site\n", "frontdesk.toml: not valid TOML: "),
        ("site = 'x'", "frontdesk.toml: site: Input should be"),
    ],
)
def test_a_bad_policy_is_one_line_naming_the_key(toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_policy(toml)

    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_missing_policy_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="nowhere.toml: no such file"):
        load_policy(tmp_path / "nowhere.toml")


def test_the_error_names_the_file_it_came_from(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\ntimezone = "Mars/Base"\n')

    with pytest.raises(
        ConfigError, match=f'^{path}: site.timezone: unknown time zone "Mars/Base"$'
    ):
        load_policy(path)


# --- the environment --------------------------------------------------------------------------

ENV_NAMES = (
    "DATABASE_URL",
    "FRONTDESK_CONFIG",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
)


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No Front Desk variables and no .env file."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_settings_default_to_a_local_sqlite_file(clean_env: pytest.MonkeyPatch) -> None:
    settings = load_settings()

    assert settings.database_url == "sqlite:///frontdesk.db"
    assert settings.frontdesk_config is None
    assert settings.slack_bot_token is None
    assert settings.slack_api_url is None


def test_settings_come_from_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "policy.toml").write_text("")
    clean_env.setenv("DATABASE_URL", "postgresql+psycopg://desk@db/frontdesk")
    clean_env.setenv("FRONTDESK_CONFIG", str(tmp_path / "policy.toml"))
    clean_env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    clean_env.setenv("SLACK_API_URL", "http://127.0.0.1:8999/api/")
    clean_env.setenv("UNRELATED_THING", "ignored")

    settings = load_settings()

    assert settings.database_url == "postgresql+psycopg://desk@db/frontdesk"
    assert settings.frontdesk_config == tmp_path / "policy.toml"
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-1"
    assert "xoxb-1" not in repr(settings)
    assert settings.slack_api_url == "http://127.0.0.1:8999/api/"


def test_settings_read_a_dot_env_file(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_APP_TOKEN=xapp-1\nSOMETHING_ELSE=1\n")

    settings = Settings()

    assert settings.slack_app_token is not None
    assert settings.slack_app_token.get_secret_value() == "xapp-1"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "not a url", 'DATABASE_URL: "not a url" is not a database URL'),
        ("FRONTDESK_CONFIG", "missing.toml", 'FRONTDESK_CONFIG: no such file "missing.toml"'),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(
    clean_env: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    clean_env.setenv(name, value)

    with pytest.raises(ConfigError) as caught:
        load_settings()

    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


# --- enquiries: kinds, channels, windows per kind and channel, one stage, templates -----------


def test_the_older_per_channel_form_is_still_read_beside_the_new_one() -> None:
    older = parse_policy('[sla.enquiry.letter]\nacknowledge = "3 business days"\n').sla
    newer = parse_policy('[sla.enquiry.channel.letter]\nacknowledge = "3 business days"\n').sla
    assert older.enquiry_windows("letter") == newer.enquiry_windows("letter")
    acknowledge, _ = older.enquiry_windows("letter")
    assert acknowledge is not None and acknowledge.respond == d("3 business days")


def test_the_newer_form_wins_when_both_name_a_channel() -> None:
    sla = parse_policy(
        '[sla.enquiry.letter]\nresolve = "15 business days"\n'
        '[sla.enquiry.channel.letter]\nresolve = "10 business days"\n'
    ).sla
    _, resolve = sla.enquiry_windows("letter")
    assert resolve is not None and resolve.respond == d("10 business days")


def test_a_kind_override_wins_over_a_channel_override() -> None:
    sla = parse_policy(
        '[sla.enquiry.channel.letter]\nacknowledge = "3 business days"\n'
        'resolve = "15 business days"\n'
        '[sla.enquiry.kind.complaint]\nacknowledge = "2 business hours"\n'
    ).sla
    acknowledge, resolve = sla.enquiry_windows("letter", "complaint")
    assert acknowledge is not None and acknowledge.respond == d("2 business hours")
    assert resolve is not None and resolve.respond == d("15 business days")
    question_ack, _ = sla.enquiry_windows("letter", "question")
    assert question_ack is not None and question_ack.respond == d("3 business days")


@pytest.mark.parametrize("stage", ["acknowledge", "resolve"])
def test_none_switches_a_stage_off(stage: str) -> None:
    sla = parse_policy(f'[sla.enquiry.kind.compliment]\n{stage} = "none"\n').sla
    acknowledge, resolve = sla.enquiry_windows("email", "compliment")
    assert (acknowledge is None, resolve is None) == (stage == "acknowledge", stage == "resolve")


def test_the_default_kinds_and_channels() -> None:
    enquiry = parse_policy("").enquiry
    assert enquiry.kinds == (
        "complaint",
        "question",
        "request",
        "compliment",
        "suggestion",
        "referral",
    )
    assert enquiry.channels == (
        "phone",
        "email",
        "letter",
        "in_person",
        "social",
        "survey",
        "teams",
    )
    assert parse_policy('[enquiry]\nchannels = ["phone", "in person"]\n').enquiry.channels == (
        "phone",
        "in_person",
    )


def test_a_policy_file_of_the_older_version_still_loads() -> None:
    older = (
        '[sla.enquiry]\nacknowledge = "1 business day"\nresolve = "7 business days"\n'
        '[sla.enquiry.letter]\nacknowledge = "3 business days"\nresolve = "15 business days"\n'
        '[sla.enquiry.in_person]\nresolve = "5 business days"\n'
    )
    policy = parse_policy(older)
    _, resolve = policy.sla.enquiry_windows("in_person", "complaint")
    assert resolve is not None and resolve.respond == d("5 business days")
    assert "{ref}" in policy.templates.acknowledge
    # A file with only the older one-text-per-stage [templates] reads as before, for every kind.
    older = parse_policy('[templates]\nacknowledge = "Dear {customer}: {ref}"\n')
    assert older.templates.text("acknowledge", "complaint") == "Dear {customer}: {ref}"
    assert older.templates.text("acknowledge", "compliment") == "Dear {customer}: {ref}"


def test_a_kinds_own_template_wins_over_the_general_one() -> None:
    policy = parse_policy(
        '[templates]\nresolve = "General {ref}"\n'
        '[templates.kind.complaint]\nresolve = "Sorry, {customer}"\n'
    )
    assert policy.templates.text("resolve", "complaint") == "Sorry, {customer}"
    assert policy.templates.text("resolve", "question") == "General {ref}"
    # A stage the kind does not set falls back to the general text.
    assert policy.templates.text("late", "complaint") == policy.templates.late


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[templates]\nacknowledge = "Dear {name}"',
            'frontdesk.toml: templates.acknowledge: unknown placeholder "{name}" (use {customer},',
        ),
        (
            '[templates]\nlate = "by {revised_by"',
            "frontdesk.toml: templates.late: ",
        ),
        (
            '[templates.kind.complaint]\nacknowledge = "Sorry, {name}"',
            "frontdesk.toml: templates.kind.complaint.acknowledge: "
            'unknown placeholder "{name}" (use {customer},',
        ),
        (
            '[templates.kind.complaint]\nacknowlege = "Sorry"',
            "frontdesk.toml: templates.kind.complaint.acknowlege: unknown key",
        ),
        (
            '[templates.kind.praise]\nacknowledge = "Thanks"',
            "frontdesk.toml: templates.kind.praise: not one of [enquiry] kinds, or message "
            "(complaint,",
        ),
        (
            '[templates]\ninterim = "by {when}"',
            'frontdesk.toml: templates.interim: unknown placeholder "{when}"',
        ),
        (
            '[sla.enquiry.kind.praise]\nresolve = "none"',
            "frontdesk.toml: sla.enquiry.kind.praise: not one of [enquiry] kinds (complaint,",
        ),
        (
            '[sla.enquiry]\nacknowledge = "none"\nresolve = "none"',
            'frontdesk.toml: sla.enquiry: a complaint via phone has both stages "none"',
        ),
        (
            '[enquiry]\nkinds = ["a complaint!"]',
            'frontdesk.toml: enquiry.kinds: "a_complaint!" must be a word',
        ),
        ("[enquiry]\nchannels = []", "frontdesk.toml: enquiry.channels: list at least one"),
        ('[sla.enquiry]\nresolve = "never"', "frontdesk.toml: sla.enquiry.resolve: "),
    ],
)
def test_a_bad_enquiry_policy_is_one_line_naming_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_policy(text)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
