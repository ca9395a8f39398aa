"""The command side of lrt: application services over the eventsourcing library."""

__version__ = "0.1.0"
