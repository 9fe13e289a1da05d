"""Access and refresh tokens (flask-jwt-extended), with refresh rotation.

Each sign-in starts a token family. A refresh token can be used once: using it issues a new
pair in the same family. Presenting a refresh token that was already used means it leaked,
so the whole family is revoked, access tokens included (they carry the family id).
"""

import uuid
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token

from app import clock
from app.accounts import token_blocklist
from app.errors import AppError
from app.models import RefreshToken


def _lifetimes():
    config = current_app.config
    return (timedelta(minutes=config["JWT_ACCESS_TOKEN_MINUTES"]),
            timedelta(days=config["JWT_REFRESH_TOKEN_DAYS"]))


def new_family() -> str:
    """A new sign-in session's id: its tokens carry it, and the site's and the cabinet's
    halves of one sign-in share it (revoking it ends both)."""
    return uuid.uuid4().hex


def issue_pair(user_id: str, family: str | None = None) -> dict[str, str | int]:
    access_ttl, refresh_ttl = _lifetimes()
    family = family or new_family()
    claims = {"fam": family}
    access = create_access_token(identity=user_id, additional_claims=claims,
                                 expires_delta=access_ttl)
    refresh = create_refresh_token(identity=user_id, additional_claims=claims,
                                   expires_delta=refresh_ttl)
    jti = decode_token(refresh)["jti"]
    RefreshToken(id=jti, family=family, user_id=user_id,
                 expires_at=clock.now() + refresh_ttl).save(force_insert=True)
    return {
        "accessToken": access,
        "refreshToken": refresh,
        "tokenType": "Bearer",
        "expiresIn": int(access_ttl.total_seconds()),
    }


def rotate(claims: dict) -> dict[str, str | int]:
    """Exchange a valid refresh token (its decoded claims) for a new pair."""
    jti, family, user_id = claims["jti"], claims.get("fam"), claims["sub"]
    stored = RefreshToken.objects(id=jti).first()
    if stored is None or stored.user_id != user_id:
        raise AppError("token_invalid", _("The token is not valid."), status=401)
    # Atomic: of two concurrent uses of one token, exactly one wins.
    won = RefreshToken.objects(id=jti, used_at=None).update_one(set__used_at=clock.now())
    if not won:
        if family:
            revoke_family(family)
        raise AppError("token_reused", _("This session was ended for your safety. Sign in again."),
                       status=401)
    return issue_pair(user_id, family=family)


def revoke_family(family: str) -> None:
    _access_ttl, refresh_ttl = _lifetimes()
    token_blocklist.revoke(f"fam:{family}", refresh_ttl.total_seconds())
    RefreshToken.objects(family=family, used_at=None).update(set__used_at=clock.now())


def revoke_claims(claims: dict) -> None:
    """Revoke one token (by its decoded claims) until it would have expired."""
    remaining = claims["exp"] - clock.epoch() if "exp" in claims else 0
    token_blocklist.revoke(f"jti:{claims['jti']}", remaining)


def family_revoked(family: str) -> bool:
    """Whether the sign-in session `family` was ended (logout, a reused refresh token)."""
    return token_blocklist.any_revoked([f"fam:{family}"])


def is_revoked(claims: dict) -> bool:
    keys = [f"jti:{claims['jti']}"]
    if claims.get("fam"):
        keys.append(f"fam:{claims['fam']}")
    return token_blocklist.any_revoked(keys)


def logout(access_claims: dict, refresh_token: str | None = None) -> None:
    """End the sign-in session: the access token and its whole family (the access token
    carries the family, so the refresh token need not be sent), and the refresh token's
    family if one is given (the same user's; checked first, so a refused one ends nothing)."""
    refresh_claims = _own_refresh(access_claims, refresh_token) if refresh_token else None
    revoke_claims(access_claims)
    for claims in (access_claims, refresh_claims):
        if claims and claims.get("fam"):
            revoke_family(claims["fam"])
    if refresh_claims:
        revoke_claims(refresh_claims)


def _own_refresh(access_claims, refresh_token):
    try:
        refresh_claims = decode_token(refresh_token)
    except Exception:
        raise AppError("token_invalid", _("The refresh token is not valid."), status=422,
                       details={"field": "refreshToken"}) from None
    if refresh_claims.get("type") != "refresh" or refresh_claims["sub"] != access_claims["sub"]:
        raise AppError("token_invalid", _("The refresh token is not valid."), status=422,
                       details={"field": "refreshToken"})
    return refresh_claims
