"""Alert broadcasts and subscriptions: schedule, claim, send exactly once, record results."""
