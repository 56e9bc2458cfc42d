#!/usr/bin/env python3
"""Protocol steps of the firmware boot test, with Python's standard library
only: independent clients, not the ones Letterbox is built or tested with.

Every command prints one line on success and exits 0; on failure it prints
the reason on stderr and exits 1. The box is reached through QEMU's host
forwards on 127.0.0.1; HTTPS requests carry the Host/Origin a browser on the
LAN would send (https://NAME.local:8443), so the admin's host and origin
checks see what they see in real use.

  boot_check.py wait-banner PORT SECONDS
  boot_check.py admin-page PORT NAME
  boot_check.py admin-claim PORT NAME TOKEN USER PASSWORD STATEFILE
  boot_check.py admin-user PORT NAME STATEFILE DOMAIN ADDRESS PASSWORD
  boot_check.py admin-ssh PORT NAME STATEFILE PUBKEYFILE
  boot_check.py smtp-send PORT RCPT MARKER
  boot_check.py imap-find PORT USER PASSWORD MARKER
"""
import http.client
import imaplib
import json
import smtplib
import socket
import ssl
import sys
import time


def fail(msg):
    print(f"boot_check: {msg}", file=sys.stderr)
    sys.exit(1)


def tls_context():
    # The box's certificate is issued by its own CA, which the test does not
    # hold; it checks function, not the certificate chain.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def wait_banner(port, seconds):
    deadline = time.time() + seconds
    last = "no answer"
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
                s.settimeout(60)
                line = s.makefile("rb").readline().decode("ascii", "replace").strip()
                if line.startswith("220"):
                    print(f"banner: {line}")
                    return
                last = line or "connection closed"
        except OSError as err:
            last = str(err)
        time.sleep(3)
    fail(f"no SMTP banner on 127.0.0.1:{port} within {seconds} s ({last})")


def https(port, name, method, path, body=None, headers=None, seconds=180):
    # Retries while the admin listener is not up yet (QEMU's forward accepts
    # and then resets); any HTTP answer is returned as it is.
    deadline = time.time() + seconds
    while True:
        try:
            return https_once(port, name, method, path, body, headers)
        except OSError as err:
            if time.time() > deadline:
                fail(f"no HTTPS answer on 127.0.0.1:{port}: {err}")
            time.sleep(3)


def https_once(port, name, method, path, body, headers):
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=120, context=tls_context())
    origin = f"https://{name}.local:8443"
    hdrs = {"Host": f"{name}.local:8443", "Origin": origin, "Sec-Fetch-Site": "same-origin"}
    hdrs.update(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    raw = resp.read()
    conn.close()
    return resp.status, resp.getheaders(), raw


def admin_page(port, name):
    status, _, raw = https(port, name, "GET", "/")
    if status != 200 or b"<html" not in raw.lower():
        fail(f"GET / answered {status}: {raw[:200]!r}")
    status, _, raw = https(port, name, "GET", "/api/status")
    if status != 200:
        fail(f"GET /api/status answered {status}: {raw[:200]!r}")
    print(f"admin page: 200, status {raw.decode()}")


def admin_claim(port, name, token, user, password, statefile):
    status, headers, raw = https(port, name, "POST", "/api/setup", {"token": token, "username": user, "password": password})
    if status != 201:
        fail(f"POST /api/setup answered {status}: {raw[:300]!r}")
    cookie = ""
    for key, value in headers:
        if key.lower() == "set-cookie" and value.startswith("__Host-sid="):
            cookie = value.split(";", 1)[0]
    csrf = json.loads(raw)["csrfToken"]
    if not cookie:
        fail("POST /api/setup set no session cookie")
    with open(statefile, "w") as f:
        json.dump({"cookie": cookie, "csrf": csrf}, f)
    print(f"admin claimed by {user}")


def admin_user(port, name, statefile, domain, address, password):
    with open(statefile) as f:
        state = json.load(f)
    auth = {"Cookie": state["cookie"], "X-CSRF-Token": state["csrf"]}
    status, _, raw = https(port, name, "POST", "/api/domains", {"name": domain}, auth)
    if status not in (201, 409):
        fail(f"POST /api/domains answered {status}: {raw[:300]!r}")
    status, _, raw = https(port, name, "POST", "/api/users", {"address": address, "password": password}, auth)
    if status != 201:
        fail(f"POST /api/users answered {status}: {raw[:300]!r}")
    print(f"admin created {address}")


def admin_ssh(port, name, statefile, pubkeyfile):
    # Switches remote login on through the admin API with the test's key; the
    # firmware applies it (the caller watches the console for ssh=active).
    with open(statefile) as f:
        state = json.load(f)
    with open(pubkeyfile) as f:
        key = f.read().strip()
    auth = {"Cookie": state["cookie"], "X-CSRF-Token": state["csrf"]}
    status, _, raw = https(port, name, "PUT", "/api/remote-login", {"enabled": True, "authorizedKeys": [key]}, auth)
    if status != 200:
        fail(f"PUT /api/remote-login answered {status}: {raw[:300]!r}")
    answer = json.loads(raw)
    if answer.get("supported") is not True or answer.get("enabled") is not True or answer.get("authorizedKeys") != [key]:
        fail(f"PUT /api/remote-login answered {answer!r}")
    print("admin asked for SSH on with one key")


def smtp_send(port, rcpt, marker):
    msg = (
        f"From: Boot Test <boottest@sender.example>\r\nTo: <{rcpt}>\r\n"
        f"Subject: boot test {marker}\r\nMessage-ID: <{marker}@sender.example>\r\n"
        f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S +0000', time.gmtime())}\r\n\r\n"
        f"This message must survive a power cut. {marker}\r\n"
    )
    with smtplib.SMTP("127.0.0.1", port, local_hostname="sender.example", timeout=180) as s:
        code, _ = s.ehlo()
        if code != 250:
            fail(f"EHLO answered {code}")
        code, reply = s.mail("boottest@sender.example")
        if code != 250:
            fail(f"MAIL answered {code} {reply!r}")
        code, reply = s.rcpt(rcpt)
        if code not in (250, 251):
            fail(f"RCPT answered {code} {reply!r}")
        code, reply = s.data(msg.encode())
        if code != 250:
            fail(f"DATA answered {code} {reply!r}")
    print(f"smtp: 250 for {rcpt} ({reply.decode(errors='replace')})")


def imap_connect(port, seconds=120):
    # QEMU accepts on the host side even while the guest port is still closed
    # and then resets: retry until the service is up.
    deadline = time.time() + seconds
    while True:
        try:
            return imaplib.IMAP4_SSL("127.0.0.1", port, ssl_context=tls_context(), timeout=180)
        except (OSError, imaplib.IMAP4.abort) as err:
            if time.time() > deadline:
                fail(f"no IMAPS on 127.0.0.1:{port}: {err}")
            time.sleep(3)


def imap_find(port, user, password, marker):
    with imap_connect(port) as m:
        m.login(user, password)
        typ, data = m.select("INBOX", readonly=True)
        if typ != "OK":
            fail(f"SELECT INBOX: {typ} {data}")
        typ, data = m.search(None, "SUBJECT", f'"{marker}"')
        ids = data[0].split() if typ == "OK" and data and data[0] else []
        if len(ids) != 1:
            fail(f"expected one message with {marker} in INBOX, found {len(ids)} ({typ} {data})")
        typ, data = m.fetch(ids[0], "(BODY.PEEK[])")
        raw = b"".join(part[1] for part in data if isinstance(part, tuple))
        if marker.encode() not in raw.split(b"\r\n\r\n", 1)[-1]:
            fail("the fetched message body lacks the marker")
    print(f"imap: message {marker} found in INBOX of {user}")


def main(argv):
    if len(argv) < 2:
        fail(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "wait-banner":
        wait_banner(int(args[0]), int(args[1]))
    elif cmd == "admin-page":
        admin_page(int(args[0]), args[1])
    elif cmd == "admin-claim":
        admin_claim(int(args[0]), *args[1:6])
    elif cmd == "admin-user":
        admin_user(int(args[0]), *args[1:6])
    elif cmd == "admin-ssh":
        admin_ssh(int(args[0]), *args[1:4])
    elif cmd == "smtp-send":
        smtp_send(int(args[0]), args[1], args[2])
    elif cmd == "imap-find":
        imap_find(int(args[0]), args[1], args[2], args[3])
    else:
        fail(f"unknown command {cmd}")


if __name__ == "__main__":
    main(sys.argv)
