from typing import Annotated, Optional

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from testapp.db import User, get_db

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def get_current_user(
    request: Request,
    api_key: Optional[str] = Security(api_key_header),
    db: Session = Depends(get_db),
) -> User:
    request.state.auth_calls = getattr(request.state, "auth_calls", 0) + 1
    if not api_key:
        raise HTTPException(status_code=401, detail="Missing API key", headers={"WWW-Authenticate": "ApiKey"})
    user = db.query(User).filter(User.api_key == api_key).first()
    if user is None:
        raise HTTPException(status_code=401, detail="Invalid API key")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
