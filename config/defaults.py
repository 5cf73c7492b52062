"""Built-in defaults. Environment variables (PORTAL_*) and the instance folder override them."""

DATABASE_URL = None            # None: SQLite file portal.db in the instance folder
STORAGE = "local"
STORAGE_DIR = None             # None: files/ in the instance folder
S3_BUCKET = None
S3_ENDPOINT_URL = None
S3_REGION = "us-east-1"
SECRET_KEY = None              # None: generated once into the instance folder
WATERMARK_KEY = None           # None: generated once into the instance folder
AUDIT_KEY = None               # HMAC key of the audit chain; None: generated once into instance/audit_key
AUDIT_KEY_FALLBACKS: list[str] = []  # retired audit keys, still accepted when verifying older entries
AUDIT_CHECKPOINT_FILE = None   # None: instance/audit_checkpoints.jsonl
AUDIT_CHECKPOINT_SECONDS = 3600  # the worker writes a checkpoint when the last is older than this
# Key rotation: earlier signing keys still accepted (sessions, confirmation and reset links), newest
# first; new signatures use SECRET_KEY only. Env: comma-separated. See docs/operations.md.
SECRET_KEY_FALLBACKS = []
# Behind a reverse proxy: how many proxies in front of the app set X-Forwarded-For/-Proto/-Host.
# 0 (default): those headers are ignored and the client address is the connection's peer.
PROXIES = 0
SMTP_URL = None                # None: mail is written to outbox/ in the instance folder
OUTBOX_DIR = None              # None: outbox/ in the instance folder
MAIL_FROM = "Records Portal <records@localhost>"
BASE_URL = "http://127.0.0.1:5000"
AGENCY_NAME = "City of Example"
# The agency's logo in the page header, beside its name: a path on this site (/static/...) or an
# https:// address (its origin is then allowed by the pages' Content-Security-Policy). None: no logo.
LOGO_URL = None
# Where the footer's "Contact" link and the accessibility statement send people. None: MAIL_FROM's
# address.
CONTACT_EMAIL = None
AGENCY_TIMEZONE = "America/Los_Angeles"
# Languages of the public pages; the first is the default. A visitor picks one with the switch
# in the header (a cookie), or the browser's Accept-Language decides.
LANGUAGES = ["en", "es"]
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

# Redaction: pages with redactions are rebuilt as images at this resolution (dots per inch)
REDACTION_DPI = 150

# Uploads
MAX_CONTENT_LENGTH = 2 * 1024 ** 3
REQUESTER_ATTACHMENT_MAX_BYTES = 25 * 1024 ** 2
JSON_MAX_BYTES = 1024 ** 2     # largest JSON request body (a larger one is refused with 413)
# Checked on every upload before the file is stored (portal/records/inspect.py); a file over a limit
# is refused with 422 and a message naming the limit.
# width x height of an image. Marking one in its own format needs about 28 bytes a pixel (measured:
# 4,000 x 4,000 took 451 MiB); this keeps one mark under 512 MiB (docs/security.md).
UPLOAD_MAX_PIXELS = 16_000_000
UPLOAD_ZIP_MAX_MEMBERS = 10_000          # parts of a ZIP, XLSX or DOCX
UPLOAD_ZIP_MAX_UNZIPPED = 1024 ** 3      # total uncompressed bytes, nested archives included
UPLOAD_ZIP_MAX_RATIO = 200               # uncompressed / compressed of one part over 1 MiB
UPLOAD_ZIP_MAX_DEPTH = 3                 # archives inside archives
UPLOAD_PDF_MAX_PAGES = 10_000
UPLOAD_PDF_MAX_OBJECTS = 2_000_000
# Rate limits (count, window in seconds): requests filed per requester, attributions per admin
FILING_LIMIT = (30, 3600)
ATTRIBUTION_LIMIT = (120, 3600)

# Virus scanning of uploads: "none" (nothing is scanned, and the admin pages say so), "clamscan"
# (the command, one process per file) or "clamd" (the daemon; best in production).
SCANNER = "none"
CLAMSCAN_COMMAND = "clamscan"
CLAMSCAN_DATABASE = None       # None: ClamAV's own (kept fresh by freshclam); a folder or a file
CLAMD_ADDRESS = "/var/run/clamav/clamd.ctl"  # a Unix socket, or tcp://host:port
SCAN_TIMEOUT = 600             # seconds one scan may take
SCAN_INLINE_MAX_BYTES = 20 * 1024 ** 2  # larger uploads are scanned by the worker
SCAN_RETRY_SECONDS = 60        # first retry after a scanner error; doubles, at most an hour

# Marked copies: up to this size they are made while the recipient waits; larger ones by the worker
MARK_INLINE_MAX_BYTES = 20 * 1024 ** 2
# ... and by what the marking decodes, not bytes: an image's pixels, a CSV's cells (a 231 KB PNG
# can hold 79 million pixels; a 4 MB one-line CSV took 845 MiB to mark)
MARK_INLINE_MAX_PIXELS = 4_000_000
MARK_INLINE_MAX_CELLS = 100_000
# A CSV of more cells than this is not marked cell by cell (about 660 bytes a cell); it leaves in
# the receipt ZIP, streamed, so one mark stays under 512 MiB
MARK_MAX_CELLS = 600_000
# Formats are marked in memory up to this size; larger files leave inside a receipt ZIP, streamed
MARK_IN_MEMORY_MAX_BYTES = 128 * 1024 ** 2
# A download in flight reads its grant again after this many bytes (or seconds, on a slow link)
# and stops once the grant is revoked
DOWNLOAD_RECHECK_BYTES = 4 * 1024 ** 2
DOWNLOAD_RECHECK_SECONDS = 2
# Copies for a whole-release bundle are made by the worker in this many processes (0: one per core)
BUNDLE_COPY_PROCESSES = 0
# Background jobs: a job still "running" this many seconds after a worker took it is taken to be
# abandoned (its worker died) and goes back to the queue; keep it longer than the slowest job.
JOB_LEASE_SECONDS = 900
# Jobs one `flask worker` runs at once (threads; marking, zlib and the PDF and image libraries
# release the GIL for their heavy parts)
WORKER_CONCURRENCY = 2
# On SIGTERM a worker takes no new job and waits this long for the running ones; those still
# running then go back to the queue unharmed (not counted as an attempt)
WORKER_SHUTDOWN_GRACE = 20
# A step of the worker's loop that failed (database, storage or SMTP unreachable) is tried again
# after 1 s, doubling up to this
WORKER_BACKOFF_MAX_SECONDS = 60
# Admin pages and `flask worker status` warn when no worker was seen for this long
WORKER_MISSING_SECONDS = 300
# `flask storage check --delete-orphans` deletes only orphans older than this: younger ones may be
# uploads whose row is not committed yet.
STORAGE_ORPHAN_GRACE_SECONDS = 24 * 3600
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

# A download link withdrawn outside a clawback campaign. {name} {agency} {reason} {files} {link}
REVOKED_SUBJECT = "A download link was withdrawn"
REVOKED_TEXT = """Hello {name},

{agency} has withdrawn your download link for the files below:

{files}

The reason given: {reason}

The link no longer works. You do not need to do anything; if we ask anything of you, you will
receive a separate notice. Your notices, and the files still available to you, are at:

  {link}
"""

# Records requests
MAX_DEPARTMENTS_PER_FILING = 10
# Digests and reminders (`flask digests send`, also run by the worker each day after DIGEST_HOUR,
# in the agency's time zone; the worker sends staff digests on business days only).
DIGEST_HOUR = 7                # None: the worker sends none (run `flask digests send` from cron instead)
REQUESTER_RESPOND_DAYS = 30    # days a requester has to answer a question or a fee estimate
REMINDER_DAYS_BEFORE = 5       # requesters are reminded this many days before their respond-by date
REQUEST_PAGE_SIZE = 50
DRAFT_LIMIT = (5, 3600)        # unconfirmed requests per e-mail address per window
DRAFT_IP_LIMIT = (20, 3600)    # unconfirmed requests per client address per window
DRAFT_MAX_AGE = 3 * 24 * 3600  # seconds a confirmation link for a request works
PREFERRED_FORMATS = [("any", "No preference"), ("electronic", "Electronic copies"),
                     ("paper", "Paper copies"), ("inspection", "Inspection in person")]

# Exemptions staff may cite when denying or partly withholding, per law (code, label).
EXEMPTIONS = {
    "foia": [
        ("b1", "5 U.S.C. 552(b)(1): classified national defense or foreign policy"),
        ("b2", "5 U.S.C. 552(b)(2): internal personnel rules and practices"),
        ("b3", "5 U.S.C. 552(b)(3): exempted by another statute"),
        ("b4", "5 U.S.C. 552(b)(4): trade secrets, confidential commercial information"),
        ("b5", "5 U.S.C. 552(b)(5): privileged inter- or intra-agency communications"),
        ("b6", "5 U.S.C. 552(b)(6): personal privacy (personnel, medical files)"),
        ("b7a", "5 U.S.C. 552(b)(7)(A): interference with enforcement proceedings"),
        ("b7c", "5 U.S.C. 552(b)(7)(C): personal privacy in law enforcement records"),
        ("b7d", "5 U.S.C. 552(b)(7)(D): confidential sources"),
        ("b7e", "5 U.S.C. 552(b)(7)(E): law enforcement techniques and procedures"),
        ("b8", "5 U.S.C. 552(b)(8): financial institution supervision"),
        ("b9", "5 U.S.C. 552(b)(9): geological information on wells"),
    ],
    "cpra": [
        ("7922.000", "Cal. Gov. Code 7922.000: public interest in withholding clearly outweighs disclosure"),
        ("7927.500", "Cal. Gov. Code 7927.500: preliminary drafts, notes, memoranda"),
        ("7923.600", "Cal. Gov. Code 7923.600: law enforcement investigatory records"),
        ("7927.700", "Cal. Gov. Code 7927.700: personnel, medical or similar files"),
        ("7927.705", "Cal. Gov. Code 7927.705: exempt under other law (incl. Evid. Code privileges)"),
        ("7927.200", "Cal. Gov. Code 7927.200: records of pending litigation"),
        ("7929.210", "Cal. Gov. Code 7929.210: critical infrastructure information"),
    ],
    "foil": [
        ("87-2-a", "N.Y. Pub. Off. Law 87(2)(a): exempted by state or federal statute"),
        ("87-2-b", "N.Y. Pub. Off. Law 87(2)(b): unwarranted invasion of personal privacy"),
        ("87-2-c", "N.Y. Pub. Off. Law 87(2)(c): would impair contract awards or collective bargaining"),
        ("87-2-d", "N.Y. Pub. Off. Law 87(2)(d): trade secrets"),
        ("87-2-e", "N.Y. Pub. Off. Law 87(2)(e): law enforcement purposes"),
        ("87-2-f", "N.Y. Pub. Off. Law 87(2)(f): would endanger life or safety"),
        ("87-2-g", "N.Y. Pub. Off. Law 87(2)(g): inter- or intra-agency materials"),
        ("87-2-i", "N.Y. Pub. Off. Law 87(2)(i): information technology security"),
    ],
}

# Pre-release screening (docs/screening.md). Each built-in detector can be switched off.
SCREENING_SSN = True             # US social security numbers (123-45-6789, or 9 digits after "SSN")
SCREENING_DOB = True             # a date within 40 characters after "DOB", "born", "date of birth"
SCREENING_PERSONAL_EMAIL = True  # see SCREENING_EMAIL_RULE
SCREENING_PHONE = True           # North American and +international phone numbers
SCREENING_EMAIL_RULE = "freemail"  # "freemail": addresses at free-mail providers; "any": every address
SCREENING_OWN_DOMAINS = ""       # with "any": the agency's own domains, comma-separated, not flagged
# Hygiene findings that hold a release even without a match (comma-separated kinds)
SCREENING_HOLD_FINDINGS = ("hidden_sheet,very_hidden_sheet,hidden_rows,hidden_columns,comments,"
                           "external_links,tracked_changes,gps,pdf_revisions,text_under_box,embedded_file,"
                           "javascript,unreadable,too_large")
SCREENING_MAX_BYTES = 256 * 1024 ** 2   # larger files are not read: a `too_large` finding holds them
SCREENING_OCR = True            # read scanned pages and photos with Tesseract (false: text only, said on the page)
SCREENING_OCR_INLINE_PAGES = 4  # pages (a photo counts one) read while a release waits; more: the worker, and a hold
SCREENING_FACES_MAX = 20        # a release to outsiders with more photos showing faces than this is held
