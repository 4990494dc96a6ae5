"""sh(1) of FreeBSD 14: parser (syntax, arith), interpreter (shell) and
built-ins (builtins, registered here by importing them)."""

from . import builtins  # noqa: F401  (fills shell.BUILTINS)
