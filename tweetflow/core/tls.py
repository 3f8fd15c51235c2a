"""A private certificate authority and a server certificate for the local stack's TLS.

Generated once per state directory with the openssl command line (LibreSSL and OpenSSL 1.1+
alike); the keys never leave it and are readable by their owner only. Clients trust the CA
file (`ca.pem`); the server presents `server.pem` (PKCS#8 key, then the certificate)."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

from tweetflow.core.errors import StackError

DAYS = "825"  # the longest validity clients accept for a server certificate
# A trust store holds only public certificates; Java insists on a password all the same.
TRUST_STORE_PASSWORD = "changeit"


def ensure(directory: Path, host: str) -> tuple[Path, Path]:
    """(CA certificate, server key + certificate), created when missing, valid for `host`.
    Services starting side by side share one CA: the first creates it, under a lock."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    with (directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure(directory, host)


def _ensure(directory: Path, host: str) -> tuple[Path, Path]:
    ca, server = directory / "ca.pem", directory / "server.pem"
    if ca.exists() and server.exists():
        return ca, server
    if shutil.which("openssl") is None:
        raise StackError(
            "TLS for the local stack needs the openssl command (apt-get install openssl)"
        )
    ca_key, key, request, cert = (
        directory / n for n in ("ca.key", "server.key", "server.csr", "server.crt")
    )
    extensions = directory / "server.ext"
    extensions.write_text(
        f"subjectAltName=IP:{host},DNS:localhost\n"
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n",
        encoding="utf-8",
    )
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
        "-days", DAYS, "-subj", "/CN=tweetflow local CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request,
        "-subj", f"/CN={host}",
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
        "-out", cert, "-days", DAYS, "-extfile", extensions,
    )  # fmt: skip
    server.touch(mode=0o600)
    server.write_text(key.read_text() + cert.read_text())
    for leftover in (key, request, extensions):
        leftover.unlink()
    return ca, server


def _openssl(*args: object) -> None:
    done = subprocess.run(
        ["openssl", *map(str, args)], capture_output=True, text=True, check=False, timeout=60
    )
    if done.returncode != 0:
        raise StackError(f"openssl {args[0]} failed: {done.stderr.strip()[-500:]}")


def trust_store(ca: Path, java_home: Path) -> Path:
    """A PKCS12 copy of the JDK's CAs with `ca` added (beside `ca`), for JVMs that must trust
    it without distrusting everyone else."""
    store = ca.with_name(f"truststore-{ca.stat().st_mtime_ns}.p12")
    if store.exists():
        return store
    keytool = java_home / "bin" / "keytool"
    cacerts = java_home / "lib" / "security" / "cacerts"
    partial = store.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    for args in (
        ["-importkeystore", "-srckeystore", str(cacerts), "-srcstorepass", TRUST_STORE_PASSWORD,
         "-destkeystore", str(partial), "-deststoretype", "PKCS12",
         "-deststorepass", TRUST_STORE_PASSWORD],
        ["-importcert", "-noprompt", "-alias", "tweetflow-local-ca", "-file", str(ca),
         "-keystore", str(partial), "-storetype", "PKCS12", "-storepass", TRUST_STORE_PASSWORD],
    ):  # fmt: skip
        done = subprocess.run(
            [str(keytool), *args], capture_output=True, text=True, check=False, timeout=60
        )
        if done.returncode != 0:
            raise StackError(f"keytool failed: {(done.stdout + done.stderr).strip()[-500:]}")
    partial.rename(store)
    return store
