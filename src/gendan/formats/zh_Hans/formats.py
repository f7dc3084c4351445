"""Chinese number formats as trade documents write them: 1,234,567.89 (Django's default groups by 4 with no separator)."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
