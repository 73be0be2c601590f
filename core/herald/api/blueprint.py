"""The /api/v1 blueprint every view module registers on."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
