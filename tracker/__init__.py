"""tracker: watch legal agreements and say exactly which clause changed."""

__version__ = "0.1.0"
