"""Settings for a developer's machine and `make run`: debug on, files under var/."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
