from typing import Optional

from fastapi import Depends, HTTPException, Security
from fastapi.security import APIKeyHeader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asyncapp.db import User, get_db

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


async def get_current_user(
    api_key: Optional[str] = Security(api_key_header), db: AsyncSession = Depends(get_db)
) -> User:
    if not api_key:
        raise HTTPException(status_code=401, detail="Missing API key")
    user = (await db.execute(select(User).where(User.api_key == api_key))).scalars().first()
    if user is None:
        raise HTTPException(status_code=401, detail="Invalid API key")
    return user
