"""Browser-facing pages and redirects outside the JSON API: SSO routes and the sign-in page."""
