"""Ingest: reading exports, source profiles, category rules, staging,
reversal netting, duplicates, area assignment, checks and data quality.
"""
