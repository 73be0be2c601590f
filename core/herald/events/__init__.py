"""Domain events and their subscribers (outbound webhooks, customer journeys)."""
