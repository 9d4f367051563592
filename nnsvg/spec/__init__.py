"""Reading and validating spec files."""
