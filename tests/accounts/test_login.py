"""Login lockout, password policy, changing one's own password, sessions and the SECRET_KEY rule."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

WRONG = "Wrong@Pass1234"


def attempt(client, username, password, ip="10.1.2.3"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_six_wrong_passwords_lock_the_login_even_for_the_right_password(world, client, persona_password):
    for _ in range(4):
        r = attempt(client, "county_filler", WRONG)
        assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    # the fifth failure locks; the sixth try is refused without looking at the password
    for _ in range(2):
        r = attempt(client, "county_filler", WRONG)
        assert r.status_code == 429
    body = r.content.decode()
    assert "登录已暂时锁定" in body and "5 次" in body and "30 分钟" in body
    r = attempt(client, "county_filler", persona_password)
    assert r.status_code == 429 and "登录已暂时锁定" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_one_username_from_one_address_only(world, client, persona_password):
    for _ in range(6):
        attempt(client, "county_filler", WRONG, ip="10.1.2.3")
    # the same person at another computer, and a colleague at the locked one, still get in
    assert attempt(client, "county_filler", persona_password, ip="10.9.9.9").status_code == 302
    client.logout()
    assert attempt(client, "other_filler", persona_password, ip="10.1.2.3").status_code == 302


def test_a_successful_login_forgets_earlier_mistakes(world, client, persona_password):
    for _ in range(4):
        attempt(client, "county_filler", WRONG)
    assert attempt(client, "county_filler", persona_password).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "county_filler", WRONG)
    assert attempt(client, "county_filler", persona_password).status_code == 302


def test_behind_the_proxy_the_address_nginx_saw_is_the_one_that_counts(world, client, settings):
    from dutyeval.accounts.lockout import client_ip

    class Request:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 10.1.2.3"}

    settings.BEHIND_PROXY = False
    assert client_ip(Request) == "127.0.0.1"
    settings.BEHIND_PROXY = True
    assert client_ip(Request) == "10.1.2.3"  # the client wrote 6.6.6.6 itself


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Ab1@xyz", "至少需要 10 个字符"),
        ("4857203918475", "只包含数字"),
        ("Password123", "太常见"),
        ("county_filler2021", "太相似"),
        ("lowercaseonly", "至少 3 类"),
        ("lowercase1234", "至少 3 类"),
    ],
)
def test_the_password_policy_refuses_weak_passwords_in_chinese(world, password, why):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as e:
        validate_password(password, world.county_filler)
    assert any(why in m for m in e.value.messages), e.value.messages


def test_the_password_policy_accepts_strong_ones_and_the_demo_and_test_passwords(world, persona_password):
    from dutyeval.evaluation.demo import DEMO_PASSWORD

    assert settings.PASSWORD_MIN_LENGTH == 10
    for password in ("Jincheng#Duban7", "督导办2021年度Pw", persona_password, DEMO_PASSWORD):
        validate_password(password, world.county_filler)


def test_a_user_changes_their_own_password(world, client_as, client, persona_password):
    c = client_as(world.county_filler)
    home = c.get(reverse("home"), follow=True).content.decode()
    assert reverse("password-change") in home
    page = c.get(reverse("password-change")).content.decode()
    assert "修改密码" in page and "旧密码" in page and "新密码" in page

    url = reverse("password-change")
    r = c.post(url, {"old_password": "nope", "new_password1": "Zz9#qwerty!x", "new_password2": "Zz9#qwerty!x"})
    assert "旧密码不正确" in r.content.decode()
    r = c.post(url, {"old_password": persona_password, "new_password1": "12345678901", "new_password2": "12345678901"})
    assert r.status_code == 200 and "只包含数字" in r.content.decode()

    r = c.post(url, {"old_password": persona_password, "new_password1": "Zz9#qwerty!x",
                     "new_password2": "Zz9#qwerty!x"}, follow=True)
    assert "密码已修改" in r.content.decode()
    world.county_filler.refresh_from_db()
    assert world.county_filler.check_password("Zz9#qwerty!x")
    from dutyeval.audit.models import AuditLog

    entry = AuditLog.objects.get(action="accounts.password.change")
    assert entry.actor == world.county_filler and "Zz9" not in str(entry.data)
    c.logout()
    assert attempt(c, "county_filler", "Zz9#qwerty!x").status_code == 302


def test_the_password_page_needs_a_login(db, client):
    r = client.get(reverse("password-change"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_sessions_end_with_the_browser_and_after_a_working_day(world, client, persona_password):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    attempt(client, "county_filler", persona_password)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert 0 < client.session.get_expiry_age() <= 8 * 3600


def _settings_in_subprocess(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "DEBUG")}
    base.update(env)
    code = "import dutyeval.settings as s; print('key', len(s.SECRET_KEY))"
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, timeout=60)


def test_without_a_secret_key_production_refuses_to_start(tmp_path):
    r = _settings_in_subprocess(DUTYEVAL_DEMO="false", DUTYEVAL_VAR_DIR=str(tmp_path))
    assert r.returncode != 0 and "ImproperlyConfigured" in r.stderr and "SECRET_KEY" in r.stderr
    r = _settings_in_subprocess(DUTYEVAL_DEMO="false", DUTYEVAL_VAR_DIR=str(tmp_path), SECRET_KEY="k" * 60)
    assert r.returncode == 0 and "key 60" in r.stdout


def test_the_demo_gets_a_random_key_of_its_own_kept_across_restarts(tmp_path):
    r = _settings_in_subprocess(DUTYEVAL_DEMO="true", DUTYEVAL_VAR_DIR=str(tmp_path))
    assert r.returncode == 0, r.stderr
    key = (tmp_path / "demo-secret-key").read_text()
    assert len(key) >= 50 and "demo" not in key
    assert (tmp_path / "demo-secret-key").stat().st_mode & 0o077 == 0
    assert _settings_in_subprocess(DUTYEVAL_DEMO="true", DUTYEVAL_VAR_DIR=str(tmp_path)).returncode == 0
    assert (tmp_path / "demo-secret-key").read_text() == key
