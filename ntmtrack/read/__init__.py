"""Text and files → records and problems: YAML, dates, numbers, names, unit, plan and observation files."""
