"""The tables of KeyLedger, by what they record; app/models.py is their table of contents."""
