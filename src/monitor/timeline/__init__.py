"""Timeline stage: load the known timeline and give every claim a verdict against it."""
