"""Guideline rules, one small object per clause, grouped by profile (masshealth, medicare)."""
