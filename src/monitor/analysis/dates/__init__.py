"""Dates in Arabic text: absolute, relative (resolved against the publication date) and Hijri."""
