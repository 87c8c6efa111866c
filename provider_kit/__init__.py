"""What every dynamic provider here shares: the provider base, Schema/Field and diff, take-over, the pickler guard."""
