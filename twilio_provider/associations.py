"""Where the two trunk associations lived before each resource had a module of its own.

Kept only so that stacks deployed before the split still load their providers (state refers to a
provider by module and class); their next `pulumi up` stores the new location, after which this module
is unused.
"""

from .phone_number_attachment import PhoneNumberAttachmentProvider
from .trunk_credential_list import TrunkCredentialListProvider

__all__ = ["PhoneNumberAttachmentProvider", "TrunkCredentialListProvider"]
