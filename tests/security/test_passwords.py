"""Passwords are stored as argon2id hashes, never as given (ASVS 6.2 / 11.4.2)."""
from portal.auth.passwords import check_password
from tests import factories as f


def test_passwords_are_stored_as_argon2id(ctx):
    u = f.user(password="a long enough passphrase")
    assert u.password_hash.startswith("$argon2id$") and "passphrase" not in u.password_hash
    assert check_password(u.password_hash, "a long enough passphrase")
    assert not check_password(u.password_hash, "a long enough passphrasE")
    assert not check_password(None, "a long enough passphrase")  # unknown account: same work, no match
