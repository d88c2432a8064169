"""Slack's documented Block Kit limits, checked the way Slack checks them.

Each check returns None when Slack would accept what it was given, or one string
``"<slack error name>: <human detail [json-pointer:/where]>"``; `split_error` takes it apart.
Block-level problems are Slack's ``invalid_blocks``; problems with a view's own fields (title,
submit, close, private_metadata) are ``invalid_arguments``, as Slack answers them; a message
``text`` over 40,000 characters is ``msg_too_long``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

Surface = Literal["message", "modal", "home"]

# ---- the table of limits -------------------------------------------------------------------
MAX_BLOCKS: Final[Mapping[str, int]] = {"message": 50, "modal": 100, "home": 100}
MAX_LENGTH: Final[Mapping[str, int]] = {
    "message.text": 40_000,
    "section.text": 3000,
    "section.field": 2000,
    "header.text": 150,
    "button.text": 75,
    "button.value": 2000,
    "button.url": 3000,
    "action_id": 255,
    "block_id": 255,
    "placeholder": 150,
    "option.text": 75,
    "option.value": 150,
    "input.label": 2000,
    "input.hint": 2000,
    "image.alt_text": 2000,
    "image.url": 3000,
    "view.title": 24,
    "view.submit": 24,
    "view.close": 24,
    "view.private_metadata": 3000,
    "view.callback_id": 255,
}
MAX_COUNT: Final[Mapping[str, int]] = {
    "section.fields": 10,
    "actions.elements": 25,
    "context.elements": 10,
    "select.options": 100,
    "overflow.options": 5,
    "checkboxes.options": 10,
    "radio_buttons.options": 10,
}
BLOCK_TYPES: Final = frozenset(
    {"section", "divider", "image", "actions", "context", "input", "header", "rich_text", "file"}
)
TEXT_TYPES: Final = frozenset({"plain_text", "mrkdwn"})
SELECT_TYPES: Final = frozenset(
    {
        "static_select",
        "multi_static_select",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "channels_select",
    }
)
INPUT_TYPES: Final = SELECT_TYPES | {
    "datepicker",
    "timepicker",
    "datetimepicker",
    "plain_text_input",
    "email_text_input",
    "number_input",
    "checkboxes",
    "radio_buttons",
}
INTERACTIVE_TYPES: Final = INPUT_TYPES | {"button", "overflow"}
ELEMENT_TYPES: Final = INTERACTIVE_TYPES | {"image"} | TEXT_TYPES
BUTTON_STYLES: Final = frozenset({"primary", "danger"})


class _Refusal(Exception):
    """What Slack would answer instead of ok."""

    def __init__(self, error: str, detail: str, where: str) -> None:
        super().__init__(f"{error}: {detail} [json-pointer:{where}]")


def split_error(refusal: str) -> tuple[str, str]:
    """Split a refusal from this module into Slack's error name and the human detail."""
    error, _, detail = refusal.partition(": ")
    return error, detail


def validate_blocks(blocks: object, surface: Surface) -> str | None:
    """Return why Slack would refuse these blocks on this surface, or None if it would not."""
    try:
        _Blocks(surface).check(blocks, "/blocks")
    except _Refusal as refusal:
        return str(refusal)
    return None


def validate_message(text: object, blocks: object) -> str | None:
    """Return why Slack would refuse a message with this text and these blocks, or None."""
    if isinstance(text, str) and len(text) > MAX_LENGTH["message.text"]:
        return str(
            _Refusal(
                "msg_too_long",
                f"text is {len(text)} characters; at most {MAX_LENGTH['message.text']}",
                "/text",
            )
        )
    if blocks is None:
        return None
    return validate_blocks(blocks, "message")


def validate_view(view: object, surface: Literal["modal", "home"]) -> str | None:
    """Return why Slack would refuse this view as a modal or a Home tab, or None."""
    try:
        _check_view(view, surface)
    except _Refusal as refusal:
        return str(refusal)
    return None


# ---- views ---------------------------------------------------------------------------------


def _check_view(view: object, surface: Literal["modal", "home"]) -> None:
    if not isinstance(view, Mapping):
        raise _Refusal("invalid_arguments", "view must be an object", "/view")
    if view.get("type") != surface:
        raise _Refusal(
            "invalid_arguments", f"view type must be {surface!r}, not {view.get('type')!r}", "/view"
        )
    if surface == "modal":
        if "title" not in view:
            raise _Refusal("invalid_arguments", "a modal needs a title", "/view/title")
        for field in ("title", "submit", "close"):
            if field in view:
                _check_text(
                    view[field],
                    f"/view/{field}",
                    limit=MAX_LENGTH[f"view.{field}"],
                    what=f"{field}",
                    plain_only=True,
                    error="invalid_arguments",
                )
    metadata = view.get("private_metadata")
    if metadata is not None:
        _check_length(
            metadata, "view.private_metadata", "/view/private_metadata", "invalid_arguments"
        )
    callback_id = view.get("callback_id")
    if callback_id is not None:
        _check_length(callback_id, "view.callback_id", "/view/callback_id", "invalid_arguments")
    blocks = view.get("blocks")
    if blocks is None:
        raise _Refusal("invalid_arguments", "a view needs blocks", "/view/blocks")
    _Blocks(surface).check(blocks, "/view/blocks")
    has_inputs = any(isinstance(b, Mapping) and b.get("type") == "input" for b in blocks)
    if surface == "modal" and has_inputs and "submit" not in view:
        raise _Refusal(
            "invalid_arguments", "a modal with input blocks needs a submit button", "/view"
        )


def _check_length(value: object, limit_name: str, where: str, error: str) -> None:
    if not isinstance(value, str):
        raise _Refusal(error, f"{limit_name} must be a string", where)
    limit = MAX_LENGTH[limit_name]
    if len(value) > limit:
        raise _Refusal(error, f"{limit_name} is {len(value)} characters; at most {limit}", where)


def _check_text(
    obj: object,
    where: str,
    *,
    limit: int,
    what: str,
    plain_only: bool = False,
    error: str = "invalid_blocks",
) -> None:
    """Check one text object: its type, that it is not empty, and its length."""
    if not isinstance(obj, Mapping):
        raise _Refusal(error, f"{what} must be a text object", where)
    kind = obj.get("type")
    allowed = {"plain_text"} if plain_only else TEXT_TYPES
    if kind not in allowed:
        raise _Refusal(error, f"{what} must be of type {' or '.join(sorted(allowed))}", where)
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        raise _Refusal(error, f"{what} must have non-empty text", f"{where}/text")
    if len(text) > limit:
        raise _Refusal(error, f"{what} is {len(text)} characters; at most {limit}", f"{where}/text")


# ---- blocks and elements -------------------------------------------------------------------


class _Blocks:
    """One message or view's blocks: ids must be unique across all of them."""

    def __init__(self, surface: Surface) -> None:
        self.surface = surface
        self.action_ids: set[str] = set()
        self.block_ids: set[str] = set()

    def check(self, blocks: object, where: str) -> None:
        if not isinstance(blocks, list):
            raise _Refusal("invalid_blocks", "blocks must be a list", where)
        limit = MAX_BLOCKS[self.surface]
        if len(blocks) > limit:
            raise _Refusal(
                "invalid_blocks",
                f"{len(blocks)} blocks; at most {limit} in a {self.surface}",
                where,
            )
        for index, block in enumerate(blocks):
            self._block(block, f"{where}/{index}")

    def _block(self, block: object, where: str) -> None:
        if not isinstance(block, Mapping):
            raise _Refusal("invalid_blocks", "a block must be an object", where)
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            raise _Refusal("invalid_blocks", f"unknown block type {kind!r}", f"{where}/type")
        block_id = block.get("block_id")
        if block_id is not None:
            _check_length(block_id, "block_id", f"{where}/block_id", "invalid_blocks")
            if block_id in self.block_ids:
                raise _Refusal(
                    "invalid_blocks", f"block_id {block_id!r} is used twice", f"{where}/block_id"
                )
            self.block_ids.add(block_id)
        getattr(self, f"_{kind}")(block, where)

    def _section(self, block: Mapping[str, Any], where: str) -> None:
        if "text" not in block and "fields" not in block:
            raise _Refusal("invalid_blocks", "a section needs text or fields", where)
        if "text" in block:
            _check_text(
                block["text"],
                f"{where}/text",
                limit=MAX_LENGTH["section.text"],
                what="section text",
            )
        if "fields" in block:
            fields = block["fields"]
            if not isinstance(fields, list) or not fields:
                raise _Refusal("invalid_blocks", "fields must be a non-empty list", where)
            limit = MAX_COUNT["section.fields"]
            if len(fields) > limit:
                raise _Refusal(
                    "invalid_blocks", f"{len(fields)} fields; at most {limit}", f"{where}/fields"
                )
            for index, field in enumerate(fields):
                _check_text(
                    field,
                    f"{where}/fields/{index}",
                    limit=MAX_LENGTH["section.field"],
                    what="field",
                )
        if "accessory" in block:
            accessory = block["accessory"]
            kind = accessory.get("type") if isinstance(accessory, Mapping) else None
            if kind not in INTERACTIVE_TYPES | {"image"}:
                raise _Refusal(
                    "invalid_blocks", f"{kind!r} cannot be an accessory", f"{where}/accessory"
                )
            self._element(accessory, f"{where}/accessory")

    def _divider(self, block: Mapping[str, Any], where: str) -> None:
        pass

    def _image(self, block: Mapping[str, Any], where: str) -> None:
        _check_image(block, where)
        if "title" in block:
            _check_text(
                block["title"],
                f"{where}/title",
                limit=MAX_LENGTH["image.alt_text"],
                what="title",
                plain_only=True,
            )

    def _actions(self, block: Mapping[str, Any], where: str) -> None:
        elements = _non_empty_list(block, "elements", where)
        limit = MAX_COUNT["actions.elements"]
        if len(elements) > limit:
            raise _Refusal(
                "invalid_blocks", f"{len(elements)} elements; at most {limit}", f"{where}/elements"
            )
        for index, element in enumerate(elements):
            kind = element.get("type") if isinstance(element, Mapping) else None
            if kind not in INTERACTIVE_TYPES:
                raise _Refusal(
                    "invalid_blocks",
                    f"{kind!r} is not allowed in an actions block",
                    f"{where}/elements/{index}",
                )
            self._element(element, f"{where}/elements/{index}")

    def _context(self, block: Mapping[str, Any], where: str) -> None:
        elements = _non_empty_list(block, "elements", where)
        limit = MAX_COUNT["context.elements"]
        if len(elements) > limit:
            raise _Refusal(
                "invalid_blocks", f"{len(elements)} elements; at most {limit}", f"{where}/elements"
            )
        for index, element in enumerate(elements):
            at = f"{where}/elements/{index}"
            kind = element.get("type") if isinstance(element, Mapping) else None
            if kind == "image":
                _check_image(element, at)
            elif kind in TEXT_TYPES:
                _check_text(element, at, limit=MAX_LENGTH["section.text"], what="context text")
            else:
                raise _Refusal("invalid_blocks", f"{kind!r} is not allowed in a context block", at)

    def _input(self, block: Mapping[str, Any], where: str) -> None:
        if self.surface == "message":
            raise _Refusal("invalid_blocks", "input blocks are not allowed in messages", where)
        _check_text(
            block.get("label"),
            f"{where}/label",
            limit=MAX_LENGTH["input.label"],
            what="label",
            plain_only=True,
        )
        if "hint" in block:
            _check_text(
                block["hint"],
                f"{where}/hint",
                limit=MAX_LENGTH["input.hint"],
                what="hint",
                plain_only=True,
            )
        element = block.get("element")
        kind = element.get("type") if isinstance(element, Mapping) else None
        if not isinstance(element, Mapping) or kind not in INPUT_TYPES:
            raise _Refusal(
                "invalid_blocks", f"{kind!r} is not an input element", f"{where}/element"
            )
        self._element(element, f"{where}/element")

    def _header(self, block: Mapping[str, Any], where: str) -> None:
        _check_text(
            block.get("text"),
            f"{where}/text",
            limit=MAX_LENGTH["header.text"],
            what="header text",
            plain_only=True,
        )

    def _rich_text(self, block: Mapping[str, Any], where: str) -> None:
        if not isinstance(block.get("elements"), list):
            raise _Refusal("invalid_blocks", "rich_text needs a list of elements", where)

    def _file(self, block: Mapping[str, Any], where: str) -> None:
        if not block.get("external_id") or block.get("source") != "remote":
            raise _Refusal("invalid_blocks", "a file block needs external_id and source", where)

    def _element(self, element: Mapping[str, Any], where: str) -> None:
        kind = element.get("type")
        if kind not in ELEMENT_TYPES:
            raise _Refusal("invalid_blocks", f"unknown element type {kind!r}", f"{where}/type")
        action_id = element.get("action_id")
        if action_id is not None:
            _check_length(action_id, "action_id", f"{where}/action_id", "invalid_blocks")
            if action_id in self.action_ids:
                raise _Refusal(
                    "invalid_blocks",
                    f"action_id {action_id!r} is used twice",
                    f"{where}/action_id",
                )
            self.action_ids.add(action_id)
        if kind == "button":
            _check_button(element, where)
        elif kind == "image":
            _check_image(element, where)
        if "placeholder" in element:
            _check_text(
                element["placeholder"],
                f"{where}/placeholder",
                limit=MAX_LENGTH["placeholder"],
                what="placeholder",
                plain_only=True,
            )
        if kind in {"static_select", "multi_static_select"}:
            if "options" in element:
                _check_options(element["options"], MAX_COUNT["select.options"], where)
            elif "option_groups" not in element:
                raise _Refusal("invalid_blocks", "a static select needs options", where)
        elif kind in {"overflow", "checkboxes", "radio_buttons"}:
            _check_options(element.get("options"), MAX_COUNT[f"{kind}.options"], where)


def _non_empty_list(block: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = block.get(key)
    if not isinstance(value, list) or not value:
        raise _Refusal("invalid_blocks", f"{key} must be a non-empty list", f"{where}/{key}")
    return value


def _check_button(button: Mapping[str, Any], where: str) -> None:
    _check_text(
        button.get("text"),
        f"{where}/text",
        limit=MAX_LENGTH["button.text"],
        what="button text",
        plain_only=True,
    )
    if "value" in button:
        _check_length(button["value"], "button.value", f"{where}/value", "invalid_blocks")
    if "url" in button:
        _check_length(button["url"], "button.url", f"{where}/url", "invalid_blocks")
    if "style" in button and button["style"] not in BUTTON_STYLES:
        raise _Refusal("invalid_blocks", "button style must be primary or danger", f"{where}/style")


def _check_image(image: Mapping[str, Any], where: str) -> None:
    if "image_url" not in image and "slack_file" not in image:
        raise _Refusal("invalid_blocks", "an image needs image_url or slack_file", where)
    if "image_url" in image:
        _check_length(image["image_url"], "image.url", f"{where}/image_url", "invalid_blocks")
    alt_text = image.get("alt_text")
    if not alt_text:
        raise _Refusal("invalid_blocks", "an image needs alt_text", f"{where}/alt_text")
    _check_length(alt_text, "image.alt_text", f"{where}/alt_text", "invalid_blocks")


def _check_options(options: object, limit: int, where: str) -> None:
    if not isinstance(options, list) or not options:
        raise _Refusal("invalid_blocks", "options must be a non-empty list", f"{where}/options")
    if len(options) > limit:
        raise _Refusal(
            "invalid_blocks", f"{len(options)} options; at most {limit}", f"{where}/options"
        )
    for index, option in enumerate(options):
        at = f"{where}/options/{index}"
        if not isinstance(option, Mapping):
            raise _Refusal("invalid_blocks", "an option must be an object", at)
        text_limit = MAX_LENGTH["option.text"]
        _check_text(option.get("text"), f"{at}/text", limit=text_limit, what="option")
        if "value" in option:
            _check_length(option["value"], "option.value", f"{at}/value", "invalid_blocks")
