"""Admin: knowledge."""
