"""The HTTP API: parse, authorize, call a service, render."""
