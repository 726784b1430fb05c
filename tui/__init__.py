"""readinglist: work through a literature review, its references and related articles."""

__version__ = "0.1.0"
