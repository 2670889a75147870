"""Product pictures in the staff console: an editor adds, describes, orders and removes them."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from storefront.media.models import Image as ImageRow
from storefront.media.models import MediaBlob

from .factories import make_product
from .media_helpers import SVG_WITH_SCRIPT, picture

CONSOLE = "/staff/products"


def csrf(text: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)


def words_of(response) -> str:
    """What a reader reads: the page's text without its markup."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
                    .split())


def stored(session) -> tuple[int, int]:
    session.rollback()
    return (session.scalar(select(func.count()).select_from(MediaBlob)),
            session.scalar(select(func.count()).select_from(ImageRow)))


@pytest.fixture
def band(session):
    return make_product(session, "console-band", name="Console Band")


@pytest.fixture
def editor(staff):
    user = staff.create("editor", email="picture-editor@example.com")
    assert staff.login(user.email).status_code == 302
    return user


def product_page(client) -> str:
    response = client.get(f"{CONSOLE}/console-band")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def add_picture(client, data: bytes | None, alt: str = "A band on a mat", token=None):
    form = {"csrf_token": token or csrf(product_page(client)), "alt": alt}
    if data is not None:
        form["file"] = (io.BytesIO(data), "picture.png", "image/png")
    return client.post(f"{CONSOLE}/console-band/pictures", data=form,
                       content_type="multipart/form-data")


def test_visitors_log_in_and_moderators_are_turned_away(client, staff, band, session):
    assert "/staff/login" in add_picture(client, picture(), token="x").headers["Location"]
    staff.login(staff.create("moderator").email)
    assert add_picture(client, picture(), token="x").status_code == 403
    assert stored(session) == (0, 0)


def test_an_editor_adds_a_picture_with_its_alt_text(client, editor, band, session):
    page = product_page(client)
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="picture-file">' in page and 'id="picture-file"' in page
    assert '<label for="picture-alt">' in page and 'aria-describedby="picture-alt-help"' in page
    response = add_picture(client, picture("PNG", size=(900, 600)))
    assert response.status_code == 303
    shown = client.get(response.headers["Location"])
    assert "Added the picture “A band on a mat” (900 x 600 pixels)" in words_of(shown)
    assert 'value="A band on a mat"' in shown.get_data(as_text=True)
    api = client.get("/api/v1/products/console-band").get_json()
    assert [i["alt"] for i in api["images"]] == ["A band on a mat"]


def test_refused_pictures_are_explained_and_nothing_is_kept(client, editor, band, session):
    for data, alt, why in [(SVG_WITH_SCRIPT, "A drawing", "Picture: The file is not a JPEG"),
                           (picture(), "   ", "Alt text"),
                           (None, "No file", "Picture")]:
        response = add_picture(client, data, alt=alt)
        assert response.status_code == 303
        told = words_of(client.get(response.headers["Location"]))
        assert "The picture was not added." in told and why in told, told
    assert stored(session) == (0, 0)


def test_an_editor_reorders_describes_and_removes_pictures(client, editor, band, session):
    add_picture(client, picture("PNG", colour=(200, 0, 0)), alt="Front")
    add_picture(client, picture("PNG", colour=(0, 0, 200)), alt="Side")
    ids = [i.id for i in session.scalars(select(ImageRow).order_by(ImageRow.id))]
    token = csrf(product_page(client))
    moved = client.post(f"{CONSOLE}/console-band/pictures/{ids[1]}",
                        data={"csrf_token": token, "alt": "Side view", "position": "1"})
    assert moved.status_code == 303
    api = client.get("/api/v1/products/console-band").get_json()
    assert [i["alt"] for i in api["images"]] == ["Side view", "Front"]
    removed = client.post(f"{CONSOLE}/console-band/pictures/{ids[0]}/remove",
                          data={"csrf_token": token})
    assert removed.status_code == 303
    api = client.get("/api/v1/products/console-band").get_json()
    assert [i["alt"] for i in api["images"]] == ["Side view"]


def test_forms_without_a_csrf_token_change_nothing(client, editor, band, session):
    response = client.post(f"{CONSOLE}/console-band/pictures", data={
        "alt": "Sneaky", "file": (io.BytesIO(picture()), "p.jpg", "image/jpeg")},
        content_type="multipart/form-data")
    assert response.status_code in (303, 400)
    assert stored(session) == (0, 0)
