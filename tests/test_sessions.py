"""Session cookies and CSRF tokens stay what Flask and Flask-WTF make and accept."""

from __future__ import annotations

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf, validate_csrf

from storefront import sessions


def _app(secret="a" * 64) -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = secret
    return app


def test_cookies_pass_between_flask_sessions_and_ours():
    app = _app()
    stock, ours = SecureCookieSessionInterface(), sessions.SessionInterface()
    data = {"cart": "tok", "csrf_token": "x" * 40}
    made_by_flask = stock.get_signing_serializer(app).dumps(data)
    made_by_us = ours.get_signing_serializer(app).dumps(data)
    # A deploy neither signs anyone out nor empties a cart: each reads the other's cookie.
    assert ours.get_signing_serializer(app).loads(made_by_flask) == data
    assert stock.get_signing_serializer(app).loads(made_by_us) == data
    other = _app("b" * 64)  # and a cookie signed with another key is refused
    assert _refused(ours.get_signing_serializer(other), made_by_us)
    assert _refused(stock.get_signing_serializer(other), made_by_us)


def _refused(serializer, cookie) -> bool:
    from itsdangerous import BadSignature
    try:
        serializer.loads(cookie)
    except BadSignature:
        return True
    return False


def test_csrf_tokens_pass_flask_wtf_checks_and_are_kept_for_the_request():
    app = _app()
    with app.test_request_context():
        token = sessions.csrf_token()
        assert sessions.csrf_token() == token
        assert generate_csrf() == token, "forms rendered later in the request agree"
        validate_csrf(token)  # raises if Flask-WTF would refuse it
        raw = session["csrf_token"]
    with app.test_request_context():
        session["csrf_token"] = raw  # the same visitor, a later request
        validate_csrf(sessions.csrf_token())
        stock = generate_csrf()
    with app.test_request_context():
        session["csrf_token"] = "someone else's secret"
        assert _wtf_refuses(stock)


def _wtf_refuses(token) -> bool:
    from wtforms import ValidationError
    try:
        validate_csrf(token)
    except ValidationError:
        return True
    return False
