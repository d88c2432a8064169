"""The `/desk` verbs: importing this module registers every one of them."""

# Each feature adds one import line here; its module calls desk.add_verb at import.
import handlers.commands.desk_mine  # noqa: F401
import handlers.commands.desk_board  # noqa: F401  (in, out, board, roll-call)
