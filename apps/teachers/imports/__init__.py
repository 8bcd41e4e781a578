"""Bulk import of teacher records from the spreadsheets schools keep (XLSX and CSV)."""
