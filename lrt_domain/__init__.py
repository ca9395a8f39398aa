"""The LRT domain: events, aggregates and rules. Pure: no I/O, no clock, no SQL."""
