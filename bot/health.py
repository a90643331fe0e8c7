"""GET / answers 200 while the app can serve: the health check for load balancers."""

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/")
def health() -> tuple[dict, int]:
    return {"status": "ok", "service": "反诈助手"}, 200
