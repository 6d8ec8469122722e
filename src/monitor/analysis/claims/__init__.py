"""Claims: one per clause that states a withdrawal fact, with its date, places, number and flags."""
