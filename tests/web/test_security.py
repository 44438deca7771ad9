"""Security headers, HTTPS settings, offline API docs, error pages, language and admin titles."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import override_settings
from django.urls import include, path, reverse

import dutyeval

SRC = Path(dutyeval.__file__).parent


def _boom(request):
    raise RuntimeError("boom")


def _suspicious(request):
    raise SuspiciousOperation("bad")


def _denied(request):
    raise PermissionDenied


# the real site plus three views that fail on purpose (Django's error handlers render the pages)
urlpatterns = [
    path("test-errors/500/", _boom),
    path("test-errors/400/", _suspicious),
    path("test-errors/403/", _denied),
    path("", include("dutyeval.urls")),
]


# ---- Content-Security-Policy ---------------------------------------------------------------------

def _csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


def test_every_page_carries_a_policy_that_allows_no_inline_script(world, client_as, client):
    c = client_as(world.province_admin)
    urls = [reverse("home"), reverse("cycle", args=[world.cycle.pk]), reverse("results", args=[world.cycle.pk]),
            reverse("submission", args=[world.sub.pk]), reverse("balance", args=[world.sub.pk]),
            reverse("scorecard", args=[world.sub.pk]), reverse("password-change"), "/api/docs", "/no-such-page/"]
    for url in urls:
        r = c.get(url, follow=True)
        policy = _csp(r)
        assert policy.get("script-src") == ["'self'"], (url, policy)
        assert policy.get("default-src") == ["'self'"] and policy.get("object-src") == ["'none'"]
        assert policy.get("frame-ancestors") == ["'none'"]
    c.logout()
    assert _csp(c.get(reverse("login"))).get("script-src") == ["'self'"]


SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)


def _templates():
    return sorted(p for p in SRC.rglob("templates/**/*.html"))


def test_no_template_has_inline_script_or_event_handlers():
    assert len(_templates()) > 15
    for tpl in _templates():
        text = tpl.read_text("utf-8")
        for attrs, body in SCRIPT.findall(text):
            assert "src=" in attrs or 'type="application/json"' in attrs, f"inline <script> in {tpl}"
            assert not body.strip() or 'type="application/json"' in attrs, f"script body in {tpl}"
        assert not HANDLER.search(text), f"inline event handler (onclick=…) in {tpl}"
        assert "javascript:" not in text, tpl


def test_pages_load_their_charts_from_static_files(world, client_as):
    c = client_as(world.province_admin)
    body = c.get(reverse("cycle", args=[world.cycle.pk])).content.decode()
    assert "dutyeval/js/cycle.js" in body and 'id="chart-data" type="application/json"' in body
    assert '"includeIndicatorStyles": false' in body  # htmx injects no <style>
    body = c.get(reverse("results", args=[world.cycle.pk])).content.decode()
    assert "dutyeval/js/results.js" in body
    body = c.get(reverse("submission", args=[world.sub.pk])).content.decode()
    assert "dutyeval/js/app.js" in body


# ---- HTTPS ---------------------------------------------------------------------------------------

def _production_env(tmp_path, **extra):
    # a production server's environment: nothing of the test run's (the e2e conftest allows async-unsafe DB access)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DUTYEVAL_", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"))}
    env.update(DJANGO_SETTINGS_MODULE="dutyeval.settings", DEBUG="false", DUTYEVAL_DEMO="false",
               SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="duban.example.gov.cn",
               DUTYEVAL_VAR_DIR=str(tmp_path), **extra)
    return env


def _check_deploy(env):
    cli = Path(sys.executable).with_name("dutyeval")
    return subprocess.run([str(cli), "check", "--deploy", "--fail-level", "WARNING"], env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    r = _check_deploy(_production_env(tmp_path, DUTYEVAL_HTTPS="true"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_check_deploy_names_what_is_missing_without_https(tmp_path):
    r = _check_deploy(_production_env(tmp_path))
    assert r.returncode != 0 and "security.W004" in r.stderr + r.stdout  # no HSTS


HTTPS_ON = dict(SECURE_SSL_REDIRECT=True, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True,
                SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True,
                SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))


def test_over_https_the_site_sends_hsts_and_secure_cookies(world, client, persona_password):
    with override_settings(**HTTPS_ON):
        r = client.get(reverse("login"))
        assert r.status_code == 301 and r["Location"].startswith("https://")
        r = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
        assert r["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        r = client.post(reverse("login"), {"username": "county_filler", "password": persona_password},
                        HTTP_X_FORWARDED_PROTO="https")
        assert r.status_code == 302
        assert client.cookies["sessionid"]["secure"] and client.cookies["sessionid"]["httponly"]
        assert client.cookies["csrftoken"]["secure"]


# ---- offline API docs ----------------------------------------------------------------------------

def test_the_api_docs_load_nothing_from_another_host(world, client_as):
    c = client_as(world.province_admin)
    body = c.get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in body
    assert not re.search(r"""(src|href)=["'](https?:)?//""", body), body
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", body):
        r = c.get(asset)
        assert r.status_code == 200, asset
        r.close()


# ---- error pages ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("code", "url", "text"),
    [
        (400, "/test-errors/400/", "请求无效"),
        (403, "/test-errors/403/", "没有权限"),
        (404, "/no-such-page/", "页面不存在"),
        (500, "/test-errors/500/", "系统暂时出现错误"),
    ],
)
@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_error_pages_are_chinese_in_the_sites_style(db, client, code, url, text):
    client.raise_request_exception = False
    r = client.get(url)
    body = r.content.decode()
    assert r.status_code == code and text in body and f'id="error-{code}"' in body
    assert "教育督导" in body and 'lang="zh-CN"' in body
    if code != 500:
        assert "dutyeval/app.css" in body  # base.html
    else:
        assert "{%" not in body and "<link" not in body  # self-contained


@override_settings(DEBUG=False)
def test_a_get_on_a_post_only_action_gets_the_chinese_405_page(world, client_as):
    r = client_as(world.county_filler).get(reverse("submission-submit", args=[world.sub.pk]))
    assert r.status_code == 405 and r["Allow"] == "POST"
    assert "操作方式不允许" in r.content.decode() and "dutyeval/app.css" in r.content.decode()


def test_the_api_keeps_its_own_405(world, client_as):
    r = client_as(world.county_filler).delete("/api/regions/140525/values/2020")
    assert r.status_code == 405 and "操作方式不允许" not in r.content.decode()


@override_settings(DEBUG=False)
def test_a_stale_form_gets_the_chinese_csrf_page(world, client):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    r = c.post(reverse("login"), {"username": "x", "password": "y"})
    assert r.status_code == 403 and "页面已过期" in r.content.decode()


# ---- language and admin --------------------------------------------------------------------------

def test_only_chinese_is_offered(settings, world, client_as):
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans"]
    c = client_as(world.county_filler)
    assert c.post("/i18n/setlang/", {"language": "en"}).status_code == 404
    body = c.get(reverse("password-change"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "旧密码" in body and "Old password" not in body


def test_the_back_office_titles_are_chinese(world, client_as, django_user_model):
    admin = django_user_model.objects.create(username="root", is_staff=True, is_superuser=True)
    body = client_as(admin).get("/admin/").content.decode()
    assert "教育督导履职评价系统 · 后台管理" in body and "<title>后台管理 | 履职评价后台</title>" in body
    sections = re.findall(r"<caption>\s*<a[^>]*>([^<]*)</a>", body)
    models = re.findall(r'<a href="/admin/[a-z_]+/[a-z_]+/">([^<]*)</a>', body)
    assert {"用户与权限", "登录安全", "审计日志", "行政区划与学校", "评价方案"} <= set(sections)
    assert "登录失败记录（锁定计数）" in models and len(models) > 10
    assert not [t for t in sections + models if re.search("[A-Za-z]{3}", t)], (sections, models)
