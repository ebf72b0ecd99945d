"""Porch Light: an Alexa skill for couples, served from a Flask endpoint."""

__version__ = "0.1.0"
