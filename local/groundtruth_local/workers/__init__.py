"""Simulated workers that label through the worker portal."""
