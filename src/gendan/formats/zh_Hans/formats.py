"""Chinese numbers as trade documents write them: 1,234,567.89.

Django's own zh_Hans formats group by four digits with no separator.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
