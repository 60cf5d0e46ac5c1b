"""Admin: sla."""
