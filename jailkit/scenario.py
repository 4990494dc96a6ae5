"""The old name of jailkit.terminal: a howto being followed is typed at a
Terminal (kept so that code importing Scenario still works)."""

from .terminal import Terminal as Scenario, TerminalError as ScenarioError, Typed

__all__ = ["Scenario", "ScenarioError", "Typed"]
