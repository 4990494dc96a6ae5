"""pytest-bdd step definitions for the howto scenarios."""
