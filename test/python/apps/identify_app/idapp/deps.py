from typing import Optional

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
USERS = {"key-1": {"id": 1, "email": "one@example.test"}}


def get_current_user(request: Request, api_key: Optional[str] = Security(api_key_header)):
    request.state.auth_calls = getattr(request.state, "auth_calls", 0) + 1
    user = USERS.get(api_key or "")
    if user is None:
        raise HTTPException(status_code=401, detail="Missing API key")
    return user
