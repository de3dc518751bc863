"""The built-in test checkout: with no processor keys (never in production) a checkout goes
to a page of ours that sends the app a correctly signed webhook in the processor's format."""
