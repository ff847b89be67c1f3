"""The orchestrator: stores webhook events durably and runs each conversation (AI answer or handover)."""
