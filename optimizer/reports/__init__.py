"""Figures for people — summary, status, census, weekly — computed, never written here."""
