"""Admin of complaints: the complaint workspace, its steps and review, and letter templates."""

from .complaint import ComplaintAdmin
from .templates import LetterTemplateAdmin

__all__ = ["ComplaintAdmin", "LetterTemplateAdmin"]
