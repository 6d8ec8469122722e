"""Sources stage: fetch feeds and pages over HTTP, parse feeds (in sandboxed workers) and extract article text. Hands on `Article` records."""
