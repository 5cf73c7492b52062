"""Where each role lands after logging in: staff their workspace, admins an overview."""
