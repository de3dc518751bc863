"""The ledger: every cent as balanced entries in integer cents (see service.py)."""
