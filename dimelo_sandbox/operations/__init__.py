"""What happens in Dimelo when someone acts; shared by the REST API (bots) and the control API (customers, agents)."""
