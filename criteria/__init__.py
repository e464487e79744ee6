"""Qualification rules for home oxygen therapy, clause by clause (MassHealth MG-OXY, Medicare)."""
