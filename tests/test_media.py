"""Product pictures: what an upload must be, what is kept of it, and how it is served."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.media.models import Image as ImageRow
from storefront.media.models import MediaBlob
from storefront.orders.models import StaffAction

from .factories import make_order, make_product
from .media_helpers import (
    SVG_WITH_SCRIPT,
    jpeg_with_exif,
    opened,
    picture,
    png_claiming,
    upload,
)

KINDS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"),
         "WEBP": ("image/webp", ".webp")}


@pytest.fixture
def editor(staff):
    return staff.headers("editor")


@pytest.fixture
def band(session):
    return make_product(session, "pictured-band", name="Pictured Band")


def stored(session) -> tuple[int, int]:
    """How many files and image rows the shop holds."""
    session.rollback()  # read what is committed now
    return (session.scalar(select(func.count()).select_from(MediaBlob)),
            session.scalar(select(func.count()).select_from(ImageRow)))


def refused_field(response, status=422) -> tuple[str, str]:
    """(where, field) of a refusal that names one field."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == status and body["message"]
    [(where, fields)] = body["errors"].items()
    [field] = fields
    return where, field


# ---------------------------------------------------------------------------
# What is accepted, and what is kept
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_each_accepted_type_is_stored_with_webp_renditions(client, session, editor, band,
                                                             kind):
    response = upload(client, band.slug, picture(kind, size=(1100, 700)), alt="  A teal  band ",
                      headers=editor)
    assert response.status_code == 201, response.get_json()
    image = response.get_json()
    assert image["alt"] == "A teal band"
    assert (image["width"], image["height"]) == (1100, 700)
    assert image["url"].endswith(KINDS[kind][1])
    webp = [r for r in image["renditions"] if r["type"] == "image/webp"]
    assert [r["width"] for r in webp] == [320, 640, 1024, 1100]  # never wider than it
    for rendition in webp:
        served = client.get(rendition["url"])
        assert served.mimetype == "image/webp"
        assert opened(served.get_data()).size[0] == rendition["width"]
    social = [r for r in image["renditions"] if r["type"] != "image/webp"]
    if kind == "WEBP":  # link previews get a JPEG made from it
        assert [r["type"] for r in social] == ["image/jpeg"]
    else:
        assert social == []
    product = client.get(f"/api/v1/products/{band.slug}").get_json()
    assert product["images"] == [{k: v for k, v in image.items() if k != "id"}]
    assert product["image_url"].endswith(".jpg" if kind != "PNG" else ".png")
    listed = client.get("/api/v1/products").get_json()["items"]
    assert [p["images"] for p in listed if p["slug"] == band.slug] == [product["images"]]


def test_exif_is_removed_after_turning_the_picture_upright(client, session, editor, band):
    response = upload(client, band.slug, jpeg_with_exif(size=(600, 400)), headers=editor)
    assert response.status_code == 201
    image = response.get_json()
    assert (image["width"], image["height"]) == (400, 600)  # the orientation tag applied
    original = client.get(image["url"]).get_data()
    kept = opened(original)
    assert kept.size == (400, 600)
    assert len(kept.getexif()) == 0 and "exif" not in kept.info
    assert b"Test Camera Co" not in original and b"Secret Editor" not in original
    for rendition in image["renditions"]:
        assert b"Test Camera Co" not in client.get(rendition["url"]).get_data()


def test_the_same_picture_twice_is_stored_once(client, session, editor, band):
    data = picture("PNG", size=(500, 400))
    first = upload(client, band.slug, data, headers=editor).get_json()
    files, _ = stored(session)
    second = upload(client, band.slug, data, alt="Again", headers=editor).get_json()
    assert second["url"] == first["url"] and second["id"] != first["id"]
    assert stored(session) == (files, 2)


# ---------------------------------------------------------------------------
# Refusals: each one names the field, and stores nothing
# ---------------------------------------------------------------------------

REFUSED_FILES = {
    "text named .jpg": (b"hello, this is not a picture\n" * 20, "photo.jpg", "image/jpeg"),
    "truncated JPEG": (picture("JPEG", size=(900, 700))[:1500], "cut.jpg", "image/jpeg"),
    "truncated PNG": (picture("PNG", size=(900, 700))[:400], "cut.png", "image/png"),
    "SVG with a script, named .png": (SVG_WITH_SCRIPT, "innocent.png", "image/png"),
    "SVG with a script": (SVG_WITH_SCRIPT, "drawing.svg", "image/svg+xml"),
    "GIF": (picture("GIF", size=(40, 40)), "anim.gif", "image/gif"),
    "empty file": (b"", "empty.jpg", "image/jpeg"),
}


@pytest.mark.parametrize("name", REFUSED_FILES)
def test_files_that_are_not_whole_pictures_are_refused(client, session, editor, band, name):
    data, filename, declared = REFUSED_FILES[name]
    before = stored(session)
    response = upload(client, band.slug, data, filename=filename, content_type=declared,
                      headers=editor)
    assert refused_field(response) == ("files", "file")
    assert stored(session) == before
    assert client.get(f"/api/v1/products/{band.slug}").get_json()["images"] == []


def test_a_decompression_bomb_is_refused_from_its_header(client, session, editor, band):
    before = stored(session)
    # 50,000 x 50,000 pixels claimed: decoding it would need 7.5 GB of memory.
    response = upload(client, band.slug, png_claiming(50_000, 50_000), filename="bomb.png",
                      headers=editor)
    assert refused_field(response) == ("files", "file")
    assert "pixels" in response.get_json()["message"]
    assert stored(session) == before


def test_the_pixel_limit_is_a_setting(make_app, staff, band):
    small = make_app(MEDIA_MAX_PIXELS=250_000).test_client()
    headers = staff.headers("editor")
    refused = upload(small, band.slug, picture("PNG", size=(600, 500)), headers=headers)
    assert refused_field(refused) == ("files", "file")
    assert upload(small, band.slug, picture("PNG", size=(500, 500)),
                  headers=headers).status_code == 201


def test_too_many_bytes_is_a_413_and_stores_nothing(make_app, session, staff, band):
    client = make_app(MEDIA_MAX_BYTES=30_000).test_client()
    headers = staff.headers("editor")
    noisy = Image.effect_noise((130, 130), 90).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert 30_000 < len(out.getvalue()) < 30_000 + 64 * 1024
    before = stored(session)
    response = upload(client, band.slug, out.getvalue(), filename="noise.png", headers=headers)
    assert refused_field(response, 413) == ("files", "file")
    huge = upload(client, band.slug, b"\xff" * 200_000, headers=headers)
    assert huge.status_code == 413 and huge.get_json()["reason"] == "body_too_large"
    assert stored(session) == before


def test_a_picture_larger_than_other_requests_may_be_is_accepted(client, editor, band):
    noisy = Image.effect_noise((800, 700), 90).convert("RGB")
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024  # above the shop's usual body limit
    response = upload(client, band.slug, out.getvalue(), filename="noise.png", headers=editor)
    assert response.status_code == 201
    assert client.post("/api/v1/carts", data=out.getvalue()).status_code == 413


def test_uploads_are_rate_limited(make_app, staff, band):
    client = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://").test_client()
    headers = staff.headers("editor")
    first = upload(client, band.slug, picture("PNG", size=(40, 30)), headers=headers)
    assert first.status_code == 201 and first.headers["X-RateLimit-Limit"] == "30"
    statuses = [upload(client, band.slug, picture("PNG", size=(40, 30)), alt=None,
                       headers=headers).status_code for _ in range(30)]
    assert statuses == [422] * 29 + [429]


@pytest.mark.parametrize("alt", [None, "", "   ", "x" * 301])
def test_alt_text_is_required(client, session, editor, band, alt):
    before = stored(session)
    response = upload(client, band.slug, picture("JPEG"), alt=alt, headers=editor)
    assert refused_field(response) == ("form", "alt")
    assert stored(session) == before


def test_a_missing_file_is_named(client, editor, band):
    assert refused_field(upload(client, band.slug, None, headers=editor)) == ("files", "file")


def test_an_unknown_product_is_404(client, editor):
    assert upload(client, "no-such-band", picture(), headers=editor).status_code == 404


def test_only_editors_and_admins_upload(client, session, staff, band):
    data = picture("JPEG", size=(400, 300))
    assert upload(client, band.slug, data).status_code == 401
    assert upload(client, band.slug, data, headers=staff.headers("moderator")).status_code == 403
    assert stored(session) == (0, 0)
    assert upload(client, band.slug, data, headers=staff.headers("editor")).status_code == 201
    assert upload(client, band.slug, data, headers=staff.headers("admin")).status_code == 201
    path = f"/api/v1/staff/products/{band.slug}/images"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=staff.headers("moderator")).status_code == 403
    assert len(client.get(path, headers=staff.headers("editor")).get_json()["items"]) == 2


# ---------------------------------------------------------------------------
# Serving: any host on the same database, cached for good
# ---------------------------------------------------------------------------

def test_files_are_served_by_another_app_on_the_same_database(make_app, staff, band):
    first = make_app().test_client()
    image = upload(first, band.slug, picture("WEBP", size=(700, 500)),
                   headers=staff.headers("editor")).get_json()
    other = make_app().test_client()  # a second host: nothing shared but the database
    files = [(image["url"], "image/webp")] + [(r["url"], r["type"]) for r in image["renditions"]]
    for url, kind in files:
        response = other.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == kind
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        etag = response.headers["ETag"]
        assert etag.strip('"') in url
        again = other.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b""
        assert opened(response.get_data()).format == {"image/webp": "WEBP",
                                                      "image/jpeg": "JPEG"}[kind]
    assert other.get("/media/" + "0" * 64 + ".webp").status_code == 404
    assert other.get("/media/not-a-key.webp").status_code == 404
    assert other.get(image["url"].replace(".webp", ".png")).status_code == 404


# ---------------------------------------------------------------------------
# The gallery: order, alt text, removal, each in the audit log
# ---------------------------------------------------------------------------

def test_gallery_changes_are_kept_and_audited(client, session, staff, band):
    editor = staff.create("editor")
    from storefront.staff.services import create_token
    headers = {"Authorization": f"Bearer {create_token(session, editor.email)}"}
    upload(client, band.slug, picture("JPEG", colour=(200, 0, 0)), alt="Front",
           headers=headers)
    side = upload(client, band.slug, picture("JPEG", colour=(0, 0, 200)), alt="Side",
                  headers=headers).get_json()
    path = f"/api/v1/staff/products/{band.slug}/images/{side['id']}"

    moved = client.patch(path, json={"position": 0, "alt": "The band from the side"},
                         headers=headers)
    assert moved.status_code == 200 and moved.get_json()["alt"] == "The band from the side"
    public = client.get(f"/api/v1/products/{band.slug}").get_json()
    assert [i["alt"] for i in public["images"]] == ["The band from the side", "Front"]
    assert public["image_url"] == side["url"]  # the first picture's JPEG

    assert client.patch(path, json={"alt": " "}, headers=headers).status_code == 422
    assert client.patch(path, json={"position": -1}, headers=headers).status_code == 422
    assert client.patch(path, json={"alt": "x"}).status_code == 401
    assert client.patch(f"/api/v1/staff/products/{band.slug}/images/999999", json={"alt": "x"},
                        headers=headers).status_code == 404

    assert client.delete(path, headers=headers).status_code == 204
    assert client.delete(path, headers=headers).status_code == 404
    public = client.get(f"/api/v1/products/{band.slug}").get_json()
    assert [i["alt"] for i in public["images"]] == ["Front"]
    assert client.get(side["url"]).status_code == 200  # addresses keep working
    session.rollback()
    log = session.scalars(select(StaffAction).where(StaffAction.subject_type == "product",
                                                    StaffAction.subject == band.slug)
                          .order_by(StaffAction.id)).all()
    assert [a.action for a in log] == ["image_added", "image_added", "image_changed",
                                       "image_removed"]
    assert {a.actor for a in log} == {editor.email}
    assert "Front" in log[0].detail and "position: 0" in log[2].detail


# ---------------------------------------------------------------------------
# Where pictures show: product page, cart, orders, link previews
# ---------------------------------------------------------------------------

def test_the_product_page_shows_the_gallery_with_srcset(client, editor, band):
    first = upload(client, band.slug, picture("WEBP", size=(1700, 1000)), alt="Front view",
                   headers=editor).get_json()
    upload(client, band.slug, picture("PNG", size=(900, 900)), alt="Close up", headers=editor)
    html = client.get(f"/products/{band.slug}").get_data(as_text=True)
    pictures = html.split("<picture")[1:]
    assert len(pictures) == 2
    assert 'type="image/webp"' in pictures[0] and "320w" in pictures[0] \
        and "1600w" in pictures[0] and 'sizes="' in pictures[0]
    assert 'alt="Front view"' in pictures[0] and 'width="1700" height="1000"' in pictures[0]
    assert 'loading="lazy"' not in pictures[0]  # the first picture is fetched at once
    assert 'alt="Close up"' in pictures[1] and 'loading="lazy"' in pictures[1]
    jpeg = [r["url"] for r in first["renditions"] if r["type"] == "image/jpeg"][0]
    assert f'content="http://localhost{jpeg}"' in html  # og:image: a JPEG, never WebP
    assert f'"image": "http://localhost{jpeg}"' in html  # JSON-LD


def test_cart_and_order_lines_carry_a_thumbnail(client, session, editor, band):
    plain = make_product(session, "plain-band")
    image = upload(client, band.slug, picture("JPEG", size=(900, 600)), alt="Teal band",
                   headers=editor).get_json()
    smallest = min((r for r in image["renditions"] if r["type"] == "image/webp"),
                   key=lambda r: r["width"])
    token = client.post("/api/v1/carts").get_json()["token"]
    client.post(f"/api/v1/carts/{token}/lines", json={"sku": band.variants[0].sku})
    added = client.post(f"/api/v1/carts/{token}/lines", json={"sku": plain.variants[0].sku})
    lines = {line["product_slug"]: line for line in added.get_json()["lines"]}
    assert lines[band.slug]["thumbnail"] == {"url": smallest["url"], "alt": "Teal band"}
    assert lines["plain-band"]["thumbnail"] is None
    assert client.get(f"/api/v1/carts/{token}").get_json()["lines"][0]["thumbnail"]["url"] \
        == smallest["url"]

    order = make_order(session, "paid", product=session.merge(band))
    seen = client.get(f"/api/v1/orders/{order.number}", headers={"X-Order-Token": "t"})
    assert seen.get_json()["lines"][0]["thumbnail"] == {"url": smallest["url"],
                                                         "alt": "Teal band"}


def test_the_cart_page_shows_thumbnails(client, session, editor, band):
    image = upload(client, band.slug, picture("JPEG"), headers=editor).get_json()
    page = client.get(f"/products/{band.slug}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/cart/add", data={"sku": band.variants[0].sku, "quantity": 1,
                                   "csrf_token": csrf})
    cart = client.get("/cart").get_data(as_text=True)
    assert f'class="line-thumb" src="{image["renditions"][0]["url"]}" alt=""' in cart


# ---------------------------------------------------------------------------
# Demo pictures and the service other modules call
# ---------------------------------------------------------------------------

def test_seeding_gives_each_demo_product_one_drawn_picture(app, client, session):
    from storefront.demo import seed_demo
    plugins = app.extensions["storefront"].plugins
    seed_demo(session, plugins)
    seed_demo(session, plugins)  # again: nothing added
    for slug in ("better-band", "better-band-trio", "stability-ball"):
        product = client.get(f"/api/v1/products/{slug}").get_json()
        [image] = product["images"]
        assert len(image["alt"]) > 20 and image["url"].endswith(".png")
        assert product["image_url"] == image["url"]
        assert client.get(image["renditions"][0]["url"]).mimetype == "image/webp"
    assert stored(session)[1] == 3


def test_save_image_is_the_service_behind_uploads(app, session):
    from storefront.errors import InvalidError
    from storefront.plugin_api import image_json, save_image
    with app.test_request_context():
        image = save_image(db.session, picture("PNG", size=(700, 500)), "A drawing",
                           "editor@example.com")
        db.session.commit()
        shown = image_json(image)
        assert shown["id"] == image.id and shown["alt"] == "A drawing"
        assert [r["width"] for r in shown["renditions"]] == [320, 640, 700]
        with pytest.raises(InvalidError) as refused:
            save_image(db.session, SVG_WITH_SCRIPT, "A drawing", "editor@example.com")
        assert refused.value.details["field"] == "file"
        with pytest.raises(InvalidError) as refused:
            save_image(db.session, picture(), "", "editor@example.com")
        assert refused.value.details["field"] == "alt"
    assert stored(session)[1] == 1
