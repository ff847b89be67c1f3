"""The AI conformance kit: checks any service at an address against the botbridge.ai.v1 contract."""
