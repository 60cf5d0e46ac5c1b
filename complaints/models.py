"""Models of the complaints channel (see DESIGN.md)."""
