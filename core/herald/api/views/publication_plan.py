"""A post's publication plan: which account gets which variant, and why."""

from __future__ import annotations

from herald.api.blueprint import bp
from herald.api.context import actor, db
from herald.api.endpoint import endpoint
from herald.api.schemas.publication_plan import PublicationPlanOut
from herald.publishing.publication_plan import post_plan

TAG = "Publishing"


@endpoint(bp, "/tenants/<tenant_id>/posts/<post_id>/plan", "GET",
          summary="The post's publication plan: each account's variant (language), an excerpt, why, and whether "
          "the account can publish", tag=TAG, response=PublicationPlanOut)
def publication_plan(tenant_id: str, post_id: str):  # type: ignore[no-untyped-def]
    return post_plan(db(), actor(), tenant_id, post_id)
