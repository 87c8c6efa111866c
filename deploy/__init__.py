"""`make demo`: the sandbox around a plain `pulumi up` of the dev stack, and the CLI's environment here."""
