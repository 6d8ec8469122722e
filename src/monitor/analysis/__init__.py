"""Analysis stage: normalised Arabic text -> relevance, dates, places, numbers and claims. Hands on `Analysis` records."""
