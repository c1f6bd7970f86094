"""ntmtrack: the register of Vietnam's New Rural Development (nông thôn mới) programme."""

__version__ = "0.1.0"
