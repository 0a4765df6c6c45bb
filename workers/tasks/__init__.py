"""Dramatiq for the night's re-plan: configuration, broker, steps, actors, dispatch, runner."""
