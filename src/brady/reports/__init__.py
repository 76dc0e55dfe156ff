"""Reports: chain of custody, disclosure, labels, exports; only facts the projections hold."""
