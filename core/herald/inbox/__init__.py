"""The unified inbox: every mention, comment and direct message of a tenant's accounts, threaded
into conversations, routed to teams, answered within agreed times (see docs/inbox.md)."""
