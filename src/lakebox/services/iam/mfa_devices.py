"""Virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice, DeactivateMFADevice,
DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices, GetMFADevice and the device tags.

A device is a real TOTP authenticator (RFC 6238: SHA-1, 6 digits, 30-second steps, as AWS's virtual
devices are): CreateVirtualMFADevice draws its secret and answers it as the Base32 seed and as a QR
code PNG of the `otpauth://` URI an authenticator app scans. EnableMFADevice and ResyncMFADevice
take two consecutive codes of the device, as AWS asks, and refuse codes it did not compute
(InvalidAuthenticationCode). STS checks the codes given to GetSessionToken and AssumeRole against
the device (`verify_code`). The device's serial number is its ARN,
`arn:aws:iam::<account>:mfa<path><name>`, the store's key for it.
"""

from __future__ import annotations

import io
import time
from typing import Optional
from urllib.parse import quote

import pyotp
import segno

from ...protocol.context import RequestContext
from ...protocol.errors import AwsError
from .common import (already_exists, arn, check_name, check_path, delete_conflict, limit_exceeded, no_such_entity,
                     now_iso, page, put_new, tags_of, timestamp, with_tags)
from .users import user_output

KIND = "mfa"
#: MFA devices one IAM user may have in use (AWS's quota since 2022).
MAX_DEVICES_PER_USER = 8
#: How far back (in 30-second steps) a pair of codes may lie: clocks drift, and AWS accepts codes
#: from a few minutes around the present when it enables or resynchronizes a device.
_SYNC_WINDOW_STEPS = 10


def invalid_code() -> AwsError:
    return AwsError("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)


def _totp(doc: dict) -> pyotp.TOTP:
    return pyotp.TOTP(doc["Seed"])


def _consecutive(doc: dict, first: str, second: str) -> bool:
    """Whether `first` and `second` are the device's codes for two consecutive steps near now."""
    totp, step = _totp(doc), int(time.time()) // 30
    return any(totp.at((n - 1) * 30) == first and totp.at(n * 30) == second
               for n in range(step - _SYNC_WINDOW_STEPS, step + 2))


def _qr_png(uri: str) -> bytes:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="png", scale=4)
    return out.getvalue()


class MfaDevicesMixin:
    def _mfa_device(self, ctx: RequestContext, serial: str) -> dict:
        doc = self.store.get(ctx.account_id, KIND, serial)
        if doc is None:
            raise no_such_entity(f"VirtualMFADevice with serial number {serial} doesn't exist.")
        return doc

    def create_virtual_mfa_device(self, ctx: RequestContext, params: dict) -> dict:
        path = check_path(params.get("Path"))
        name = check_name(params["VirtualMFADeviceName"], "virtualMFADeviceName")
        serial = arn(ctx.account_id, "mfa", path, name)
        seed = pyotp.random_base32()
        doc = {"SerialNumber": serial, "Path": path, "Name": name, "Seed": seed, "CreateDate": now_iso(self),
               "Tags": tags_of(params), "UserName": None, "EnableDate": None}
        put_new(self.store, ctx.account_id, KIND, serial, doc,
                already_exists("MFADevice entity at the same path and name already exists."))
        uri = (f"otpauth://totp/{quote('Amazon Web Services')}:{quote(name)}@{ctx.account_id}"
               f"?secret={seed}&issuer={quote('Amazon Web Services')}")
        device = {"SerialNumber": serial, "Base32StringSeed": seed.encode(), "QRCodePNG": _qr_png(uri)}
        return {"VirtualMFADevice": with_tags(device, doc)}

    def enable_mfa_device(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            user = self._user(ctx, params["UserName"])
            doc = self._mfa_device(ctx, params["SerialNumber"])
            if doc.get("UserName"):
                raise already_exists("MFA Device is already in use.")
            if len(self.mfa_devices_of(ctx, user["UserName"])) >= MAX_DEVICES_PER_USER:
                raise limit_exceeded(f"Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}")
            if not _consecutive(doc, params["AuthenticationCode1"], params["AuthenticationCode2"]):
                raise invalid_code()
            doc.update(UserName=user["UserName"], EnableDate=now_iso(self))
            self.store.put(ctx.account_id, KIND, doc["SerialNumber"], doc)
        return {}

    def resync_mfa_device(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            user = self._user(ctx, params["UserName"])
            doc = self._assigned(ctx, user["UserName"], params["SerialNumber"])
            if not _consecutive(doc, params["AuthenticationCode1"], params["AuthenticationCode2"]):
                raise invalid_code()
        return {}

    def deactivate_mfa_device(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            name = params.get("UserName") or self._calling_user(ctx)
            user = self._user(ctx, name) if name else None
            doc = self._assigned(ctx, user["UserName"] if user else None, params["SerialNumber"])
            doc.update(UserName=None, EnableDate=None)
            self.store.put(ctx.account_id, KIND, doc["SerialNumber"], doc)
        return {}

    def _assigned(self, ctx: RequestContext, user: Optional[str], serial: str) -> dict:
        """The device `serial`, enabled for `user`: NoSuchEntity otherwise, as IAM answers."""
        doc = self.store.get(ctx.account_id, KIND, serial)
        if doc is None or not doc.get("UserName") or (user is not None and doc["UserName"] != user):
            raise no_such_entity(f"MFA Device with serial number {serial} does not exist.")
        return doc

    def delete_virtual_mfa_device(self, ctx: RequestContext, params: dict) -> dict:
        with self.store.lock:
            doc = self._mfa_device(ctx, params["SerialNumber"])
            if doc.get("UserName"):
                raise delete_conflict("MFA device is still in use.")
            self.store.delete(ctx.account_id, KIND, doc["SerialNumber"])
        return {}

    def mfa_devices_of(self, ctx: RequestContext, user: str) -> list[dict]:
        return [d for d in self.store.all(ctx.account_id, KIND) if d.get("UserName") == user]

    def list_mfa_devices(self, ctx: RequestContext, params: dict) -> dict:
        name = params.get("UserName") or self._calling_user(ctx)
        user = self._user(ctx, name)["UserName"] if name else None
        devices = [{"UserName": d["UserName"], "SerialNumber": d["SerialNumber"], "EnableDate": timestamp(d["EnableDate"])}
                   for d in (self.mfa_devices_of(ctx, user) if user else [])]
        return page(devices, params, "MFADevices", lambda d: d["SerialNumber"])

    def list_virtual_mfa_devices(self, ctx: RequestContext, params: dict) -> dict:
        status = params.get("AssignmentStatus") or "Any"
        devices = [d for d in self.store.all(ctx.account_id, KIND)
                   if status == "Any" or (status == "Assigned") == bool(d.get("UserName"))]
        out = []
        for doc in devices:
            device = {"SerialNumber": doc["SerialNumber"]}
            if doc.get("UserName"):
                user = self.store.get(ctx.account_id, "user", doc["UserName"])
                if user is not None:
                    device["User"] = user_output(user, listed=True)
                device["EnableDate"] = timestamp(doc["EnableDate"])
            if doc.get("Tags"):
                device["Tags"] = doc["Tags"]
            out.append(device)
        return page(out, params, "VirtualMFADevices", lambda d: d["SerialNumber"])

    def get_mfa_device(self, ctx: RequestContext, params: dict) -> dict:
        doc = self._assigned(ctx, params.get("UserName"), params["SerialNumber"])
        return {"UserName": doc["UserName"], "SerialNumber": doc["SerialNumber"],
                "EnableDate": timestamp(doc["EnableDate"])}

    def tag_mfa_device(self, ctx: RequestContext, params: dict) -> dict:
        return self._tag(ctx, KIND, params["SerialNumber"], params["Tags"])

    def untag_mfa_device(self, ctx: RequestContext, params: dict) -> dict:
        return self._untag(ctx, KIND, params["SerialNumber"], params["TagKeys"])

    def list_mfa_device_tags(self, ctx: RequestContext, params: dict) -> dict:
        return self._list_tags(ctx, KIND, params["SerialNumber"], params)

    def verify_mfa_code(self, account: str, serial: str, code: str) -> bool:
        """Whether `code` is the current code (or the one just before or after it) of the enabled
        device `serial` of `account`: what STS asks before it issues a session with MFA."""
        doc = self.store.get(account, KIND, serial)
        return doc is not None and bool(doc.get("UserName")) and _totp(doc).verify(code, valid_window=1)
