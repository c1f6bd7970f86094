"""The register's rules: units, criteria sets, plans, recording; what may be written and how."""
