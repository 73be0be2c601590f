"""Email notifications over SMTP (STARTTLS, implicit TLS or plain on a trusted relay).

Off until a tenant enables it and gives its SMTP settings. Invitations and password-reset links
are sent through this channel only."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from herald.plugins import (
    Notification,
    Notifier,
    OutboundRefused,
    PluginSettings,
    hookimpl,
    outbound_smtp_connection,
    refuse_internal_destination,
)

HERALD_HOOK_API = "1.0"
HERALD_DEFAULT_ENABLED = False


class EmailSettings(Schema):
    host = fields.String(required=True, validate=validate.Length(min=1, max=253),
                         metadata={"description": "SMTP server host name"})
    port = fields.Integer(load_default=587, validate=validate.Range(min=1, max=65535))
    security = fields.String(load_default="starttls", validate=validate.OneOf(["starttls", "ssl", "none"]),
                             metadata={"description": "starttls (port 587), ssl (implicit TLS, port 465) or "
                                                      "none (a trusted relay only)"})
    username = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))
    password = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    from_address = fields.Email(required=True, metadata={"description": "The sender, e.g. herald@example.com"})
    timeout_seconds = fields.Integer(load_default=15, validate=validate.Range(min=1, max=120))
    ca_certificate_pem = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20000),
                                       metadata={"description": "Also trust this CA (PEM) for the server's "
                                                                "certificate, e.g. an internal relay's"})


    @validates_schema
    def _reachable(self, data: dict[str, Any], **_: Any) -> None:
        host, port = data.get("host"), data.get("port") or 587
        if host:
            try:
                refuse_internal_destination(host, port, what=f"the SMTP server {host}:{port}")
            except OutboundRefused as exc:
                raise ValidationError(exc.detail, field_name="host") from exc


def email_link(notification: Notification) -> str | None:
    """The address an email gives: a full link the sender built (an invitation, a reset link),
    else the console page the notification is about on this instance's public URL. A path alone
    is no use in a mail client, so without ``HERALD_PUBLIC_URL`` there is none."""
    link = notification.link
    if link and link.startswith(("https://", "http://")):
        return link
    from herald.notifications.links import target
    from herald.runtime import current

    path = target(link, notification.data)
    try:
        base = current().settings.public_url
    except RuntimeError:  # no runtime: a notifier used on its own
        base = None
    return f"{base}{path}" if path and base else None


class EmailNotifier(Notifier):
    key = "email"
    display_name = "Email"

    def message(self, notification: Notification) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.settings["from_address"]
        msg["To"] = notification.recipient_email
        msg["Subject"] = notification.title.replace("\r", " ").replace("\n", " ")[:250]
        msg["Message-ID"] = make_msgid(domain=self.settings["from_address"].split("@")[-1])
        text = notification.body or notification.title
        link = email_link(notification)
        if link:
            text = f"{text}\n\n{link}\n"
        msg.set_content(text)
        return msg

    def notify(self, notification: Notification) -> None:
        """Send one email; any SMTP or network failure raises so Herald retries later."""
        if not notification.recipient_email:
            return
        s = self.settings
        timeout = s.get("timeout_seconds", 15)
        context = ssl.create_default_context()
        if s.get("ca_certificate_pem"):
            context.load_verify_locations(cadata=s["ca_certificate_pem"])
        implicit_tls = s.get("security") == "ssl"
        # the outbound policy checks the host and port before connecting (OutboundRefused)
        smtp: smtplib.SMTP = outbound_smtp_connection(
            s["host"], int(s.get("port") or (465 if implicit_tls else 587)), implicit_tls=implicit_tls,
            timeout=timeout, context=context, what="the SMTP server")
        with smtp:
            smtp.ehlo()
            if s.get("security", "starttls") == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.get("username"):
                smtp.login(s["username"], s.get("password") or "")
            smtp.send_message(self.message(notification))


@hookimpl(trylast=True)
def herald_notifiers() -> list[type[Notifier]]:
    return [EmailNotifier]


@hookimpl
def herald_plugin_settings() -> PluginSettings:
    return PluginSettings(EmailSettings, secret_fields=("password",))
