def test_home(page, site_url):
    page.goto(site_url + "index.html")
    assert "Marginalia" in page.title()
