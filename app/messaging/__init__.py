"""Conversations: one gateway interface (gateway.py), its embedded adapter over the platform's
database (embedded.py), and the events both raise in the shape of MMS3_CONTRACT.md
(events.py)."""
