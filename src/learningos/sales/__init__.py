"""One-time sales: prices and their split, purchases, the Lemon Squeezy adapter and its
webhook handlers."""
