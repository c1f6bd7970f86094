"""Rows → people and programs: tables, machine formats, the workbook, the HTML report, files."""
