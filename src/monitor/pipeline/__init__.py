"""The cycle: the one place that knows the order of the stages (sources -> analysis -> stories -> timeline -> alerts) and the runtime they share."""
