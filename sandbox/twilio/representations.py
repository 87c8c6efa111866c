"""How the Twilio emulator renders each resource, as the OpenAPI files describe it (public URLs included)."""

from __future__ import annotations

from typing import Any

from .base import TwilioBase
from .params import API, TRUNKING, VOICE


class Representations(TwilioBase):
    def trunk_json(self, trunk: dict[str, Any]) -> dict[str, Any]:
        sid = trunk["sid"]
        url = f"{TRUNKING}/v1/Trunks/{sid}"
        auth_types = []
        if self.state["trunk_ip_acls"].get(sid):
            auth_types.append("IP_ACL")
        if self.state["trunk_credential_lists"].get(sid):
            auth_types.append("CREDENTIAL_LIST")
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "domain_name": trunk["domain_name"],
            "disaster_recovery_method": trunk["disaster_recovery_method"],
            "disaster_recovery_url": trunk["disaster_recovery_url"],
            "friendly_name": trunk["friendly_name"],
            "secure": trunk["secure"],
            "cnam_lookup_enabled": trunk["cnam_lookup_enabled"],
            "symmetric_rtp_enabled": False,
            "recording": dict(trunk["recording"]),
            "transfer_mode": trunk["transfer_mode"],
            "transfer_caller_id": trunk["transfer_caller_id"],
            "auth_type": ",".join(auth_types),
            "auth_type_set": auth_types,
            "date_created": self.iso(trunk["created"]),
            "date_updated": self.iso(trunk["updated"]),
            "url": url,
            "links": {
                name: f"{url}/{path}"
                for name, path in (
                    ("origination_urls", "OriginationUrls"),
                    ("credential_lists", "CredentialLists"),
                    ("ip_access_control_lists", "IpAccessControlLists"),
                    ("phone_numbers", "PhoneNumbers"),
                    ("recording", "Recording"),
                )
            },
        }

    def origination_json(self, origination: dict[str, Any]) -> dict[str, Any]:
        return {
            "sid": origination["sid"],
            "account_sid": self.account_sid,
            "trunk_sid": origination["trunk_sid"],
            "weight": origination["weight"],
            "priority": origination["priority"],
            "enabled": origination["enabled"],
            "sip_url": origination["sip_url"],
            "friendly_name": origination["friendly_name"],
            "date_created": self.iso(origination["created"]),
            "date_updated": self.iso(origination["updated"]),
            "url": f"{TRUNKING}/v1/Trunks/{origination['trunk_sid']}/OriginationUrls/{origination['sid']}",
        }

    def trunk_mapping_json(self, trunk_sid: str, kind: str, sid: str, mapping: dict[str, Any]) -> dict[str, Any]:
        lists = self.state["credential_lists"] if kind == "CredentialLists" else self.state["ip_access_control_lists"]
        source = lists.get(sid, {})
        return {
            "account_sid": self.account_sid,
            "sid": sid,
            "trunk_sid": trunk_sid,
            "friendly_name": source.get("friendly_name"),
            "date_created": self.iso(mapping["created"]),
            "date_updated": self.iso(mapping["created"]),
            "url": f"{TRUNKING}/v1/Trunks/{trunk_sid}/{kind}/{sid}",
        }

    def _number_common(self, number: dict[str, Any]) -> dict[str, Any]:
        keys = (
            "sid",
            "phone_number",
            "friendly_name",
            "trunk_sid",
            "voice_url",
            "voice_method",
            "voice_application_sid",
            "voice_fallback_url",
            "voice_fallback_method",
            "voice_caller_id_lookup",
            "sms_url",
            "sms_method",
            "sms_fallback_url",
            "sms_fallback_method",
            "sms_application_sid",
            "status_callback",
            "status_callback_method",
            "api_version",
            "beta",
            "address_requirements",
        )
        body = {key: number[key] for key in keys}
        body["account_sid"] = self.account_sid
        body["capabilities"] = {"voice": True, "sms": True, "mms": False, "fax": False}
        return body

    def trunk_number_json(self, number: dict[str, Any]) -> dict[str, Any]:
        body = self._number_common(number)
        body.update(
            {
                "date_created": self.iso(number["created"]),
                "date_updated": self.iso(number["updated"]),
                "url": f"{TRUNKING}/v1/Trunks/{number['trunk_sid']}/PhoneNumbers/{number['sid']}",
                "links": {
                    "phone_number": f"{API}/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers/"
                    f"{number['sid']}.json"
                },
            }
        )
        return body

    def incoming_json(self, number: dict[str, Any]) -> dict[str, Any]:
        body = self._number_common(number)
        body.update(
            {
                "date_created": self.rfc2822(number["created"]),
                "date_updated": self.rfc2822(number["updated"]),
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/IncomingPhoneNumbers/{number['sid']}.json",
                "origin": number["origin"],
                "voice_receive_mode": number["voice_receive_mode"],
                "emergency_status": number["emergency_status"],
                "emergency_address_sid": number["emergency_address_sid"],
                "emergency_address_status": "unregistered",
                "address_sid": number["address_sid"],
                "identity_sid": number["identity_sid"],
                "bundle_sid": number["bundle_sid"],
                "status": "in-use",
                "type": "local",
            }
        )
        return body

    def credential_list_json(self, credential_list: dict[str, Any]) -> dict[str, Any]:
        uri = f"/2010-04-01/Accounts/{self.account_sid}/SIP/CredentialLists/{credential_list['sid']}"
        return {
            "account_sid": self.account_sid,
            "sid": credential_list["sid"],
            "friendly_name": credential_list["friendly_name"],
            "date_created": self.rfc2822(credential_list["created"]),
            "date_updated": self.rfc2822(credential_list["updated"]),
            "subresource_uris": {"credentials": f"{uri}/Credentials.json"},
            "uri": f"{uri}.json",
        }

    def credential_json(self, credential: dict[str, Any]) -> dict[str, Any]:
        return {
            "sid": credential["sid"],
            "account_sid": self.account_sid,
            "credential_list_sid": credential["credential_list_sid"],
            "username": credential["username"],
            "date_created": self.rfc2822(credential["created"]),
            "date_updated": self.rfc2822(credential["updated"]),
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/SIP/CredentialLists/"
            f"{credential['credential_list_sid']}/Credentials/{credential['sid']}.json",
        }

    def country_json(self, country: dict[str, Any]) -> dict[str, Any]:
        url = f"{VOICE}/v1/DialingPermissions/Countries/{country['iso_code']}"
        return {**country, "url": url, "links": {"highrisk_special_prefixes": f"{url}/HighRiskSpecialPrefixes"}}
