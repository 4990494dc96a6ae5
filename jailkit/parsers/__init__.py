"""Parsers for FreeBSD output formats, one module per format."""
