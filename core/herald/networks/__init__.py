"""Social network connectors: the interface every network plugin implements."""
