"""Herald's test kit for Herald itself and for plugin authors.

Installed as a pytest plugin (entry point ``pytest11``), so any project with Herald installed
gets these fixtures: ``herald_backend`` (each test runs on the embedded stack and, when
reachable, on PostgreSQL + Redis), ``herald_runtime``, ``app``, ``client``, ``api`` (a JSON
client that signs in as a user), ``seed`` (tenants, units, users with roles), ``run_jobs``
``register_plugin`` (register a plugin for one test, always unregistered afterwards) and
``live_herald`` (the ``app`` served over HTTP on a loopback port; ``herald.testing.live.browser()``
is a client that keeps cookies as a browser does).

Environment: ``HERALD_TEST_DATABASE_URL`` and ``HERALD_TEST_REDIS_URL`` name the services;
``HERALD_TEST_REQUIRE_SERVICES=1`` turns "services unreachable" from a skip into a failure.
"""
