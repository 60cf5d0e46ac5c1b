"""A real IMAP server for tests: Debian's Dovecot with a throwaway configuration in a temporary
directory, listening on a free loopback port (see SERVERS.md of the shared brief).

Users live in a passwd-file, each with a Maildir owned by `dovecot`; messages are delivered by
APPENDing them over IMAP, as a mail server would."""

import imaplib
import os
import pwd
import shutil
import subprocess
import uuid
from datetime import datetime
from pathlib import Path

from tests.support.servers import SERVER_START_TIMEOUT, free_port, port_open, wait_for

USERS = 100
PASSWORD = "secret"  # every user's

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
# no growing delay for a client after a failed login (the wrong-password test)
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
first_valid_uid = 100
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def unavailable() -> str:
    """Why Dovecot cannot run here ('' when it can)."""
    if shutil.which("dovecot") is None:
        return "dovecot is not installed (`make test` installs dovecot-imapd)"
    if os.geteuid() != 0:
        return "a throwaway Dovecot needs root (it drops to the dovecot user)"
    return ""


class Dovecot:
    """`dovecot -c CONF` under `root` on a free port; `stop()` ends it."""

    host = "127.0.0.1"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.users = root / "users"
        self.pid_file = root / "run" / "master.pid"
        self._logins: list[str] = []

    def start(self) -> "Dovecot":
        dovecot = pwd.getpwnam("dovecot")
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)  # noqa: S103 (Dovecot's users must reach their mail)
        os.chown(self.root / "mail", dovecot.pw_uid, dovecot.pw_gid)
        prefix = uuid.uuid4().hex[:8]
        self._logins = [f"desk-{prefix}-{n}@example.com" for n in range(USERS)]
        self.users.write_text("".join(f"{login}:{{PLAIN}}{PASSWORD}\n" for login in self._logins))
        self.users.chmod(0o644)
        conf = self.root / "dovecot.conf"
        conf.write_text(CONFIG.format(root=self.root, port=self.port))
        # Dovecot daemonises: its output goes to log_path, and no pipe is left to wait on.
        subprocess.run(
            ["dovecot", "-c", str(conf)],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(
            lambda: port_open(self.port), timeout=SERVER_START_TIMEOUT, what="Dovecot to listen"
        )
        return self

    def stop(self) -> None:
        if self.pid_file.exists():
            pid = int(self.pid_file.read_text().split()[0])
            subprocess.run(["kill", str(pid)], check=False)
            wait_for(lambda: not port_open(self.port), timeout=15, what="Dovecot to stop")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def add_user(self) -> str:
        """A user no test has had (a fresh, empty mailbox), password "secret"; returns their
        login. Users are written before the server starts: Dovecot re-reads a changed
        passwd-file only once a second."""
        if not self._logins:
            raise RuntimeError(f"more than {USERS} users asked of one Dovecot")
        return self._logins.pop()

    def deliver(
        self,
        login: str,
        raw: bytes,
        *,
        password: str = PASSWORD,
        folder: str = "INBOX",
        seen: bool = False,
        at: datetime | None = None,
    ) -> None:
        """APPEND `raw` to the user's folder (created if missing), unseen unless `seen`."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            client.login(login, password)
            if folder != "INBOX":
                client.create(f'"{folder}"')
            flags = r"(\Seen)" if seen else None
            date = imaplib.Time2Internaldate(at) if at is not None else None
            status, data = client.append(f'"{folder}"', flags, date, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def flags(self, login: str, *, password: str = PASSWORD) -> dict[int, bool]:
        """{uid: seen} of every message in the user's INBOX."""
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            client.login(login, password)
            client.select("INBOX", readonly=True)
            _, data = client.uid("FETCH", "1:*", "(FLAGS)")
        finally:
            client.logout()
        found = {}
        for line in data:
            if not isinstance(line, bytes):
                continue
            uid = int(line.split(b"UID ")[1].split()[0].strip(b")"))
            found[uid] = b"\\Seen" in line
        return found
