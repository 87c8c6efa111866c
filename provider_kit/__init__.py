"""What every dynamic provider here shares: the provider base, Schema/Field and diff, the HTTP core and its retry
policy, list snapshots, holder records, creates safe to repeat (take-over), the plugin process, the pickler guard."""
