"""Block Kit as readable text for the console: pure functions, no I/O."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

DIVIDER: Final = "────"
CONTEXT_INDENT: Final = "  "

_ANGLE = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(lt|gt|amp);")
_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&"}
_DATE_TOKEN = re.compile(r"\{(\w+)\}")
_SPECIAL_MENTIONS: Final = {"channel": "@channel", "here": "@here", "everyone": "@everyone"}

# What to type into an input, by element type.
_INPUT_HINTS: Final = {
    "plain_text_input": "text",
    "email_text_input": "e-mail",
    "number_input": "number",
    "datepicker": "date YYYY-MM-DD",
    "timepicker": "time HH:MM",
    "datetimepicker": "date and time",
    "users_select": "a person",
    "multi_users_select": "people",
    "conversations_select": "a conversation",
    "channels_select": "a channel",
}


@dataclass(frozen=True)
class Button:
    """Something the console user can press with `/click N`.

    `kind` is the element's type: "button", or for a choice, "static_select", "overflow",
    "users_select", … (a select whose options are listed has one Button per option).
    """

    label: str
    action_id: str
    value: str | None
    block_id: str | None
    style: str | None
    url: str | None
    kind: str = "button"


@dataclass(frozen=True)
class Rendered:
    lines: list[str]
    buttons: list[Button]


UserName = Callable[[str], str]


def render_mrkdwn(text: str, *, viewer_tz: ZoneInfo, user_name: UserName) -> str:
    """Turn Slack mrkdwn into what a reader sees: names, channels, local times, link labels."""
    out: list[str] = []
    position = 0
    for match in _ANGLE.finditer(text):
        out.append(_unescape(text[position : match.start()]))
        out.append(_angle(match.group(1), viewer_tz, user_name))
        position = match.end()
    out.append(_unescape(text[position:]))
    return "".join(out)


def render_message(
    text: str | None,
    blocks: list[dict[str, Any]] | None,
    *,
    viewer_tz: ZoneInfo,
    user_name: UserName,
    first_button_number: int = 1,
) -> Rendered:
    """Render a message: its blocks, or its text when it has none."""
    renderer = _Renderer(viewer_tz, user_name, first_button_number)
    if blocks:
        renderer.blocks(blocks)
    elif text:
        renderer.lines.extend(renderer.mrkdwn(text).split("\n"))
    return Rendered(renderer.lines, renderer.buttons)


def render_view(
    view: dict[str, Any],
    *,
    viewer_tz: ZoneInfo,
    user_name: UserName,
    first_button_number: int = 1,
) -> Rendered:
    """Render a modal or Home tab: its title, its blocks, and for a modal its submit label."""
    renderer = _Renderer(viewer_tz, user_name, first_button_number)
    title = _plain(view.get("title"))
    if title:
        renderer.lines.append(f"=== {title} ===")
    renderer.blocks(view.get("blocks") or [])
    submit, close = _plain(view.get("submit")), _plain(view.get("close"))
    if submit or close:
        labels = [f"submit: {submit}"] if submit else []
        labels += [f"close: {close}"] if close else []
        renderer.lines.append(f"({' · '.join(labels)})")
    return Rendered(renderer.lines, renderer.buttons)


class _Renderer:
    def __init__(self, viewer_tz: ZoneInfo, user_name: UserName, first_number: int) -> None:
        self.viewer_tz = viewer_tz
        self.user_name = user_name
        self.next_number = first_number
        self.lines: list[str] = []
        self.buttons: list[Button] = []

    def mrkdwn(self, text: str) -> str:
        return render_mrkdwn(text, viewer_tz=self.viewer_tz, user_name=self.user_name)

    def text(self, obj: object) -> str:
        """A text object as shown: mrkdwn rendered, plain_text as written."""
        if not isinstance(obj, Mapping):
            return ""
        text = str(obj.get("text") or "")
        return self.mrkdwn(text) if obj.get("type") == "mrkdwn" else text

    def blocks(self, blocks: list[dict[str, Any]]) -> None:
        for block in blocks:
            render = getattr(self, f"_{block.get('type')}", None)
            if render is None:
                self.lines.append(f"[{block.get('type')}]")
            else:
                render(block)

    def _section(self, block: Mapping[str, Any]) -> None:
        if "text" in block:
            self.lines.extend(self.text(block["text"]).split("\n"))
        for field in block.get("fields") or []:
            self.lines.append("  " + " ".join(self.text(field).split("\n")))
        accessory = block.get("accessory")
        if isinstance(accessory, Mapping) and accessory.get("type") != "image":
            self.lines.append("  " + "   ".join(self.controls(accessory, block.get("block_id"))))

    def _header(self, block: Mapping[str, Any]) -> None:
        self.lines.append(f"== {self.text(block.get('text'))} ==")

    def _context(self, block: Mapping[str, Any]) -> None:
        parts = []
        for element in block.get("elements") or []:
            if element.get("type") == "image":
                parts.append(f"[image: {element.get('alt_text', '')}]")
            else:
                parts.append(" ".join(self.text(element).split("\n")))
        self.lines.append(CONTEXT_INDENT + "  ".join(parts))

    def _divider(self, block: Mapping[str, Any]) -> None:
        self.lines.append(DIVIDER)

    def _image(self, block: Mapping[str, Any]) -> None:
        self.lines.append(f"[image: {block.get('alt_text', '')}]")

    def _file(self, block: Mapping[str, Any]) -> None:
        self.lines.append(f"[file: {block.get('external_id', '')}]")

    def _actions(self, block: Mapping[str, Any]) -> None:
        controls: list[str] = []
        for element in block.get("elements") or []:
            controls.extend(self.controls(element, block.get("block_id")))
        self.lines.append("   ".join(controls))

    def _input(self, block: Mapping[str, Any]) -> None:
        element = block.get("element") or {}
        name = block.get("block_id") or element.get("action_id") or "?"
        initial = _initial_value(element)
        line = f"  {self.text(block.get('label'))} ({name}): {initial or '____'}"
        line += f"  [{self._input_hint(element)}]"
        if block.get("optional"):
            line += " (optional)"
        self.lines.append(line)
        if "hint" in block:
            self.lines.append(CONTEXT_INDENT * 2 + self.text(block["hint"]))

    def _rich_text(self, block: Mapping[str, Any]) -> None:
        for element in block.get("elements") or []:
            self.lines.extend(self._rich(element))

    def _rich(self, element: Mapping[str, Any]) -> Iterator[str]:
        kind = element.get("type")
        if kind == "rich_text_list":
            for item in element.get("elements") or []:
                for line in self._rich(item):
                    yield f"• {line}"
        elif kind in {"rich_text_quote", "rich_text_preformatted"}:
            mark = "> " if kind == "rich_text_quote" else "    "
            for line in self._rich({"type": "rich_text_section", **element}):
                yield mark + line
        else:
            text = "".join(self._rich_inline(part) for part in element.get("elements") or [])
            yield from text.split("\n")

    def _rich_inline(self, part: Mapping[str, Any]) -> str:
        kind = part.get("type")
        if kind == "user":
            return "@" + self.user_name(str(part.get("user_id")))
        if kind == "channel":
            return "#" + str(part.get("channel_id"))
        if kind == "link":
            url = str(part.get("url"))
            return f"{part['text']} ({url})" if part.get("text") else url
        if kind == "emoji":
            return f":{part.get('name')}:"
        if kind == "broadcast":
            return "@" + str(part.get("range"))
        if kind == "date":
            return _format_date(
                str(part.get("timestamp")), str(part.get("format")), self.viewer_tz
            ) or str(part.get("fallback", ""))
        return str(part.get("text", ""))

    def controls(self, element: Mapping[str, Any], block_id: str | None) -> list[str]:
        """Number each thing the user can press and return how each is shown."""
        kind = str(element.get("type"))
        action_id = str(element.get("action_id") or "")
        if kind == "button":
            return [
                self.press(
                    Button(
                        label=self.text(element.get("text")),
                        action_id=action_id,
                        value=element.get("value"),
                        block_id=block_id,
                        style=element.get("style"),
                        url=element.get("url"),
                    )
                )
            ]
        options = _options(element)
        if options:
            shown = [
                self.press(
                    Button(
                        label=self.text(option.get("text")),
                        action_id=action_id,
                        value=option.get("value"),
                        block_id=block_id,
                        style=None,
                        url=option.get("url"),
                        kind=kind,
                    )
                )
                for option in options
            ]
            placeholder = self.text(element.get("placeholder"))
            return [f"{placeholder}: {' '.join(shown)}"] if placeholder else shown
        placeholder = self.text(element.get("placeholder")) or _INPUT_HINTS.get(kind, kind)
        label = f"{placeholder}…"
        return [self.press(Button(label, action_id, None, block_id, None, None, kind))]

    def press(self, button: Button) -> str:
        self.buttons.append(button)
        shown = f"[{self.next_number}] {button.label}"
        self.next_number += 1
        return shown

    def _input_hint(self, element: Mapping[str, Any]) -> str:
        kind = str(element.get("type"))
        options = _options(element)
        if options:
            labels = ", ".join(self.text(o.get("text")) for o in options)
            many = kind in {"multi_static_select", "checkboxes"}
            return f"{'any' if many else 'one'} of: {labels}"
        if kind == "plain_text_input" and element.get("multiline"):
            return "text, several lines"
        return _INPUT_HINTS.get(kind, kind)


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _initial_value(element: Mapping[str, Any]) -> str:
    for key in ("initial_value", "initial_date", "initial_time", "initial_user"):
        if element.get(key):
            return str(element[key])
    option = element.get("initial_option")
    if isinstance(option, Mapping):
        return _plain(option.get("text"))
    return ""


def _plain(obj: object) -> str:
    return str(obj.get("text") or "") if isinstance(obj, Mapping) else ""


def _unescape(text: str) -> str:
    """Undo Slack's escaping once (so `&amp;lt;` stays `&lt;`)."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)


def _angle(inner: str, viewer_tz: ZoneInfo, user_name: UserName) -> str:
    """Render one `<…>` entity: a mention, a channel, a date, a special mention, or a link."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + user_name(target[1:])
    if target.startswith("#"):
        return "#" + _unescape(label or target[1:])
    if target.startswith("!date^"):
        parts = target.split("^")  # !date, timestamp, format[, link]
        shown = _format_date(parts[1], parts[2], viewer_tz) if len(parts) >= 3 else None
        return _unescape(shown or label)
    if target.startswith("!subteam^"):
        return _unescape(label) or "@" + target.removeprefix("!subteam^")
    if target.startswith("!"):
        return _SPECIAL_MENTIONS.get(target[1:], _unescape(label) or "@" + target[1:])
    url = _unescape(target)
    return f"{_unescape(label)} ({url})" if label else url


def _format_date(timestamp: str, fmt: str, viewer_tz: ZoneInfo) -> str | None:
    """Fill in Slack's date tokens in the reader's zone; None if the timestamp is unreadable."""
    try:
        moment = datetime.fromtimestamp(int(timestamp), tz=viewer_tz)
    except (ValueError, OverflowError, OSError):
        return None
    # No "now" here, so the *_pretty forms show the date rather than Today/Tomorrow.
    tokens = {
        "date_num": moment.strftime("%Y-%m-%d"),
        "date": f"{moment.day} {moment:%B %Y}",
        "date_pretty": f"{moment.day} {moment:%B %Y}",
        "date_short": f"{moment:%a} {moment.day} {moment:%b %Y}",
        "date_short_pretty": f"{moment:%a} {moment.day} {moment:%b}",
        "date_long": f"{moment:%A} {moment.day} {moment:%B %Y}",
        "date_long_pretty": f"{moment:%A} {moment.day} {moment:%B %Y}",
        "time": moment.strftime("%H:%M"),
        "time_secs": moment.strftime("%H:%M:%S"),
    }
    return _DATE_TOKEN.sub(lambda m: tokens.get(m.group(1), m.group(0)), fmt)
