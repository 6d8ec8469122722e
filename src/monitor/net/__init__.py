"""Network guard and wire helpers shared by the sources stage and the webhook channel."""
