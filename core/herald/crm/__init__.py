"""CRM sinks: the interface for pushing engagement to a CRM."""
