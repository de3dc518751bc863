"""The webhook inbox: verified provider events stored once, processed by a job."""
