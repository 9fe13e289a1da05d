"""Business slugs: the rules, suggestions, and claims that make a slug taken for good.

A slug is lower-case latin letters and digits in words joined by single hyphens, 3–48
characters, not a reserved word. Case does not make a different slug. Every slug a business
ever had stays claimed by it (`SlugClaim`), so old links and printed codes keep redirecting.
"""

import re
from datetime import timedelta

from flask_babel import lazy_gettext as _
from mongoengine import NotUniqueError
from slugify import slugify

from app import clock
from app.errors import AppError, Conflict
from app.models import Business, SlugClaim

PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MIN_LENGTH, MAX_LENGTH = 3, 48
# A business is created in well under a second: a claim older than this without its business
# was left by a creation that crashed (kill -9, a power cut) and holds the slug for nobody.
CREATION_SECONDS = timedelta(seconds=60)
# Paths of our own, and words that would mislead if they named a business.
RESERVED = frozenset("""
    admin administrator api app apps assets b bank billing blog cabinet catalog dashboard docs
    help home inbox login logout manifest me media my new null offline official profile q
    root settings signin signout signup static status support system undefined widget www
""".split())


def check(slug: object) -> str:
    """The slug in canonical (lower) case if it follows the rules; 422 otherwise."""
    if not isinstance(slug, str):
        raise _invalid(_("The address must be text."))
    slug = slug.strip().lower()
    if not MIN_LENGTH <= len(slug) <= MAX_LENGTH:
        raise _invalid(_("The address must be 3 to 48 characters long."))
    if not PATTERN.match(slug):
        raise _invalid(_("Use latin letters, digits and single hyphens between them."))
    if slug in RESERVED:
        raise AppError("slug_reserved", _("This address is reserved."), status=422,
                       details={"field": "slug"})
    return slug


def _invalid(message):
    return AppError("invalid_slug", message, status=422, details={"field": "slug"})


def is_free(slug: str) -> bool:
    return slug not in RESERVED and SlugClaim.objects(id=slug).first() is None


def from_name(name: str | None) -> str:
    """A rule-abiding slug made from a name, Cyrillic transliterated ("Кофейня" -> "kofeinia")."""
    base = slugify(name or "", max_length=MAX_LENGTH - 4, word_boundary=True, separator="-")
    if len(base) < MIN_LENGTH:
        base = f"{base}-biz".strip("-") if base else "business"
    if base in RESERVED:
        base = f"{base}-biz"
    return base


def suggestions(base: str | None, count: int = 3) -> list[str]:
    """`count` free slugs close to `base`: itself if free, then numbered variants."""
    base = from_name(base) if not PATTERN.match(base or "") else base
    base = base[: MAX_LENGTH - 4].rstrip("-")
    candidates = [base] + [f"{base}-{n}" for n in range(2, 200)]
    taken = {claim.id for claim in SlugClaim.objects(id__in=candidates).only("id")}
    return [slug for slug in candidates
            if slug not in taken and slug not in RESERVED and len(slug) >= MIN_LENGTH][:count]


def claim(slug: str, business_id: str) -> None:
    """Take `slug` for the business; 409 with suggestions if anyone has ever held it."""
    for _attempt in range(2):
        try:
            SlugClaim(id=slug, business_id=business_id).save(force_insert=True)
            return
        except NotUniqueError:
            existing = SlugClaim.objects(id=slug).first()
            if existing is not None and existing.business_id == business_id:
                return  # it was this business's own earlier slug: taking it back is fine
            if existing is None or not abandoned(existing):
                break
            # Left by a creation that crashed before its business was written: free again.
            SlugClaim.objects(id=slug, business_id=existing.business_id).delete()
    raise Conflict("slug_taken", _("This address is taken."),
                   details={"field": "slug", "suggestions": suggestions(slug)})


def abandoned(claim: SlugClaim) -> bool:
    """A claim whose business was never written, and whose creation is long over."""
    return claim.created_at < clock.now() - CREATION_SECONDS \
        and Business.objects(id=claim.business_id).only("id").first() is None


def release(slug: str, business_id: str) -> None:
    """Undo a claim made in a step that then failed (only ever a fresh claim)."""
    SlugClaim.objects(id=slug, business_id=business_id).delete()


def availability(slug: str) -> dict:
    """What a form says while a person types an address: {slug, available, problem,
    suggestions}, the slug in canonical case when it follows the rules."""
    try:
        canonical = check(slug)
    except AppError as error:
        return {"slug": slug, "available": False, "problem": error.message,
                "suggestions": suggestions(from_name(slug))}
    if owner_of(canonical) is not None:
        return {"slug": canonical, "available": False, "problem": str(_("This address is taken.")),
                "suggestions": suggestions(canonical)}
    return {"slug": canonical, "available": True, "problem": None, "suggestions": []}


def owner_of(slug: object) -> str | None:
    """The id of the business that holds or held `slug`, or None."""
    found = SlugClaim.objects(id=slug.lower()).first() if isinstance(slug, str) else None
    return found.business_id if found else None
