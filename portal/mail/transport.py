"""Where mail goes: an SMTP server, or .eml files in the outbox folder."""
from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit


def build(mail_from: str, to: str, subject: str, body: str, mail_id: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(idstring=f"portal-{mail_id}")
    msg.set_content(body)
    return msg


def send_smtp(url: str, msg: EmailMessage, timeout: float = 20) -> None:
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError(f"unsupported mail URL scheme {parts.scheme!r}")
    host, port = parts.hostname or "localhost", parts.port
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, port or 465, timeout=timeout)
    else:
        client = smtplib.SMTP(host, port or 25, timeout=timeout)
    with client:
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(msg)


def write_outbox(folder: str, msg: EmailMessage, mail_id: int) -> Path:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{mail_id:08d}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(msg))
    os.replace(tmp, path)
    return path
