"""answer-coach: grounded coaching feedback on career-goals interview answers."""

__version__ = "0.1.0"
