"""SMTP settings from the environment (never from files), checked before anything is built."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from briefgen.characters import escape, header_problem
from briefgen.distribution.headers import problem as name_problem
from briefgen.errors import BriefgenError, ProblemsError

PREFIX = "BRIEFGEN_"
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DRY_RUN_FROM = "briefgen <briefgen@localhost>"


class _Env(BaseSettings):
    """The environment variables, as pydantic-settings reads them (no .env file, ever)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_file=None, extra="ignore",
                                      case_sensitive=True, env_ignore_empty=True,
                                      hide_input_in_errors=True)

    SMTP_HOST: str | None = None
    SMTP_PORT: int | None = Field(default=None, ge=1, le=65535)
    SMTP_SECURITY: Literal["starttls", "ssl", "none"] = "starttls"
    SMTP_USER: str | None = None
    SMTP_PASSWORD: SecretStr | None = None
    SMTP_CAFILE: str | None = None
    SMTP_TIMEOUT: float = Field(default=60.0, gt=0, le=3600, allow_inf_nan=False)
    SMTP_RETRIES: int = Field(default=5, ge=1, le=100)  # attempts per message in one run
    SMTP_BACKOFF: float = Field(default=2.0, ge=0)  # first delay; doubles, capped at 5 minutes
    FROM: str | None = None


@dataclass(frozen=True)
class MailSettings:
    """What a run needs to know about its mail server; `password` never leaves this object."""

    sender: Address
    host: str = ""
    port: int = 0
    security: str = "starttls"
    user: str | None = None
    password: SecretStr | None = None
    cafile: str | None = None
    timeout: float = 60.0
    attempts: int = 5
    backoff: float = 2.0

    def __repr__(self) -> str:  # dataclass repr would be fine (SecretStr masks), but be explicit
        return (f"MailSettings(sender={str(self.sender)!r}, host={self.host!r}, port={self.port}, "
                f"security={self.security!r}, user={self.user!r}, password=***)")

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based): 1x, 2x, 4x..."""
        return min(self.backoff * 2 ** (attempt - 1), 300.0)


class MailSettingsError(ProblemsError):
    """Every missing or bad BRIEFGEN_* variable of the run, one `error:` line each."""


def load_mail_settings(dry_run: bool = False) -> MailSettings:
    """Read BRIEFGEN_* variables; every missing or bad one is reported at once, by name
    (MailSettingsError), so that one run tells all that needs setting.

    A dry run needs none of them: BRIEFGEN_FROM falls back to a local placeholder.
    """
    problems: list[str] = []
    try:
        env = _Env()
    except ValidationError as e:
        bad: dict[str, None] = {}
        for err in e.errors(include_url=False):
            field_name = str(err["loc"][0])
            if field_name not in bad:
                bad[field_name] = None
                problems.append(_bad_variable(PREFIX + field_name, err))
        # The other variables are still checked: init values take the bad ones' place.
        env = _Env(**{f: _Env.model_fields[f].default for f in bad})
    sender = _collect(problems, _sender, env.FROM, dry_run)
    common = dict(timeout=env.SMTP_TIMEOUT, attempts=env.SMTP_RETRIES, backoff=env.SMTP_BACKOFF)
    if dry_run:
        if problems:
            raise MailSettingsError(problems)
        return MailSettings(sender=sender, **common)
    host = (env.SMTP_HOST or "").strip()
    if not host:
        problems.append(f"{PREFIX}SMTP_HOST is not set (hint: export {PREFIX}SMTP_HOST="
                        "smtp.example.org, or use --dry-run to write the messages to files)")
    user = env.SMTP_USER if env.SMTP_USER else None
    password = env.SMTP_PASSWORD if env.SMTP_PASSWORD and env.SMTP_PASSWORD.get_secret_value() \
        else None
    if user and password is None:
        problems.append(f"{PREFIX}SMTP_PASSWORD is not set but {PREFIX}SMTP_USER is "
                        f"(hint: set both to log in, or unset {PREFIX}SMTP_USER)")
    if password is not None and not user:
        problems.append(f"{PREFIX}SMTP_PASSWORD is set but {PREFIX}SMTP_USER is not "
                        f"(hint: set {PREFIX}SMTP_USER to log in)")
    if user and host and env.SMTP_SECURITY == "none" and not _loopback(host):
        problems.append(f"refusing to send {PREFIX}SMTP_PASSWORD unencrypted to {host} "
                        f"({PREFIX}SMTP_SECURITY=none) (hint: use starttls or ssl)")
    if env.SMTP_CAFILE:
        from pathlib import Path
        if not Path(env.SMTP_CAFILE).is_file():
            problems.append(f"{PREFIX}SMTP_CAFILE='{escape(env.SMTP_CAFILE)}' is not a file "
                            "(hint: point it at a PEM file of CA certificates)")
        else:  # a file that holds no certificate fails here, plainly
            _collect(problems, tls_context, env.SMTP_CAFILE)
    if problems:
        raise MailSettingsError(problems)
    port = env.SMTP_PORT or DEFAULT_PORTS[env.SMTP_SECURITY]
    return MailSettings(sender=sender, host=host, port=port,
                    security=env.SMTP_SECURITY, user=user, password=password,
                    cafile=env.SMTP_CAFILE or None, **common)


def _collect(problems: list[str], check, *args):
    """`check(*args)`, its BriefgenError added to `problems` instead of raised."""
    try:
        return check(*args)
    except BriefgenError as e:
        problems.append(str(e))
        return None


def tls_context(cafile: str | None = None):
    """A verifying TLS context, trusting `cafile` too; a bad CA file is a plain error."""
    import ssl

    context = ssl.create_default_context()
    if cafile:
        try:
            context.load_verify_locations(cafile=cafile)
        except (ssl.SSLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", None) or getattr(e, "strerror", None) or str(e)
            raise BriefgenError(f"{PREFIX}SMTP_CAFILE='{escape(cafile)}' holds no usable CA "
                                f"certificate ({reason}) (hint: point it at a PEM file of CA "
                                "certificates, the one that signed the server's "
                                "certificate)") from None
    return context


def _bad_variable(name: str, err: dict) -> str:
    kind = err["type"]
    if name.endswith("SECURITY"):
        return f"{name} must be one of starttls, ssl, none"
    if name.endswith("PORT"):
        return f"{name} must be a port number from 1 to 65535"
    if name.endswith("TIMEOUT") and kind in ("finite_number", "less_than_equal"):
        return f"{name} must be a number of seconds from above 0 to 3600"
    if kind.startswith(("int", "float")) or kind in ("greater_than", "greater_than_equal",
                                                    "less_than_equal", "finite_number"):
        return f"{name} must be a number ({err['msg'].lower()})"
    return f"{name} is not valid ({err['msg'].lower()})"


def _sender(value: str | None, dry_run: bool) -> Address:
    """BRIEFGEN_FROM as an Address: 'Name <addr>' or a bare address."""
    from email_validator import EmailNotValidError, validate_email

    if not value or not value.strip():
        if dry_run:
            name, addr = parseaddr(DRY_RUN_FROM)
            return Address(display_name=name, addr_spec=addr)
        raise BriefgenError(f"{PREFIX}FROM is not set (hint: export {PREFIX}FROM="
                            "'Desk briefs <briefs@example.org>')")
    problem = header_problem(value)
    if problem:
        raise BriefgenError(f"{PREFIX}FROM {problem}")
    problem = name_problem(value, display_name=True)
    if problem:
        raise BriefgenError(f"{PREFIX}FROM='{escape(value)}' {problem} (hint: write the name "
                            "itself, as 'Desk briefs <briefs@example.org>')")
    name, addr = _one_address(value.strip())
    try:
        if not addr:
            raise EmailNotValidError("it is not an address like 'Name <name@example.org>'")
        result = validate_email(addr, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as e:
        raise BriefgenError(f"{PREFIX}FROM='{escape(value)}' is not a valid address: {e}") from None
    return Address(display_name=name, addr_spec=result.ascii_email)


def _one_address(value: str) -> tuple[str, str]:
    """(name, address) of the one address `value` holds, read as the email package reads a
    From header (its encoded words decoded); ('', '') when it holds none or several."""
    from email import errors

    from briefgen.distribution.headers import SMTP

    try:
        found = SMTP.header_factory("From", value).addresses
    except (errors.HeaderParseError, IndexError, ValueError, TypeError):
        return "", ""
    if len(found) != 1:
        return "", ""
    return found[0].display_name, found[0].addr_spec


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
