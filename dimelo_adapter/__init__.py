"""The Dimelo adapter: the gRPC DimeloService, the only process that calls Dimelo's REST API and holds its token."""
