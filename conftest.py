"""Root fixtures shared by every test package."""
