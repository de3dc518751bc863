"""Donations: creator payment settings (Paddle, ABA KHQR, PayPal), the donate checkout
through Paddle, its webhook handlers and ledger entries."""
