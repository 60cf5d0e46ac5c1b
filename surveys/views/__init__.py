from .desk import desk_view, export_view, follow_up_view
from .public import survey_view, thanks_view

__all__ = ["desk_view", "export_view", "follow_up_view", "survey_view", "thanks_view"]
