"""Storage: the only package that speaks SQL. One module per table family; never prints."""

from .connection import Register, open_register, resolve_path, write_transaction

__all__ = ["Register", "open_register", "resolve_path", "write_transaction"]
