"""`frontdesk console`: Front Desk with no Slack account.

Type slash commands as a chosen person, see every DM, channel post and ephemeral reply as
text, press buttons, fill in modals, and move the clock. Reads standard input when it is not
a terminal, so `frontdesk console < script.txt` replays a session.
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from bot.console import demo
from bot.console.embedded import Embedded
from bot.console.transcript import Pressable, Transcript
from bot.domain.durations import DurationError, parse_wait
from bot.runtime.scheduler import advance_clock, rounds_for

HELP = """Console commands:
  /as @handle            act as that person (/who lists them)
  /in #channel           type commands in that channel: #front-desk, #front-desk-west
  /wait <duration>       move the clock: 10m, 3h, 2d, "1 business day", "6 business hours"
  /click N [@person]     press button N (a person for a user picker)
  /submit f=v; f=v       submit the open modal (fields by their id, shown in brackets);
                         a ; inside a value: f="a; b" or f=a\\; b
  /cancel                close the open modal
  /say <text>            post a message in #front-desk as yourself (mentions and all)
  /home                  open your App Home ("My desk")
  /who                   the directory     /help   this list     /quit   leave
Anything else starting with / is a Slack command: /visitor, /message, /ooo, /desk, /enquiry
(each has `help`). @handle in it is sent as Slack would."""

MENTION = re.compile(r"(?<![<\w])@([a-z][a-z0-9._-]*)", re.IGNORECASE)
# `;` separates a form's fields; `\;` (or a value in double quotes) keeps one in a value.
FIELD_SEPARATOR = re.compile(r'(?:[^;"\\]|\\.|"[^"]*"|["\\])+')


class Console:
    """The loop: read a line, do it, print what the bot did."""

    def __init__(self, embedded: Embedded, out: TextIO, *, echo: bool) -> None:
        self.fd = embedded
        self.out = out
        self.echo = echo
        self.site_tz: ZoneInfo = embedded.runtime.ctx.site_tz
        self.transcript = Transcript(embedded.double, self.site_tz, self.write)
        self.transcript.skip_existing()
        self.user = "U0RECEPTION"
        self.channel = demo.DESK_CHANNEL[0]  # where slash commands are typed
        self.channels = {
            name: channel_id
            for channel_id, name in (
                demo.DESK_CHANNEL,
                demo.WEST_DESK_CHANNEL,
                demo.MANAGERS_CHANNEL,
            )
        }
        self.handles = {u.handle: u.id for u in demo.DEMO_USERS}
        self.slash_commands = _slash_commands()

    def catch_up(self) -> None:
        """Run the jobs due at the clock's start (a restart at a later `--at`), so what fell
        due while the console was not running is said at once, not at the first /wait."""
        rounds_for(self.fd.runtime).run_once()
        self.fd.settle()
        self.transcript.show_new()

    def write(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def run(self, lines: Iterator[str]) -> None:
        for raw in lines:
            line = raw.strip()
            if self.echo:
                self.write(f"> {line}")
            if not line or line.startswith("#"):
                continue
            if not self.handle(line):
                break

    def handle(self, line: str) -> bool:
        """Do one line; False means quit."""
        if not line.startswith("/"):
            self.write("[console] lines start with / — /help lists what you can type")
            return True
        verb, _, rest = line.partition(" ")
        rest = rest.strip()
        commands: dict[str, Callable[[str], None]] = {
            "/as": self.as_user,
            "/in": self.in_channel,
            "/wait": self.wait,
            "/click": self.click,
            "/submit": self.submit,
            "/cancel": self.cancel,
            "/say": self.say,
            "/home": self.home,
            "/who": self.who,
            "/help": lambda _: self.write(HELP),
        }
        if verb in ("/quit", "/exit"):
            return False
        try:
            if verb in commands:
                commands[verb](rest)
            else:
                self.slash(verb, rest)
        except Exception as error:  # the console must survive anything the bot does
            self.write(f"[console error] {type(error).__name__}: {error}")
        return True

    # ---- console commands ------------------------------------------------------------------

    def as_user(self, rest: str) -> None:
        handle = rest.lstrip("@").strip().lower()
        if handle not in self.handles:
            self.write(f"[console] no one called @{handle}: /who lists the directory")
            return
        self.user = self.handles[handle]
        self.write(f"[console] you are now @{handle}")

    def in_channel(self, rest: str) -> None:
        name = rest.lstrip("#").strip().lower()
        if name not in self.channels:
            known = ", ".join(f"#{known}" for known in self.channels)
            self.write(f"[console] no channel #{name}: the channels are {known}")
            return
        self.channel = self.channels[name]
        self.write(f"[console] commands are now typed in #{name}")

    def who(self, _rest: str) -> None:
        roles = self.fd.runtime.ctx.roles
        for user in demo.DEMO_USERS:
            marker = " (you)" if user.id == self.user else ""
            role = roles.of(user.id).value
            self.write(
                f"  @{user.handle:<10} {user.real_name:<14} {role:<10} {user.tz or 'no tz'}{marker}"
            )

    def wait(self, rest: str) -> None:
        try:
            duration = parse_wait(rest)
        except DurationError as error:
            self.write(f"[console] {error}")
            return
        now = self.fd.clock.now()
        if duration.unit == "plain":
            target = now + duration.plain
        else:
            target = self.fd.runtime.ctx.policy.calendar().add(now, duration)
        advance_clock(rounds_for(self.fd.runtime), self.fd.clock, target)
        self.fd.settle()
        self.transcript.show_new()
        self.write(f"[clock] {self._local(self.fd.clock.now())}")

    def click(self, rest: str) -> None:
        number, _, extra = rest.partition(" ")
        if not number.isdigit() or not 1 <= int(number) <= len(self.transcript.buttons):
            self.write(f"[console] no button {number or '?'}: the numbers are in square brackets")
            return
        pressed = self.transcript.buttons[int(number) - 1]
        action = self._action(pressed, extra.strip())
        if action is None:
            return
        request = self.fd.requests.block_action(
            user_id=self.user,
            action=action,
            channel_id=pressed.channel,
            message=pressed.message,
            message_ts=pressed.message_ts,
            view=pressed.view,
        )
        self._dispatch(request)

    def submit(self, rest: str) -> None:
        view = self.transcript.modal
        if view is None:
            self.write("[console] no modal is open")
            return
        given = form_fields(rest)
        values: dict[str, dict[str, Any]] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            raw = given.pop(block["block_id"], None)
            if raw is None:  # as Slack does, a field left alone submits what it started with
                raw = _initial(element)
            values[block["block_id"]] = {element["action_id"]: self._input_value(element, raw)}
        if given:
            self.write(f"[console] this form has no field {', '.join(sorted(given))}")
            return
        request = self.fd.requests.view_submission(user_id=self.user, view=view, values=values)
        response = self._dispatch(request)
        if not (response and '"response_action"' in (response.body or "")):
            self.transcript.modal = None

    def cancel(self, _rest: str) -> None:
        self.transcript.modal = None
        self.write("[console] modal closed")

    def say(self, rest: str) -> None:
        text = self._as_slack(rest)
        event = {
            "type": "message",
            "channel": demo.DESK_CHANNEL[0],
            "channel_type": "channel",
            "user": self.user,
            "text": text,
            "ts": f"{self.fd.clock.now().timestamp():.6f}",
        }
        self._dispatch(self.fd.requests.event(event))

    def home(self, _rest: str) -> None:
        self.transcript.home_wanted = self.user
        event = {
            "type": "app_home_opened",
            "user": self.user,
            "channel": self.fd.double.dm_channel(self.user),
            "tab": "home",
        }
        self._dispatch(self.fd.requests.event(event))

    def slash(self, command: str, rest: str) -> None:
        if command.lower() not in self.slash_commands:
            close = difflib.get_close_matches(command.lower(), sorted(self.slash_commands), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            known = ", ".join(sorted(self.slash_commands))
            self.write(f"[console] {command} is not a command: {hint}(commands: {known}; /help)")
            return
        command = command.lower()
        self.transcript.modal_user = self.user
        request = self.fd.requests.command(
            command, self._as_slack(rest), user_id=self.user, channel_id=self.channel
        )
        self._dispatch(request)

    # ---- plumbing --------------------------------------------------------------------------

    def _dispatch(self, request: Any) -> Any:
        self.transcript.modal_user = self.user
        response = self.fd.dispatch(request)
        self.transcript.show_ack(response, self.user)
        self.fd.settle()
        self.transcript.show_new()
        return response

    def _as_slack(self, text: str) -> str:
        """Escape as Slack does, then turn @handles into mentions."""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        def mention(match: re.Match[str]) -> str:
            handle = match.group(1).lower()
            user_id = self.handles.get(handle)
            return f"<@{user_id}|{handle}>" if user_id else match.group(0)

        return MENTION.sub(mention, escaped)

    def _action(self, pressed: Pressable, extra: str) -> dict[str, Any] | None:
        button = pressed.button
        action: dict[str, Any] = {
            "action_id": button.action_id,
            "block_id": button.block_id,
            "type": button.kind,
        }
        if button.kind == "button":
            action |= {"value": button.value, "text": {"type": "plain_text", "text": button.label}}
        elif button.kind in ("users_select", "multi_users_select"):
            user_id = self.handles.get(extra.lstrip("@").lower())
            if user_id is None:
                self.write("[console] say whom: /click N @person")
                return None
            action["selected_user"] = user_id
        else:
            action["selected_option"] = {
                "text": {"type": "plain_text", "text": button.label},
                "value": button.value,
            }
        return action

    def _input_value(self, element: dict[str, Any], raw: str) -> dict[str, Any]:
        kind = element["type"]
        if kind in ("users_select",):
            return {"type": kind, "selected_user": self.handles.get(raw.lstrip("@").lower())}
        if kind == "checkboxes":
            chosen = [
                o
                for o in element.get("options", [])
                if raw.lower() in ("yes", "y", "true", "1", "on")
            ]
            return {"type": kind, "selected_options": chosen[:1]}
        if kind in ("static_select", "radio_buttons"):
            options = element.get("options", [])
            picked = next(
                (
                    o
                    for o in options
                    if raw.lower() in (o["value"].lower(), o["text"]["text"].lower())
                ),
                None,
            )
            return {"type": kind, "selected_option": picked}
        if kind == "datepicker":
            return {"type": kind, "selected_date": raw or None}
        if kind == "timepicker":
            return {"type": kind, "selected_time": raw or None}
        return {"type": kind, "value": raw or None}

    def _local(self, instant: datetime) -> str:
        user = self.fd.double.user(self.user)
        zone = ZoneInfo(str(user["tz"])) if user and user.get("tz") else self.site_tz
        return instant.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")


def _initial(element: dict[str, Any]) -> str:
    """What a form field starts with (its initial value, option or date), as typed text."""
    option = element.get("initial_option") or {}
    return str(
        element.get("initial_value") or option.get("value") or element.get("initial_date") or ""
    )


def form_fields(text: str) -> dict[str, str]:
    """`f=v; g="a; b"; h=c\\; d` → {f: v, g: "a; b", h: "c; d"}."""
    given: dict[str, str] = {}
    for match in FIELD_SEPARATOR.finditer(text):
        part = match.group(0).strip()
        if not part:
            continue
        key, _, value = part.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        given[key.strip()] = re.sub(r"\\(.)", r"\1", value)
    return given


def _slash_commands() -> set[str]:
    """The slash commands the manifest declares (what Slack would send on)."""
    from bot.runtime.manifest import load_manifest

    declared = load_manifest()["features"]["slash_commands"]
    return {str(c["command"]).lower() for c in declared}


def read_lines(stream: TextIO, interactive: bool) -> Iterator[str]:
    """Lines from a pipe, or from the keyboard with a prompt."""
    if not interactive:
        yield from stream
        return
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history where available)
    while True:
        try:
            yield input("> ")
        except EOFError:
            return


def start_at(text: str | None, tz: ZoneInfo, now: datetime) -> datetime:
    """The console clock's start: `--at "2026-11-23 09:00"` in site time, else now."""
    if not text:
        return now
    from bot.domain.due import parse_start

    return parse_start(text, tz)


__all__ = ["Console", "read_lines", "start_at", "timedelta"]
