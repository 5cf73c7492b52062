import pytest

from portal.auth.models import Role
from tests import factories as f

PUBLIC = ["/", "/login", "/register", "/reset"]


@pytest.mark.parametrize("url", PUBLIC)
def test_public_pages_are_accessible_shells(client, url):
    r = client.get(url)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'class="skip" href="#main"' in html and 'id="main"' in html and '<html lang="en">' in html
    assert "<script" not in html  # works without JavaScript; nothing from a CDN
    assert "https://" not in html.split("<body")[0]
    assert r.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_every_input_has_a_label(client):
    import re
    for url in ["/login", "/register", "/reset"]:
        html = client.get(url).get_data(as_text=True)
        for input_id in re.findall(r'<input[^>]*id="([^"]+)"', html):
            assert f'for="{input_id}"' in html, (url, input_id)


def test_admin_pages_need_an_admin(client, ctx):
    staff, admin = f.user(Role.staff), f.user(Role.admin)
    assert client.get("/admin/users").status_code == 302
    f.login(client, staff.email)
    assert client.get("/admin/users").status_code == 403
    f.post_form(client, "/account", "/logout", {})
    f.login(client, admin.email)
    for url in ["/admin/users", "/admin/departments", "/admin/mail", f"/admin/users/{staff.id}"]:
        assert client.get(url).status_code == 200, url


def test_admin_creates_staff_and_department(client, ctx):
    admin = f.user(Role.admin)
    f.login(client, admin.email)
    r = f.post_form(client, "/admin/departments", "/admin/departments",
                    {"slug": "parks", "name": "Parks", "law": "cpra"})
    assert r.status_code == 302
    r = f.post_form(client, "/admin/users", "/admin/users",
                    {"name": "Pat Parks", "email": "pat@example.org", "role": "staff",
                     "department": "parks", "password": "a long password"})
    assert r.status_code == 302
    assert f.login(client.application.test_client(), "pat@example.org", "a long password").status_code == 302
    bad = f.post_form(client, "/admin/users", "/admin/users",
                      {"name": "No Dept", "email": "nd@example.org", "role": "staff",
                       "department": "", "password": "a long password"})
    assert bad.status_code == 400 and "belong to a department" in bad.get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "There is nothing here" in r.get_data(as_text=True)


def test_static_files_are_cached_for_long_only_by_their_fingerprinted_url(client, ctx):
    """The stylesheet's URL names its content (v=hash), so browsers may keep it a year; pages,
    which show personal data, are never stored."""
    import re
    u = f.user()
    f.login(client, u.email)
    page = client.get("/me/files")
    assert "no-store" in page.headers["Cache-Control"]
    url = re.search(r'href="(/static/portal\.css\?v=[0-9a-f]{12})"', page.get_data(as_text=True)).group(1)
    fingerprinted = client.get(url)
    assert fingerprinted.status_code == 200
    assert fingerprinted.cache_control.max_age == 365 * 24 * 3600 and fingerprinted.cache_control.public
    for other in ("/static/portal.css", "/static/portal.css?v=000000000000"):
        r = client.get(other)
        assert r.status_code == 200 and not r.cache_control.max_age
        r.close()
    fingerprinted.close()
