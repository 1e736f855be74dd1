"""Học bạ số application package."""
