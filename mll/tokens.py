"""Secret links (invitations, guests' answers) keep only a hash of their token."""

import hashlib


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
