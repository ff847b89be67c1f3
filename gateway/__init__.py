"""The webhook edge: answers Dimelo's handshake and hands every delivery to the orchestrator over gRPC."""
