from fastapi import HTTPException, Request

TOKENS = {"tok-1": {"id": 1, "email": "one@example.test"}, "tok-2": {"id": 2, "email": "two@example.test"}}
CALLS = {"n": 0}


async def load_session_user(request: Request) -> None:
    CALLS["n"] += 1
    user = TOKENS.get(request.headers.get("x-token", ""))
    if user is None:
        raise HTTPException(status_code=401, detail="Sign in first")
    request.state.user = user
