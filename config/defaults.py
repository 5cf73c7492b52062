"""Built-in defaults. Environment variables (PORTAL_*) and the instance folder override them."""

DATABASE_URL = None            # None: SQLite file portal.db in the instance folder
STORAGE = "local"
STORAGE_DIR = None             # None: files/ in the instance folder
S3_BUCKET = None
S3_ENDPOINT_URL = None
S3_REGION = "us-east-1"
SECRET_KEY = None              # None: generated once into the instance folder
WATERMARK_KEY = None           # None: generated once into the instance folder
SMTP_URL = None                # None: mail is written to outbox/ in the instance folder
MAIL_FROM = "Records Portal <records@localhost>"
BASE_URL = "http://127.0.0.1:5000"
AGENCY_NAME = "City of Example"
AGENCY_TIMEZONE = "America/Los_Angeles"
HTTPS = False                  # True: session cookies are marked Secure

# Accounts
PASSWORD_MIN_LENGTH = 10
ARGON2_TIME_COST = 3           # argon2-cffi's defaults: RFC 9106's low-memory profile
ARGON2_MEMORY_KIB = 65536
ARGON2_PARALLELISM = 4
VERIFY_TOKEN_MAX_AGE = 3 * 24 * 3600
RESET_TOKEN_MAX_AGE = 3600
SESSION_IDLE_MINUTES = 60
SESSION_ABSOLUTE_HOURS = 12
LOGIN_LIMIT = (5, 900)         # attempts per account per window (seconds)
LOGIN_IP_LIMIT = (30, 900)     # attempts per address per window
RESET_LIMIT = (3, 3600)        # reset e-mails per address per window

# Mail retries: attempts, then the failure stays visible to admins
MAIL_MAX_ATTEMPTS = 8
MAIL_RETRY_SECONDS = 60

# Uploads
MAX_CONTENT_LENGTH = 2 * 1024 ** 3

# Marked copies: up to this size they are made while the recipient waits; larger ones by the worker
MARK_INLINE_MAX_BYTES = 20 * 1024 ** 2
# Formats are marked in memory up to this size; larger files leave inside a receipt ZIP, streamed
MARK_IN_MEMORY_MAX_BYTES = 128 * 1024 ** 2
GRANT_DAYS = None              # None: grants do not expire; a number: they expire after that many days

# Clawback notices: a request, never an order. {name} {agency} {reason} {files} {respond_by} {link}
CLAWBACK_SUBJECT = "A request about records released to you"
CLAWBACK_TEXT = """Hello {name},

{agency} released the files below to you in response to a public-records request. We have since
found that they were released in error: {reason}

{files}

We are asking you, respectfully, to delete your copies and to tell us that you have. This is a
request, not an order: courts have declined to order recipients to return records an agency released
to them, and you are free to contest it. Whatever you decide, please answer by {respond_by} at:

  {link}

There you can acknowledge this notice, certify that you deleted the files, or explain why you
disagree. The download links for these files have been withdrawn.

Thank you for your help in protecting the people named in these records.
"""
