"""Models of the chat channel (see DESIGN.md)."""
