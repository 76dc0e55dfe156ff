"""The command line: parse, call a service, render. Business rules live elsewhere."""
