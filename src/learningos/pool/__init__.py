"""The all-access subscription's monthly revenue pool, shared among creators by learning."""
