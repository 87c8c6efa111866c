"""A program of 50 LiveAgent numbers and nothing else, for the rate-limit test."""

import pulumi

from liveagent_provider.sip_number import SipNumber

for index in range(50):
    SipNumber(
        f"n{index}",
        {
            "number": f"+8150100{index:05d}",  # 050-1000-0000 on: valid IP-phone numbers
            "name": f"number {index}",
            "department_name": "Support",
            "dial_prefix": 100 + index,
            "host": "x.pstn.tokyo.twilio.com",
            "username": "user1",
            "password": pulumi.Output.secret("Passw0rdPassw0rd"),
        },
    )
