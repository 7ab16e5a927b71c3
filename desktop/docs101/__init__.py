"""A read-only client of docs101's customers API (GET only, bounded, as the Clockify client)."""
