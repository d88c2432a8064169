"""The `/desk` verbs: importing this module registers every one of them."""

# Each feature adds one import line here; its module calls desk.add_verb at import.
import handlers.commands.desk_assist  # noqa: F401  (assist)
import handlers.commands.desk_board  # noqa: F401  (in, out, board, roll-call)
import handlers.commands.desk_close  # noqa: F401  (close)
import handlers.commands.desk_forget  # noqa: F401  (forget)
import handlers.commands.desk_incident  # noqa: F401  (incident, incidents)
import handlers.commands.desk_mine  # noqa: F401
import handlers.commands.desk_report  # noqa: F401  (report)
import handlers.commands.desk_watch  # noqa: F401  (watch)
