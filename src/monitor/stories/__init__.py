"""Stories stage: merge copies and independent reports of one development into a story; decide what is new. Hands on `StoryDecision` records."""
