"""Clockify clients cross-referenced with docs101 customers: matching names, reading a CSV."""
