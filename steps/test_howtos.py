"""Binds every feature in scenarios/ to the howto steps."""

from pytest_bdd import scenarios

from steps.howto_steps import *  # noqa: F401,F403  (pytest-bdd finds steps in this module)

scenarios(".")
