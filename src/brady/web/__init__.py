"""The web pages: parse, authorize, call a service, render."""
