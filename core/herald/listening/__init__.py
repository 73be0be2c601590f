"""Social listening: queries in one query language, compiled by each connector into what its
network's search accepts, run as scheduled jobs within the network's rate budget, their hits
stored once and shown as volume, sentiment, share of voice, top authors and top terms, with
spike alerts to the query's owners (see docs/listening.md)."""
