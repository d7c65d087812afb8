"""The Textual dashboard: app shell (keys, header, settings, export) and the five views."""
