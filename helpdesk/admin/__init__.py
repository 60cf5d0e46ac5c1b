"""Admin of the core, one module per area."""

from . import knowledge, people, policy, sla  # noqa: F401
