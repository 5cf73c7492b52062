"""Daily digests for staff and admins, and reminders to requesters before a respond-by date."""
