"""The evidence vocabulary: cases, persons, items, locations, event kinds, custody rules.

No database here.
"""
