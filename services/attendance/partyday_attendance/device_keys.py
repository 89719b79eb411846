"""The keys members' phones register while online (WebCrypto ECDSA P-256, the private half never leaves the
phone), and the signature each offline scan carries: a batch cannot be written afterwards on another device."""

import base64
import json
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select
from sqlalchemy.orm import Session

from partyday_attendance.models import DeviceKey
from partyday_common.errors import DomainError

# What a signature covers: the scan as the phone queued it.
SIGNED_FIELDS = ("activity_id", "kind", "token", "scanned_at", "lat", "lon", "accuracy_m", "nonce", "device_id")


def register(session: Session, member_id: str, device_id: str, public_key: str, now: datetime) -> dict:
    """Keep the device's public key (SPKI, base64) for the member; a device registering again replaces it."""
    _public_key(public_key)
    key = session.get(DeviceKey, (member_id, device_id), with_for_update=True)
    if key is None:
        key = DeviceKey(member_id=member_id, device_id=device_id)
        session.add(key)
    key.public_key, key.registered_at = public_key, now
    session.flush()
    return {"member_id": member_id, "device_id": device_id, "registered_at": now.isoformat()}


def proves_device(session: Session, member_id: str, scan: dict) -> bool:
    """Whether the offline scan was queued on a device the member registered: its signature verifies with that
    device's key and covers this very scan (else SIGNATURE_REQUIRED or SIGNATURE_INVALID). False for a device
    the member never registered though they registered another; True for a member who never registered one."""
    key = session.get(DeviceKey, (member_id, scan["device_id"]))
    if key is None:
        return session.scalar(select(DeviceKey.device_id).where(DeviceKey.member_id == member_id).limit(1)) is None
    if not scan.get("signature") or not scan.get("signed_payload"):
        raise DomainError("SIGNATURE_REQUIRED", "this device signs its offline scans; this one is not signed", 422)
    if not _verifies(key.public_key, scan["signed_payload"], scan["signature"]) or not covers(
        scan["signed_payload"], scan
    ):
        raise DomainError("SIGNATURE_INVALID", "this scan's signature is not this device's, or not of this scan", 422)
    return True


def covers(signed_payload: str, scan: dict) -> bool:
    """The signed text names exactly this scan."""
    try:
        signed = json.loads(signed_payload)
        return isinstance(signed, dict) and all(_same(field, signed.get(field), scan[field]) for field in SIGNED_FIELDS)
    except (ValueError, TypeError):
        return False


def _same(field: str, signed, value) -> bool:
    if field == "scanned_at":
        return isinstance(signed, str) and datetime.fromisoformat(signed.replace("Z", "+00:00")) == value
    if field in ("lat", "lon", "accuracy_m"):
        return isinstance(signed, (int, float)) and float(signed) == float(value)
    return signed == value


def _public_key(text: str) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_der_public_key(base64.b64decode(text, validate=True))
    except ValueError:
        key = None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise DomainError("DEVICE_KEY_INVALID", "a device key is an ECDSA P-256 public key (SPKI, base64)", 422)
    return key


def _verifies(public_key: str, payload: str, signature: str) -> bool:
    """WebCrypto signs in IEEE P1363 form (r and s, 32 bytes each, base64url)."""
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    except ValueError:
        return False
    if len(raw) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        _public_key(public_key).verify(der, payload.encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
