"""What every service of the bridge shares: logging, gRPC server start-up and shutdown, readiness, metrics and
traces."""
