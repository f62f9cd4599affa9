"""Files in and out: every Excel and Word reader and writer (import, list and report exports,
the circular as .docx and .xlsx, the SQLite backup). Pure functions of data; no request."""
