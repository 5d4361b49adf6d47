"""The Qt client: only widgets, models for views and wiring; all logic is in ``models``."""
