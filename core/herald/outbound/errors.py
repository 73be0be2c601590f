"""The one error of the outbound policy."""

from __future__ import annotations

from herald.errors import HeraldError


class OutboundRefused(HeraldError):
    """Herald would not open (or finish) a connection: the destination is not on the public
    internet and the operator did not allow it, a redirect led there, or the answer was too large
    or too slow. The message names the setting and the URL; it never carries what the remote
    service answered."""

    status = 422
    title = "Outbound connection refused"
    slug = "outbound-refused"
